"""Background tasks of notifications: emails, sent only if the person still wants them."""

from __future__ import annotations

import uuid

from hiremebahamas.core import tasks
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.notifications import emails, preferences


@tasks.task
async def send_notification_email(
    context: tasks.TaskContext,
    *,
    user_id: str,
    type: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """The preference is read when the email goes out, so turning a type off also stops the
    emails already queued."""
    recipient = uuid.UUID(user_id)
    async with context.database.sessionmaker() as session:
        if not await preferences.wants_email(session, recipient, type):
            return
    message = OutgoingEmail(to=to, subject=subject, text=text, html=html, headers=headers or {})
    await context.email.send(emails.with_unsubscribe(context.settings, message, recipient, type))


def register(registry: tasks.TaskRegistry) -> None:
    registry.add(send_notification_email)
