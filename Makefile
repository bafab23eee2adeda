# HireMeBahamas — developer commands. `make run` and `make test` install what is missing first.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$$HOME/.local/bin/uv")
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run demo test test-browsers test-pgbouncer test-cluster soak cluster test-fast lint audit probes format install system-deps migrate bench bench-smoke lighthouse loadtest clean help

help:
	@echo "make run      - install, migrate and serve on http://$(HOST):$(PORT) (SQLite, no other services)"
	@echo "make demo     - like make run, on its own SQLite file in var/demo filled with demo data (--size small)"
	@echo "make test     - the whole suite on SQLite and PostgreSQL, with Redis and Chromium"
	@echo "make test-browsers - the seven end-to-end flows on Chromium, Firefox and WebKit: desktop, phone, tablet"
	@echo "make test-pgbouncer - the suite on PostgreSQL through PgBouncer (transaction pooling)"
	@echo "make test-cluster - faults against a real cluster: an instance killed, Redis stopped, ..."
	@echo "make soak     - the locust mix against both instances of the cluster for ten minutes"
	@echo "make cluster  - primary + replica, PgBouncer, Redis, two app instances and a worker, until Ctrl-C"
	@echo "make lint     - ruff + mypy --strict + import-linter (the layers)"
	@echo "make audit    - bandit (medium+ severity) over src, pip-audit over the locked dependencies"
	@echo "make probes   - schemathesis over the whole OpenAPI: job seeker, employer, anonymous"
	@echo "make format   - ruff format + autofix"
	@echo "make bench    - the benchmark on the large demo dataset, PostgreSQL + Redis (docs/benchmarks.md)"
	@echo "make bench-smoke - the same on the tiny dataset, 3 s per scenario, 8 connections (CI)"
	@echo "make loadtest - locust at 100, 500 and 1,000 users on the large demo dataset"
	@echo "make lighthouse - Lighthouse over the main pages, signed out and in, phone and desktop"

install:
	@scripts/ensure-uv
	@$(UV) sync --frozen --quiet

system-deps:
	@scripts/ensure-system-packages

run: install
	$(UV) run hiremebahamas serve --migrate

# Its own database and files (never DATABASE_URL from the environment); demo data is loaded once,
# later runs find the users there (demo-data exits 1 with a message) and just serve.
DEMO_ENV = VAR_DIR=var/demo DATABASE_URL=sqlite:///var/demo/hiremebahamas.db ENVIRONMENT=development
demo: install
	$(DEMO_ENV) $(UV) run hiremebahamas migrate
	$(DEMO_ENV) $(UV) run hiremebahamas demo-data --size small || [ $$? -eq 1 ]
	$(DEMO_ENV) $(UV) run hiremebahamas serve

test: install system-deps
	$(UV) run pytest

# The end-to-end flows on every browser engine and size (docs/operations.md, "Browser matrix");
# the Chromium flows of tests/e2e stay in `make test`.
test-browsers: install
	@scripts/ensure-system-packages --browsers
	$(UV) run pytest -m browsers -q tests/browsers

# The suite again on PostgreSQL through PgBouncer in transaction mode (its own CI step). The
# browser flows are left out: their server runs on SQLite whatever TEST_ENGINES says.
test-pgbouncer: install system-deps
	TEST_ENGINES=pgbouncer $(UV) run pytest -q -m "not e2e and not probe and not cluster and not browsers"

# Faults against a real cluster (primary + replica, PgBouncer, Redis, two instances, a worker).
test-cluster: install system-deps
	$(UV) run pytest -m cluster -s -q tests/cluster

# Ten minutes of the locust mix against both instances: no failure, memory flat (its own CI step).
soak: install system-deps
	$(UV) run python -m tests.cluster.soak

# The cluster of tests/cluster/harness.py, left running until Ctrl-C.
cluster: install system-deps
	$(UV) run python -m tests.cluster

test-fast: install
	$(UV) run pytest -m "not e2e and not probe" -x -q

lint: install
	$(UV) run ruff check src tests migrations bench
	$(UV) run ruff format --check src tests migrations bench
	$(UV) run mypy
	$(UV) run lint-imports

# Bandit fails on medium or high severity; a reviewed finding carries `# nosec BXXX` and why.
audit: install
	$(UV) run bandit --quiet --recursive src --severity-level medium
	UV=$(UV) scripts/audit-dependencies

# The probes are left out of `make test` (pytest addopts); PROBE_EXAMPLES bounds each operation.
probes: install system-deps
	$(UV) run pytest -m probe --show-capture=no $(PYTEST_ARGS)

format: install
	$(UV) run ruff format src tests migrations bench
	$(UV) run ruff check --fix src tests migrations bench

migrate: install
	$(UV) run hiremebahamas migrate

bench: install system-deps
	$(UV) run python -m bench.run --size large

# Figures are printed, not asserted: it fails only when requests fail. wrk sends the GET
# scenarios and the Python generator the writes, so both stay exercised. Workers are not
# recycled (--max-requests 0): at thousands of cached answers a second a recycle would fall
# inside some scenario, and the keep-alive connections it drops are read errors to wrk.
bench-smoke: install system-deps
	$(UV) run python -m bench.run --size tiny --duration 3 --warmup 1 --concurrency 8 --generator wrk \
		--max-requests 0 --output var/bench-smoke.json

# Lighthouse over the main pages, signed out and in, phone and desktop (docs/pages.md).
lighthouse: install system-deps
	@scripts/ensure-system-packages --lighthouse
	npm ci --prefix bench/lighthouse --no-audit --no-fund --silent
	$(UV) run python -m bench.lighthouse

loadtest: install system-deps
	$(UV) run python -m bench.locust_run --size large

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache var/test-*
