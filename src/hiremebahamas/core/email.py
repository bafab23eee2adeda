"""Outgoing email: SMTP in production, `.eml` files in `var/outbox/` by default."""

from __future__ import annotations

import email.policy
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core import tasks


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class EmailSender(Protocol):
    async def send(self, message: OutgoingEmail) -> None: ...


def build_message(settings: Settings, outgoing: OutgoingEmail) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = settings.email_from
    message["To"] = outgoing.to
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="hiremebahamas.com")
    for name, value in outgoing.headers.items():
        message[name] = value
    message.set_content(outgoing.text)
    if outgoing.html is not None:
        message.add_alternative(outgoing.html, subtype="html")
    return message


class FileOutbox:
    """Writes each message as an `.eml` file; `/dev/outbox` lists them in development."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.directory = settings.outbox_dir

    async def send(self, message: OutgoingEmail) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(build_message(self.settings, message).as_bytes())
        temporary.rename(path)  # readers never see a half-written message

    def list_messages(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.eml"), reverse=True)


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: OutgoingEmail) -> None:
        settings = self.settings
        await aiosmtplib.send(
            build_message(settings, message),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )


def create_email_sender(settings: Settings) -> EmailSender:
    if settings.smtp_host:
        return SmtpSender(settings)
    return FileOutbox(settings)


def read_outbox_message(path: Path) -> EmailMessage:
    parser = BytesParser(_class=EmailMessage, policy=email.policy.default)
    return parser.parsebytes(path.read_bytes())


@tasks.task
async def send_email(
    context: tasks.TaskContext,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    await context.email.send(OutgoingEmail(to=to, subject=subject, text=text, html=html, headers=headers or {}))


def defer_email(session: AsyncSession, message: OutgoingEmail) -> None:
    """Send `message` once the current unit of work commits (never for a rolled-back one)."""
    tasks.defer(
        session,
        send_email,
        to=message.to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        headers=message.headers,
    )
