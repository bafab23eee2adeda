"""Load benchmarks against the production-like stack on a demo dataset (see docs/benchmarks.md).

- `bench.run` — `make bench`: the ceiling and every scenario, judged against issue 9's targets.
- `bench.locust_run` — `make loadtest`: tests/load_test.py at 100, 500 and 1,000 users.
- `bench.stack` — PostgreSQL, Redis, `hiremebahamas demo-data`, gunicorn and the task worker.
- `bench.dataset` — the subjects picked with SQL and signed in, and what requests point at.
- `bench.scenarios` — what is measured, one small function per scenario, with its targets.
- `bench.server` — the app server processes, their environment, CPU and memory.
- `bench.load` — the Python closed-loop load generator and its statistics; `bench.wrk` — wrk.
- `bench.metrics` — queries and cache lookups read from /metrics; `bench.hello` — the ceiling.
"""
