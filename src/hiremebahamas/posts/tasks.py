"""Background tasks of posts a worker runs: a new post's fan-out into its followers' timelines
(timelines.py, which also has the tasks the committing process runs itself)."""

from __future__ import annotations

from hiremebahamas.core.tasks import TaskRegistry
from hiremebahamas.posts import timelines


def register(registry: TaskRegistry) -> None:
    registry.add(timelines.fan_out_post)
