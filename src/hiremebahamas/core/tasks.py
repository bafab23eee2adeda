"""Background tasks: deferred during a unit of work, dispatched only after it commits.

Task functions take a `TaskContext` and JSON-serialisable keyword arguments, so the same
function runs in-process (embedded default) or on a worker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import metrics

if TYPE_CHECKING:
    from hiremebahamas.config import Settings
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import EmailSender

logger = logging.getLogger(__name__)

_PENDING_KEY = "hiremebahamas.pending_tasks"


@dataclass(frozen=True)
class TaskCall:
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskContext:
    settings: Settings
    database: Database
    email: EmailSender


TaskFunction = Callable[..., Awaitable[None]]
REGISTRY: dict[str, TaskFunction] = {}


def task(function: TaskFunction) -> TaskFunction:
    """Register a task under its function name."""
    REGISTRY[function.__name__] = function
    return function


def defer(session: AsyncSession, name: str, **kwargs: Any) -> None:
    """Queue a task to run after the session's transaction commits; dropped on rollback."""
    if name not in REGISTRY:
        raise LookupError(f"unknown task {name!r}")
    session.info.setdefault(_PENDING_KEY, []).append(TaskCall(name, kwargs))


def take_pending(session: AsyncSession) -> list[TaskCall]:
    pending: list[TaskCall] = session.info.pop(_PENDING_KEY, [])
    return pending


class TaskRunner(Protocol):
    async def dispatch(self, calls: list[TaskCall]) -> None: ...


class InProcessTaskRunner:
    """Runs tasks on the event loop of the process that committed them."""

    def __init__(self, context: TaskContext) -> None:
        self.context = context
        self._running: set[asyncio.Task[None]] = set()

    async def dispatch(self, calls: list[TaskCall]) -> None:
        for call in calls:
            running = asyncio.create_task(self._run(call))
            self._running.add(running)
            running.add_done_callback(self._running.discard)

    async def _run(self, call: TaskCall) -> None:
        try:
            await REGISTRY[call.name](self.context, **call.kwargs)
        except Exception:
            metrics.TASK_FAILURES.labels(task=call.name).inc()
            # Arguments can carry personal data or one-time links: log their names only.
            logger.exception("task failed", extra={"task": call.name, "task_args": sorted(call.kwargs)})

    async def drain(self) -> None:
        """Wait for every task started so far (tests, graceful shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
