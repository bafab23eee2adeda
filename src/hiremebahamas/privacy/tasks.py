"""The privacy domain's periodic run: erase the accounts whose deletion became final."""

from __future__ import annotations

import logging

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


def register(registry: TaskRegistry) -> None:
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("privacy_schedule", erase_deleted_accounts, minutes=range(7, 60, 10))
