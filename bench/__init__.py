"""Load benchmarks against a real server: `uv run python -m bench.run` (see docs/benchmarks.md).

- `bench.run` — the command line: starts the servers, seeds data, runs scenarios, reports.
- `bench.server` — throwaway app server (gunicorn + uvicorn workers), its environment, CPU use.
- `bench.load` — the closed-loop load generator and its statistics.
- `bench.scenarios` — what is measured, one small function per scenario, and the seed data.
"""
