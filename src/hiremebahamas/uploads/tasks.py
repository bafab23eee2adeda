"""Background tasks of uploads: the hourly clean-up of pictures nothing uses (cleanup.py), and
virus scans of stored files (rescan.py): one held at upload, and the periodic re-scan."""

from __future__ import annotations

import uuid

from hiremebahamas.core.tasks import TaskContext, TaskRegistry, task
from hiremebahamas.uploads.cleanup import clean_uploads
from hiremebahamas.uploads.rescan import rescan_uploads, scan_held


async def clean_unused_uploads(context: TaskContext) -> None:
    await clean_uploads(context.settings, context.database)


async def rescan_stored_uploads(context: TaskContext) -> None:
    await rescan_uploads(context)


@task
async def scan_held_upload(context: TaskContext, *, upload_id: str) -> None:
    """Scan a file stored while clamd was down; a worker retries it while clamd stays away, and
    the periodic re-scan picks up any it gave up on."""
    await scan_held(context, uuid.UUID(upload_id))


def register(registry: TaskRegistry) -> None:
    registry.add(scan_held_upload)
    registry.every("clean_uploads", clean_unused_uploads, minutes={17})
    # The in-process schedule (app.py) runs the same every ten minutes without a worker.
    registry.every("rescan_uploads", rescan_stored_uploads, minutes=range(2, 60, 10))
