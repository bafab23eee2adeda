"""Support requests from the contact form: one email to SUPPORT_EMAIL (Reply-To the sender, so
that answering reaches them) and a confirmation to the sender.

Signed-in members are known: their account's email is used and no address is asked for. A
request from a Pro or Business member is marked "[Priority]" in its subject. Nothing about an
anonymous sender's address is looked up, so the form's answers say nothing about which addresses
have accounts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import EmailStr, Field
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing.entitlements import plan_of
from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail, defer_email
from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.templating import render_text
from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.models import User

MIN_MESSAGE, MAX_MESSAGE = 10, 5000
EMAIL_NEEDED = "Enter your email address so that we can answer you."


class ContactTopic(StrEnum):
    ACCOUNT = "account"
    BILLING = "billing"
    JOBS = "jobs"
    SAFETY = "safety"
    BUG = "bug"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ContactTopic.ACCOUNT: "My account and signing in",
    ContactTopic.BILLING: "Plans, payments and invoices",
    ContactTopic.JOBS: "Jobs and applications",
    ContactTopic.SAFETY: "Safety, scams or abuse",
    ContactTopic.BUG: "Something does not work",
    ContactTopic.OTHER: "Something else",
}


class ContactIn(InputModel):
    topic: ContactTopic
    message: Annotated[MultiLine, Field(min_length=MIN_MESSAGE, max_length=MAX_MESSAGE)]
    email: EmailStr | None = None
    """Asked of visitors who are not signed in; a member's account email is used instead."""


async def send_support_request(session: AsyncSession, settings: Settings, sender: User | None, data: ContactIn) -> str:
    """Queue both emails (sent after the commit); returns the address the answer will go to."""
    if sender is None and data.email is None:
        raise ValidationFailed(EMAIL_NEEDED, fields={"email": EMAIL_NEEDED})
    reply_to = sender.email if sender is not None else str(data.email)
    plan = (await plan_of(session, sender.id)).tier if sender is not None else None
    priority = plan is not None and plan.is_paid
    subject = f"{'[Priority] ' if priority else ''}Support: {data.topic.label}"
    context = {
        "sender": sender,
        "plan": plan,
        "priority": priority,
        "reply_to": reply_to,
        "topic": data.topic,
        "message": data.message,
    }
    defer_email(
        session,
        OutgoingEmail(
            to=settings.support_email,
            subject=subject,
            text=render_text("support/emails/request.txt", **context),
            headers={"Reply-To": reply_to},
        ),
    )
    received = "We received your message"
    defer_email(
        session,
        OutgoingEmail(
            to=reply_to,
            subject=received,
            text=render_text("support/emails/received.txt", **context),
            html=render_text("support/emails/received.html", subject=received, **context),
        ),
    )
    return reply_to
