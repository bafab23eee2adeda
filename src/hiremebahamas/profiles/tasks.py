"""Background tasks of profiles a worker runs: storing who viewed whom, and forgetting it later."""

from __future__ import annotations

from hiremebahamas.core.tasks import TaskRegistry
from hiremebahamas.profiles import viewers


def register(registry: TaskRegistry) -> None:
    registry.add(viewers.store_viewers)
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every(viewers.PRUNE, viewers.forget_old_views, minutes=[17])
