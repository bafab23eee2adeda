"""A real cluster on one machine: PostgreSQL primary and a streaming replica, PgBouncer in
transaction mode in front of the primary, Redis, two app instances (gunicorn, as deployed) and
one worker, all on loopback. `make cluster` leaves one running for a person to try; the fault
tests (tests/cluster/test_faults.py) start their own.

Both instances share their secrets (a token signed by one is good on the other), the Redis and
the uploads directory, as instances behind one load balancer do; each has its own address and
metrics directory.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import AppServer, app_environment, migrate, start_app, start_worker

from tests.servers import (
    PgBouncerServer,
    PostgresServer,
    RedisServer,
    free_port,
    start_pgbouncer,
    start_postgres,
    start_redis,
    start_replica,
)

DATABASE = "hiremebahamas"


@dataclass
class Cluster:
    primary: PostgresServer
    replica: PostgresServer
    pgbouncer: PgBouncerServer
    redis: RedisServer
    env: dict[str, str]
    work: Path
    apps: list[AppServer] = field(default_factory=list)
    worker: AppServer | None = None

    @property
    def urls(self) -> list[str]:
        return [app.url for app in self.apps]

    def instance_env(self, index: int) -> dict[str, str]:
        port = free_port()
        return {
            **self.env,
            "PORT": str(port),
            "BASE_URL": f"http://127.0.0.1:{port}",
            "PROMETHEUS_MULTIPROC_DIR": str(self.work / f"metrics-{index}"),
        }

    def start_instance(self, index: int) -> AppServer:
        cwd = self.work / f"app-{index}"
        cwd.mkdir(exist_ok=True)
        return start_app(self.instance_env(index), cwd, int(self.env["WEB_CONCURRENCY"]))

    def start_worker(self, **settings: str) -> AppServer:
        """A new worker in place of the last one (which must be stopped or killed)."""
        self.worker = start_worker({**self.instance_env(len(self.apps)), **settings}, self.work)
        return self.worker

    def kill(self, app: AppServer) -> None:
        """kill -9 of an instance or the worker: the process and its children, with no chance
        to finish anything."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(app.process.pid, signal.SIGKILL)
        app.process.wait(timeout=10)

    def stop(self) -> None:
        for server in [*self.apps, *([self.worker] if self.worker else [])]:
            server.stop()
        for backing in (self.pgbouncer, self.redis, self.replica, self.primary):
            backing.stop()


def start_cluster(
    work: Path, *, instances: int = 2, workers: int = 1, settings: Mapping[str, str] | None = None
) -> Cluster:
    """Everything started and serving; `stop()` stops it all (also when starting fails).
    `settings` are environment variables every instance and the worker get besides."""
    primary = start_postgres()
    started: list[PostgresServer | PgBouncerServer | RedisServer] = [primary]
    try:
        primary.create_database(DATABASE)
        replica = start_replica(primary)
        started.append(replica)
        pgbouncer = start_pgbouncer(primary, pool_size=10)
        started.append(pgbouncer)
        redis = start_redis()
        started.append(redis)
    except BaseException:
        for server in reversed(started):
            server.stop()
        raise
    env = app_environment(
        var_dir=work / "var",
        database_url=pgbouncer.url(DATABASE).replace("+asyncpg", ""),
        production=True,
        workers=workers,
        redis_url=redis.url(),
    )
    env.update(
        DATABASE_PGBOUNCER="true",
        DATABASE_READ_REPLICA_1=replica.dsn(DATABASE),
        LOG_LEVEL="INFO",
    )
    env.update(settings or {})
    cluster = Cluster(primary, replica, pgbouncer, redis, env, work)
    try:
        # Migrations go to the primary directly, as in production (not through PgBouncer).
        migrate({**env, "DATABASE_URL": primary.dsn(DATABASE)}, work)
        cluster.apps = [cluster.start_instance(index) for index in range(instances)]
        cluster.start_worker()
    except BaseException:
        cluster.stop()
        raise
    return cluster
