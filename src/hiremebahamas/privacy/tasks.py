"""The privacy domain's background work: building a data export (archive.py), and the periodic
runs that erase the accounts whose deletion became final and delete expired data exports."""

from __future__ import annotations

import logging
import uuid

from hiremebahamas.core import tasks
from hiremebahamas.core.storage import create_storage
from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.privacy.erasure import due_accounts, erase_account

logger = logging.getLogger(__name__)


async def erase_deleted_accounts(context: TaskContext) -> None:
    """One bounded batch (erasure.BATCH), each account in its own unit of work: one that fails
    is logged and tried again at the next run, the others are not held back."""
    async with context.database.sessionmaker() as session:
        due = await due_accounts(session)
    if not due:
        return
    storage = create_storage(context.settings)
    erased = 0
    try:
        for user_id in due:
            try:
                async with tasks.unit_of_work(context) as session:
                    erased += await erase_account(session, storage, user_id)
            except Exception:  # logged with its traceback; the next run tries again
                logger.exception("account erasure failed", extra={"user_id": str(user_id)})
    finally:
        await storage.close()
    logger.info("accounts erased", extra={"count": erased})


@tasks.task
async def build_data_export(context: TaskContext, *, export_id: str) -> None:
    """Build the ZIP of one data export and email its link (archive.build_archive)."""
    from hiremebahamas.privacy import archive  # archive defers this task, so it imports us

    storage = create_storage(context.settings)
    try:
        await archive.build_archive(context, storage, uuid.UUID(export_id))
    finally:
        await storage.close()


async def delete_expired_exports(context: TaskContext) -> None:
    """One bounded batch of expired data exports, files and rows (archive.delete_expired)."""
    from hiremebahamas.privacy import archive

    storage = create_storage(context.settings)
    try:
        async with tasks.unit_of_work(context) as session:
            deleted = await archive.delete_expired(session, storage)
    finally:
        await storage.close()
    if deleted:
        logger.info("expired data exports deleted", extra={"count": deleted})


def register(registry: TaskRegistry) -> None:
    registry.add(build_data_export)
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("privacy_schedule", erase_deleted_accounts, minutes=range(7, 60, 10))
    registry.every("privacy_exports", delete_expired_exports, minutes={43})
