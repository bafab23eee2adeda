"""Background tasks of uploads: the hourly clean-up of pictures nothing uses (cleanup.py)."""

from __future__ import annotations

from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.uploads.cleanup import clean_uploads


async def clean_unused_uploads(context: TaskContext) -> None:
    await clean_uploads(context.settings, context.database)


def register(registry: TaskRegistry) -> None:
    registry.every("clean_uploads", clean_unused_uploads, minutes={17})
