"""Read replicas: which of them may serve reads now, judged by how far behind the primary each is.

Every `DATABASE_REPLICA_CHECK_SECONDS` a background check asks each replica how far its replay
is behind: zero when it has replayed everything the primary has written (an idle primary writes
nothing, so the time since the last replayed transaction alone would read as lag), otherwise
the time since that transaction and the bytes of WAL still to replay. A replica that does not
answer, or lags more than `DATABASE_REPLICA_MAX_LAG_SECONDS`, leaves the rotation until a later
check finds it fit again; with none fit, reads go to the primary. A new process trusts its
replicas until the first check has run (a few seconds at most).

A replica that fails a request's read (refused or lost connection) leaves the rotation at once,
without waiting for the next check: only the requests already reading from it when it went down
get an error (503, core/errors), and the next ones read from another replica or the primary.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import Gauge
from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from hiremebahamas.core.dbfailures import database_unreachable

log = logging.getLogger(__name__)

REPLICA_LAG = Gauge(
    "hmb_db_replica_lag_seconds", "Replication lag of each read replica, as last measured.", ["replica"],
    multiprocess_mode="max",
)  # fmt: skip
REPLICA_BYTES_BEHIND = Gauge(
    "hmb_db_replica_bytes_behind", "WAL bytes each read replica has still to replay.", ["replica"],
    multiprocess_mode="max",
)  # fmt: skip
REPLICA_IN_ROTATION = Gauge(
    "hmb_db_replica_in_rotation", "1 while a read replica serves reads, 0 while it is out.", ["replica"],
    multiprocess_mode="min",
)  # fmt: skip

_PRIMARY_POSITION = text("SELECT pg_current_wal_lsn()::text")
# On the replica: how far behind the given primary position it is, in seconds and bytes.
_REPLICA_LAG = text(
    """
    WITH primary_at AS (SELECT CAST(CAST(:primary AS text) AS pg_lsn) AS lsn)
    SELECT CASE WHEN pg_last_wal_replay_lsn() >= lsn THEN 0
                ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END,
           GREATEST(pg_wal_lsn_diff(lsn, pg_last_wal_replay_lsn()), 0)
    FROM primary_at
    """
)


@dataclass
class ReplicaState:
    name: str  # host:port/database, never the password
    engine: AsyncEngine
    in_rotation: bool = True
    lag_seconds: float | None = None
    bytes_behind: int | None = None
    error: str | None = None
    checked_at: float | None = None

    def report(self) -> dict[str, object]:
        return {
            "in_rotation": self.in_rotation,
            "lag_seconds": self.lag_seconds,
            "bytes_behind": self.bytes_behind,
            "error": self.error,
        }


def replica_name(engine: AsyncEngine) -> str:
    url = make_url(str(engine.url))
    return f"{url.host or 'local'}:{url.port or 5432}/{url.database or ''}"


class ReplicaSet:
    """The replicas in rotation, taken in turn; the check that keeps the rotation honest."""

    def __init__(self, primary: AsyncEngine, replicas: Sequence[AsyncEngine], max_lag: float, interval: float) -> None:
        self.primary = primary
        self.states = [ReplicaState(replica_name(engine), engine) for engine in replicas]
        self.max_lag = max_lag
        self.interval = interval
        self._turns = itertools.count()
        self._task: asyncio.Task[None] | None = None
        for state in self.states:
            REPLICA_IN_ROTATION.labels(state.name).set(1)
            self._watch(state)

    def _watch(self, state: ReplicaState) -> None:
        @event.listens_for(state.engine.sync_engine, "handle_error")
        def _failed(context: ExceptionContext) -> None:
            error = context.sqlalchemy_exception or context.original_exception
            if state.in_rotation and (context.is_disconnect or database_unreachable(error)):
                state.error = type(context.original_exception).__name__
                self._move(state, fit=False)

    def pick(self) -> AsyncEngine | None:
        """A replica in rotation (round robin), or None: read from the primary."""
        fit = [state for state in self.states if state.in_rotation]
        return fit[next(self._turns) % len(fit)].engine if fit else None

    async def check(self) -> None:
        """Measure every replica once and move each in or out of the rotation."""
        if not self.states:
            return
        async with self.primary.connect() as connection:
            position = (await connection.execute(_PRIMARY_POSITION)).scalar_one()
        await asyncio.gather(*(self._check_one(state, position) for state in self.states))

    async def _check_one(self, state: ReplicaState, position: str) -> None:
        try:
            async with asyncio.timeout(max(self.interval, 1.0)), state.engine.connect() as connection:
                lag, behind = (await connection.execute(_REPLICA_LAG, {"primary": position})).one()
        except Exception as exc:
            state.lag_seconds, state.bytes_behind, state.error = None, None, type(exc).__name__
            log.debug("read replica %s did not answer", state.name, exc_info=True)
            fit = False
        else:
            state.lag_seconds, state.bytes_behind, state.error = float(lag), int(behind), None
            REPLICA_LAG.labels(state.name).set(state.lag_seconds)
            REPLICA_BYTES_BEHIND.labels(state.name).set(state.bytes_behind)
            fit = state.lag_seconds <= self.max_lag
        state.checked_at = time.time()
        self._move(state, fit=fit)

    def _move(self, state: ReplicaState, *, fit: bool) -> None:
        if fit != state.in_rotation:
            log.warning(
                "read replica %s %s the rotation",
                state.name,
                "rejoins" if fit else "leaves",
                extra={"replica": state.name, "lag_seconds": state.lag_seconds, "error": state.error},
            )
        state.in_rotation = fit
        REPLICA_IN_ROTATION.labels(state.name).set(1 if fit else 0)

    def start(self) -> None:
        if self.states and self._task is None:
            self._task = asyncio.create_task(self._run(), name="replica-checks")

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # the primary itself did not answer: keep the rotation as it was
                log.exception("read replica check failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def report(self) -> dict[str, dict[str, object]]:
        return {state.name: state.report() for state in self.states}
