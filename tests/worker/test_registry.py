"""Every task a process may queue for the worker is one the worker knows: a queued task missing
from `worker_tasks()` would fail on the worker at every call (arq: function not found)."""

from __future__ import annotations

import importlib
import pkgutil

import hiremebahamas
from hiremebahamas.cli import worker_tasks
from hiremebahamas.core.tasks import Task


def _queued_tasks() -> dict[str, Task[...]]:
    found: dict[str, Task[...]] = {}
    for module_info in pkgutil.walk_packages(hiremebahamas.__path__, "hiremebahamas."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, Task) and not value.in_process:
                found[value.name] = value
    return found


def test_the_worker_knows_every_queued_task() -> None:
    queued = _queued_tasks()
    assert "store_viewers" in queued  # the walk reaches the domains' modules
    known = worker_tasks().tasks
    assert sorted(set(queued) - set(known)) == []
    assert all(known[name] is task for name, task in queued.items())
