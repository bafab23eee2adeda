"""A real SMTP server for tests (aiosmtpd): what it was handed, as parsed messages."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, Envelope, Session


class Inbox:
    """aiosmtpd handler that keeps every delivered envelope."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd hook
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        parser = BytesParser(_class=EmailMessage, policy=email.policy.default)
        return [parser.parsebytes(bytes(e.original_content or b"")) for e in self.envelopes]
