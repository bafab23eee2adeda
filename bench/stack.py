"""The production-like stack the benchmark and the locust run load: a throwaway PostgreSQL and
Redis, the schema migrated, a demo dataset, gunicorn with uvicorn workers (ENVIRONMENT=production)
and the background worker, all on loopback, all stopped when the ExitStack closes."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from tests.servers import start_postgres, start_redis

from bench import server

DATABASE_NAME = "hiremebahamas_bench"
DEMO_DATA_TIMEOUT = 3600.0
APP_START_TARGET_SECONDS = 2.0
"""Issue 9: import and first request within 2 s."""


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the ExitStack: every server started is stopped


def stop_everything_on_sigterm() -> None:
    """A SIGTERM (a CI step's time limit, `kill`) stops every server the run started, as the
    end of the run does."""
    signal.signal(signal.SIGTERM, _terminate)


@dataclass
class Stack:
    work: Path
    env: dict[str, str]
    database_url: str
    """SQLAlchemy URL (asyncpg) of the benchmark's database, for picking subjects with SQL."""
    database_pids: list[int]
    """PostgreSQL and Redis: their CPU is counted as the database's."""
    app: server.AppServer
    worker: server.AppServer
    app_start_seconds: float
    loaded: dict[str, float | str] = field(default_factory=dict)
    """The dataset's size and how long it took to load."""

    @property
    def server_pids(self) -> list[int]:
        return [self.app.pid, self.worker.pid]


def load_demo_data(env: dict[str, str], cwd: Path, size: str, seed_value: int | None) -> None:
    """Fill the migrated database with `hiremebahamas demo-data` (its progress bar and summary
    go to the terminal)."""
    command = [str(server.VENV_BIN / "hiremebahamas"), "demo-data", "--size", size]
    if seed_value is not None:
        command += ["--seed", str(seed_value)]
    result = subprocess.run(  # noqa: S603 - our own venv's command, no shell
        command,
        # The command refuses ENVIRONMENT=production (demo accounts share a published password);
        # only the server under test runs as production.
        env={**env, "ENVIRONMENT": "development"},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=DEMO_DATA_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"hiremebahamas demo-data --size {size} failed ({result.returncode})")


def start(
    stack: contextlib.ExitStack,
    work: Path,
    *,
    size: str,
    seed_value: int | None,
    workers: int,
    max_requests: int | None,
    settings: dict[str, str] | None = None,
) -> Stack:
    """`settings`: more of the app's environment (e.g. STAFF_REQUIRE_TOTP for a staff page)."""
    postgres = start_postgres()
    stack.callback(postgres.stop)
    postgres.create_database(DATABASE_NAME)
    redis = start_redis()
    stack.callback(redis.stop)
    print(f"PostgreSQL on 127.0.0.1:{postgres.port}, Redis on 127.0.0.1:{redis.port}")
    env = server.app_environment(
        var_dir=work,
        database_url=postgres.dsn(DATABASE_NAME),
        production=True,
        workers=workers,
        redis_url=redis.url(),
        max_requests=max_requests,
    )
    env.update(settings or {})
    server.migrate(env, work)
    started = time.perf_counter()
    load_demo_data(env, work, size, seed_value)
    loaded: dict[str, float | str] = {"size": size, "seconds": round(time.perf_counter() - started, 1)}
    print(f"demo dataset {size} loaded in {loaded['seconds']}s")
    booting = time.perf_counter()
    app = server.start_app(env, work, workers)
    stack.callback(app.stop)
    app_start = time.perf_counter() - booting
    worker = server.start_worker(env, work)
    stack.callback(worker.stop)
    print(
        f"gunicorn ({workers} uvicorn workers, ENVIRONMENT=production) on {app.url} in {app_start:.1f}s "
        f"(until every worker is up and /health answers; target < {APP_START_TARGET_SECONDS:.0f}s), and the task worker"
    )
    return Stack(
        work=work,
        env=env,
        database_url=postgres.url(DATABASE_NAME),
        database_pids=[postgres.pid, redis.pid],
        app=app,
        worker=worker,
        app_start_seconds=round(app_start, 2),
        loaded=loaded,
    )
