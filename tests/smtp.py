"""A real SMTP server for tests (aiosmtpd): what it was handed, as parsed messages."""

from __future__ import annotations

import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.servers import free_port


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


@contextmanager
def running_smtp_server(authenticator: Any = None) -> Iterator[tuple[int, Inbox]]:
    """An SMTP server on a free loopback port until the block ends: (its port, its inbox)."""
    inbox = Inbox()
    port = free_port()
    options: dict[str, Any] = {"authenticator": authenticator, "auth_require_tls": False} if authenticator else {}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
