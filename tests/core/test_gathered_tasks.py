"""Gathered tasks (core/tasks.py): the lists of many commits in one process make one call, sent
when the time is up, when enough items gathered, or when the runner drains."""

from __future__ import annotations

import asyncio
from typing import Any

from hiremebahamas.core import tasks
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.tasks import TaskCall

CALLS: list[list[Any]] = []


@tasks.gathered_task("items", seconds=60.0, most=3)
async def gathered_by_count(context: tasks.TaskContext, *, items: list[Any]) -> None:
    CALLS.append(items)


@tasks.gathered_task("items", seconds=0.05, most=100)
async def gathered_by_time(context: tasks.TaskContext, *, items: list[Any]) -> None:
    CALLS.append(items)


async def commit(runtime: Runtime, task: tasks.Task[...], *items: Any) -> None:
    await runtime.tasks.dispatch([TaskCall(task, {"items": list(items)})])


async def test_enough_items_are_sent_as_one_call_at_once(runtime: Runtime) -> None:
    CALLS.clear()
    await commit(runtime, gathered_by_count, "a")
    await commit(runtime, gathered_by_count, "b")
    await asyncio.sleep(0)
    assert CALLS == []  # waiting for more
    await commit(runtime, gathered_by_count, "c", "d")
    await asyncio.sleep(0.01)
    assert CALLS == [["a", "b", "c", "d"]]
    await commit(runtime, gathered_by_count, "e")
    await runtime.tasks.drain()  # a drain sends what is left without waiting out the minute
    assert CALLS == [["a", "b", "c", "d"], ["e"]]


async def test_what_gathered_is_sent_when_its_time_is_up(runtime: Runtime) -> None:
    CALLS.clear()
    await commit(runtime, gathered_by_time, 1)
    await commit(runtime, gathered_by_time, 2)
    await asyncio.sleep(0.2)
    assert CALLS == [[1, 2]]
    await commit(runtime, gathered_by_time, 3)  # the next commit starts the next gathering
    await asyncio.sleep(0.2)
    assert CALLS == [[1, 2], [3]]


async def test_gathering_of_one_task_does_not_hold_another_task(runtime: Runtime) -> None:
    CALLS.clear()
    await commit(runtime, gathered_by_count, "x")
    await commit(runtime, gathered_by_time, "y")
    await asyncio.sleep(0.2)
    assert CALLS == [["y"]]
    await runtime.tasks.close()
    assert CALLS == [["y"], ["x"]]  # stopping the process sends what it holds
