"""Creating notifications. Every feature that tells someone something goes through `notify`,
so delivery (in-app list, live push, email) is decided in one place."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import Notification


async def notify(
    session: AsyncSession,
    user_id: uuid.UUID,
    type_: str,
    *,
    actor_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> Notification | None:
    """Record a notification for `user_id`; nobody is notified of their own actions."""
    if actor_id is not None and actor_id == user_id:
        return None
    notification = Notification(user_id=user_id, type=type_, actor_id=actor_id, data=data or {})
    session.add(notification)
    return notification
