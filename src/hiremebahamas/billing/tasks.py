"""Billing's background work: the billing emails a webhook or a periodic run decided on, and
the periodic run of the payment-failed reminders and annual renewal reminders (reminders.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing import emails
from hiremebahamas.config import Settings
from hiremebahamas.core import tasks
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.models import User

_BUILDERS: dict[str, Callable[..., OutgoingEmail]] = {
    "receipt": emails.receipt,
    "payment_failed": emails.payment_failed,
    "renewal_reminder": emails.renewal_reminder,
    "cancellation_confirmed": emails.cancellation_confirmed,
    "plan_ended": emails.plan_ended,
}


def build(settings: Settings, user: User, kind: str, facts: dict[str, str | int | None]) -> OutgoingEmail:
    return _BUILDERS[kind](settings, user, **facts)


@tasks.task
async def send_billing_email(
    context: TaskContext, *, user_id: str, kind: str, facts: dict[str, str | int | None]
) -> None:
    """Rendered when sent, with the address the account has then. Not to an account being
    deleted: the deletion's own email says what happens to its plan."""
    async with context.database.sessionmaker() as session:
        user = await session.get(User, uuid.UUID(user_id))
    if user is None or user.deletion_requested_at is not None:
        return
    await context.email.send(build(context.settings, user, kind, facts))


def defer_billing_email(session: AsyncSession, user_id: uuid.UUID, kind: str, **facts: str | int | None) -> None:
    """Send one of billing/emails.py's emails once this unit of work commits."""
    tasks.defer(session, send_billing_email, user_id=str(user_id), kind=kind, facts=facts)


async def send_billing_reminders(context: TaskContext) -> None:
    from hiremebahamas.billing import reminders  # reminders defers send_billing_email

    async with tasks.unit_of_work(context) as session:
        await reminders.send_due(session, context.settings)


def register(registry: TaskRegistry) -> None:
    registry.add(send_billing_email)
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("billing_reminders", send_billing_reminders, minutes={17, 47})
