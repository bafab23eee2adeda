"""Background tasks: deferred during a unit of work, dispatched only after it commits.

Task functions take a `TaskContext` and JSON-serialisable keyword arguments, so the same
function runs in-process (embedded default) or on an arq worker (`hiremebahamas worker`, when
REDIS_URL is set; see core/worker.py).

- `@task` makes a function a task and returns its handle; `@local_task` one that always runs in
  the process that committed, worker or not (publishing live events: a hop through the queue
  only adds delay); `@inline_task` one that the committing process awaits before the request
  answers (forgetting a cached answer, which the very next request must not see).
- `defer(session, handle, **kwargs)`: run once the transaction commits; dropped on rollback.
  The caller imports the handle of what it defers, and the arguments are type-checked.
- `defer_in(session, delay, handle, **kwargs)`: the same, not before `delay` has passed (arq's
  `_defer_by`; in-process a timer, which a restart forgets).
- A worker runs the tasks of a `TaskRegistry`, which each domain's tasks.py fills and the
  `worker` command puts together.

Tasks may run twice (a worker can die after a task's work but before arq records it): each
task is written so a second run does no harm, and the worker skips a job it already finished.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol

from arq.connections import ArqRedis
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import metrics

if TYPE_CHECKING:
    from hiremebahamas.config import Settings
    from hiremebahamas.core.cache import KeyValueStore
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import EmailSender
    from hiremebahamas.core.realtime import Broker

logger = logging.getLogger(__name__)

_PENDING_KEY = "hiremebahamas.pending_tasks"
QUEUE_NAME = "hmb:tasks"


def _new_call_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class TaskContext:
    settings: Settings
    database: Database
    email: EmailSender
    # Live events (core/realtime.py); None where nothing listens (command-line tools).
    broker: Broker | None = None
    # The process's key-value store (caches); None in command-line tools, which share no cache
    # with the servers unless REDIS_URL is set, and then only expire what they change.
    store: KeyValueStore | None = None


P = ParamSpec("P")


class Runs(enum.Enum):
    QUEUED = "queued"  # on a worker when one is configured, else in the committing process
    LOCAL = "local"  # in the committing process, worker or not
    INLINE = "inline"  # in the committing process, awaited before the request answers


@dataclass(frozen=True)
class Gathering:
    """How a gathered task's calls are merged: the lists passed as `argument` by the commits of
    up to `seconds` (or until `most` items) in one process make one call."""

    argument: str
    seconds: float
    most: int


@dataclass(frozen=True, eq=False)
class Task(Generic[P]):
    """A task's handle: its function and where it runs. Named after the function, which is its
    arq job name."""

    function: Callable[Concatenate[TaskContext, P], Awaitable[None]]
    runs: Runs = Runs.QUEUED
    gathering: Gathering | None = None

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def in_process(self) -> bool:
        return self.runs is not Runs.QUEUED

    async def __call__(self, context: TaskContext, *args: P.args, **kwargs: P.kwargs) -> None:
        await self.function(context, *args, **kwargs)


def task(function: Callable[Concatenate[TaskContext, P], Awaitable[None]]) -> Task[P]:
    return Task(function)


def local_task(function: Callable[Concatenate[TaskContext, P], Awaitable[None]]) -> Task[P]:
    """A task that runs in the committing process even when a worker is configured."""
    return Task(function, Runs.LOCAL)


def inline_task(function: Callable[Concatenate[TaskContext, P], Awaitable[None]]) -> Task[P]:
    """A task the committing process awaits right after the commit, before the request
    answers. Only for quick work on local state; a failure is logged, never raised."""
    return Task(function, Runs.INLINE)


def gathered_task(
    argument: str, *, seconds: float = 1.0, most: int = 500
) -> Callable[[Callable[Concatenate[TaskContext, P], Awaitable[None]]], Task[P]]:
    """A queued task whose calls, each with a list as `argument`, are merged in the committing
    process: one call per `seconds` (or per `most` items) instead of one per commit. What is
    gathered lives in that process's memory until it is sent: a process killed outright loses
    up to `seconds` of it, so only for what may lose that (the analytics' event log); a process
    that stops normally sends it first."""

    def wrap(function: Callable[Concatenate[TaskContext, P], Awaitable[None]]) -> Task[P]:
        return Task(function, gathering=Gathering(argument, seconds, most))

    return wrap


@dataclass(frozen=True)
class TaskCall:
    task: Task[...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    delay_seconds: float = 0.0
    # The arq job id: enqueueing the same call twice makes one job.
    id: str = field(default_factory=_new_call_id)

    @property
    def name(self) -> str:
        return self.task.name

    @property
    def inline_now(self) -> bool:
        return self.task.runs is Runs.INLINE and self.delay_seconds <= 0


def defer(session: AsyncSession, task: Task[P], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Queue a task to run after the session's transaction commits; dropped on rollback."""
    _queue(session, TaskCall(task, _keywords_only(task, args, kwargs)))


def defer_in(session: AsyncSession, delay: timedelta, task: Task[P], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Like `defer`, but the task runs `delay` after the commit (at the earliest)."""
    call = TaskCall(task, _keywords_only(task, args, kwargs), delay_seconds=max(0.0, delay.total_seconds()))
    _queue(session, call)


def batch(session: AsyncSession, task: Task[...], argument: str) -> list[Any]:
    """The list passed as `argument` to the one call of `task` deferred in this unit of work,
    created (and the call deferred) on first use: many items, one task after the commit. The
    list is read when the call is dispatched, so items added later in the unit of work go too."""
    for call in session.info.get(_PENDING_KEY, []):
        if call.task is task:
            items: list[Any] = call.kwargs[argument]
            return items
    items = []
    _queue(session, TaskCall(task, {argument: items}))
    return items


def _keywords_only(task: Task[...], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    # A worker receives the arguments as a JSON object: they go by name.
    if args:
        raise TypeError(f"{task.name}: pass task arguments by keyword")
    return kwargs


def _queue(session: AsyncSession, call: TaskCall) -> None:
    session.info.setdefault(_PENDING_KEY, []).append(call)


@asynccontextmanager
async def unit_of_work(context: TaskContext) -> AsyncIterator[AsyncSession]:
    """A task's own unit of work: what it defers runs in this process once it commits, and is
    awaited before the block ends."""
    runner = InProcessTaskRunner(context)
    async with context.database.unit_of_work(runner) as session:
        yield session
    await runner.drain()


@dataclass(frozen=True)
class Periodic:
    """A job a worker runs on a clock (arq cron), once per slot however many workers run."""

    name: str
    run: Callable[[TaskContext], Awaitable[None]]
    minutes: frozenset[int]


class TaskRegistry:
    """What a worker runs: the queued tasks, by name, and the periodic jobs."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task[...]] = {}
        self.periodic: list[Periodic] = []

    def add(self, *handles: Task[...]) -> None:
        for handle in handles:
            if handle.in_process:
                raise ValueError(f"{handle.name} runs in the committing process, never on a worker")
            if self.tasks.setdefault(handle.name, handle) is not handle:
                raise ValueError(f"two tasks are named {handle.name}")

    def every(self, name: str, run: Callable[[TaskContext], Awaitable[None]], *, minutes: Collection[int]) -> None:
        self.periodic.append(Periodic(name, run, frozenset(minutes)))


def take_pending(session: AsyncSession) -> list[TaskCall]:
    pending: list[TaskCall] = session.info.pop(_PENDING_KEY, [])
    return pending


def log_task_failure(name: str, kwargs: dict[str, Any], **extra: Any) -> None:
    """Count and log a failed task. Arguments can carry personal data or one-time links: their
    names are logged, never their values."""
    metrics.TASK_FAILURES.labels(task=name).inc()
    logger.exception("task failed", extra={"task": name, "task_args": sorted(kwargs), **extra})


class TaskRunner(Protocol):
    async def dispatch(self, calls: list[TaskCall]) -> None: ...


class InProcessTaskRunner:
    """Runs tasks on the event loop of the process that committed them."""

    def __init__(self, context: TaskContext) -> None:
        self.context = context
        self._running: set[asyncio.Task[None]] = set()
        self._waiting: dict[asyncio.Task[None], TaskCall] = {}
        self._gathered: dict[Task[...], list[Any]] = {}
        self._gathering: dict[Task[...], asyncio.Task[None]] = {}

    @property
    def uses_worker(self) -> bool:
        """True when tasks go to a separate worker process (see ArqTaskRunner)."""
        return False

    async def dispatch(self, calls: list[TaskCall]) -> None:
        now = []
        for call in calls:
            if call.task.gathering is not None and call.delay_seconds <= 0:
                await self._gather(call.task, call.kwargs[call.task.gathering.argument])
            else:
                now.append(call)
        await self._send(now)

    async def _gather(self, task: Task[...], items: list[Any]) -> None:
        assert task.gathering is not None
        gathered = self._gathered.setdefault(task, [])
        gathered.extend(items)
        if len(gathered) >= task.gathering.most:
            await self._send_gathered(task)
        elif task not in self._gathering:
            self._gathering[task] = asyncio.create_task(self._send_gathered_later(task, task.gathering.seconds))

    async def _send_gathered_later(self, task: Task[...], seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self._send_gathered(task)

    async def _send_gathered(self, task: Task[...]) -> None:
        assert task.gathering is not None
        timer = self._gathering.pop(task, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        items = self._gathered.pop(task, [])
        if items:
            await self._send([TaskCall(task, {task.gathering.argument: items})])

    async def send_gathered(self) -> None:
        """Send what gathered tasks hold now instead of at their time (drain, shutdown)."""
        for task in list(self._gathered):
            await self._send_gathered(task)

    async def _send(self, calls: list[TaskCall]) -> None:
        for call in calls:
            if call.inline_now:
                await self._run(call)
        calls = [call for call in calls if not call.inline_now]
        # Local tasks (live events) run one after another, so a commit's events go out in order.
        local = [call for call in calls if call.task.in_process and call.delay_seconds <= 0]
        if local:
            self._start(self._run_in_order(local))
        for call in calls:
            if call.delay_seconds > 0:
                self._start_timer(call)
            elif not call.task.in_process:
                self._start(self._run(call))

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        running = asyncio.create_task(work)
        self._running.add(running)
        running.add_done_callback(self._running.discard)

    async def _run_in_order(self, calls: list[TaskCall]) -> None:
        for call in calls:
            await self._run(call)

    def _start_timer(self, call: TaskCall) -> None:
        waiting = asyncio.create_task(self._run_later(call))
        self._waiting[waiting] = call
        waiting.add_done_callback(lambda done: self._waiting.pop(done, None))

    async def _run_later(self, call: TaskCall) -> None:
        await asyncio.sleep(call.delay_seconds)
        await self._run(call)

    async def _run(self, call: TaskCall) -> None:
        try:
            await call.task.function(self.context, **call.kwargs)
        except Exception:  # noqa: BLE001 - logged (with its traceback) and counted, never raised
            log_task_failure(call.name, call.kwargs)

    async def queue_depth(self) -> int:
        """Tasks waiting to run or running: here, those of this process."""
        return len(self._running) + len(self._waiting)

    async def drain(self) -> None:
        """Send what is gathered, and wait for every task started so far (tests, graceful
        shutdown); delayed ones wait on."""
        await self.send_gathered()
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def run_delayed_now(self) -> int:
        """Run every delayed task now instead of at its time (tests); returns how many ran."""
        calls = list(self._waiting.items())
        for waiting, _call in calls:
            waiting.cancel()
        for _waiting, call in calls:
            await self._run(call)
        return len(calls)

    async def close(self) -> None:
        """Finish running tasks; delayed ones not yet due are dropped (in-process timers do not
        survive a restart; configure a worker where that matters)."""
        await self.drain()
        if self._waiting:
            logger.warning("delayed tasks dropped at shutdown", extra={"count": len(self._waiting)})
        for waiting in list(self._waiting):
            waiting.cancel()
        await asyncio.gather(*list(self._waiting), return_exceptions=True)


class TaskArguments(dict[str, Any]):
    """A task's keyword arguments inside an arq job. Its repr names the arguments only, so
    arq's job log lines never show values (emails, one-time links)."""

    def __repr__(self) -> str:
        return "<" + ", ".join(sorted(self)) + ">"


_ARGUMENTS_TAG = "__task_arguments__"


def _tagged(value: Any) -> Any:
    return {_ARGUMENTS_TAG: dict(value)} if isinstance(value, TaskArguments) else value


def _from_json(value: dict[str, Any]) -> Any:
    if _ARGUMENTS_TAG in value and len(value) == 1:
        return TaskArguments(value[_ARGUMENTS_TAG])
    return value


def serialize_job(data: dict[str, Any]) -> bytes:
    """JSON, not arq's default pickle: whoever can write to Redis cannot run code in a worker."""
    if "a" in data:  # a dict subclass would be written as a plain dict: tag it to revive it
        data = {**data, "a": [_tagged(value) for value in data["a"]]}
    return json.dumps(data, default=repr).encode()  # results and errors arq records: for humans


def deserialize_job(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw, object_hook=_from_json)
    return data


def arq_pool(redis: Redis) -> ArqRedis:
    """An arq client over `redis`'s connection pool (no extra connections; closed with it)."""
    return ArqRedis(
        redis.connection_pool,
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        default_queue_name=QUEUE_NAME,
    )


class ArqTaskRunner(InProcessTaskRunner):
    """Sends committed tasks to the arq queue in Redis for `hiremebahamas worker` to run.

    Local tasks still run here. If Redis refuses a job, the task runs here instead: a
    committed request's email is better sent by the web process than not at all.
    """

    def __init__(self, context: TaskContext, redis: Redis) -> None:
        super().__init__(context)
        self.pool = arq_pool(redis)

    @property
    def uses_worker(self) -> bool:
        return True

    async def _send(self, calls: list[TaskCall]) -> None:
        await super()._send([call for call in calls if call.task.in_process])
        for call in calls:
            if call.task.in_process:
                continue
            try:
                await self.enqueue(call)
            except (RedisError, OSError):
                logger.warning("could not queue a task; running it in this process", extra={"task": call.name})
                await super()._send([call])

    async def queue_depth(self) -> int:
        """Jobs in the worker's queue (deferred ones included), for every instance at once."""
        return int(await self.pool.zcard(QUEUE_NAME))

    async def enqueue(self, call: TaskCall) -> None:
        await self.pool.enqueue_job(
            call.name,
            TaskArguments(call.kwargs),
            _job_id=call.id,
            _defer_by=timedelta(seconds=call.delay_seconds) if call.delay_seconds > 0 else None,
        )
