"""Email over real SMTP (aiosmtpd), the file outbox, and sending only after the unit of work commits."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from prometheus_client import REGISTRY
from sqlalchemy.exc import IntegrityError

from hiremebahamas.core.email import FileOutbox, OutgoingEmail, SmtpSender, defer_email, read_outbox_message
from hiremebahamas.core.errors import Conflict
from hiremebahamas.core.observability import JsonFormatter
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.models import AccountType, User
from tests.conftest import make_settings
from tests.servers import free_port
from tests.smtp import Inbox, running_smtp_server

MESSAGE = OutgoingEmail(
    to="ann@example.com",
    subject="Welcome to HireMeBahamas",
    text="Hello Ann,\nyour account is ready.",
    html="<p>Hello Ann,<br>your account is <b>ready</b>.</p>",
    headers={"X-Campaign": "welcome"},
)


def _check_credentials(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"relay", b"relay-pw")
    return AuthResult(success=ok, handled=False)  # unhandled: the server answers 535 itself


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    with running_smtp_server(_check_credentials) as server:
        yield server


def _parts(message: EmailMessage) -> dict[str, str]:
    """Each leaf part's text, with the wire format's CRLF line ends read back as newlines."""
    return {
        part.get_content_type(): part.get_content().replace("\r\n", "\n")
        for part in message.walk()
        if not part.is_multipart()
    }


def _assert_is_the_welcome_mail(message: EmailMessage) -> None:
    assert message["From"] == "HireMeBahamas <no-reply@hiremebahamas.com>"
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "Welcome to HireMeBahamas"
    assert message["X-Campaign"] == "welcome"
    assert message["Message-ID"].endswith("@hiremebahamas.com>")
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    parts = _parts(message)
    assert parts["text/plain"].strip() == MESSAGE.text
    assert parts["text/html"].strip() == MESSAGE.html


async def test_smtp_sender_delivers_text_and_html(smtp_server: tuple[int, Inbox], tmp_path: Path) -> None:
    port, inbox = smtp_server
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, var_dir=tmp_path)
    await SmtpSender(settings).send(MESSAGE)
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "no-reply@hiremebahamas.com"
    assert envelope.rcpt_tos == ["ann@example.com"]
    (message,) = inbox.messages()
    _assert_is_the_welcome_mail(message)


async def test_smtp_sender_logs_in_with_the_configured_credentials(
    smtp_server: tuple[int, Inbox], tmp_path: Path
) -> None:
    port, inbox = smtp_server
    common: dict[str, Any] = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False, "var_dir": tmp_path}
    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await SmtpSender(make_settings(smtp_username="relay", smtp_password="wrong", **common)).send(MESSAGE)
    assert inbox.envelopes == []
    await SmtpSender(make_settings(smtp_username="relay", smtp_password="relay-pw", **common)).send(MESSAGE)
    assert len(inbox.envelopes) == 1


async def test_smtp_sender_refuses_to_send_in_clear_when_starttls_is_required(
    smtp_server: tuple[int, Inbox], tmp_path: Path
) -> None:
    port, inbox = smtp_server  # this server offers no STARTTLS
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=True, var_dir=tmp_path)
    with pytest.raises(aiosmtplib.SMTPException, match=r"(?i)starttls"):
        await SmtpSender(settings).send(MESSAGE)
    assert inbox.envelopes == []


async def test_file_outbox_writes_a_parseable_eml(tmp_path: Path) -> None:
    outbox = FileOutbox(make_settings(var_dir=tmp_path))
    await outbox.send(MESSAGE)
    await outbox.send(OutgoingEmail(to="bob@example.com", subject="Second", text="Later"))
    newest, oldest = outbox.list_messages()
    assert newest.parent == tmp_path / "outbox"
    assert sorted(path.suffix for path in (tmp_path / "outbox").iterdir()) == [".eml", ".eml"]  # no .tmp left
    _assert_is_the_welcome_mail(read_outbox_message(oldest))
    assert read_outbox_message(newest)["Subject"] == "Second"


async def _sent_to(runtime: Runtime, address: str) -> list[str]:
    await runtime.tasks.drain()
    assert isinstance(runtime.email, FileOutbox)
    subjects = []
    for path in runtime.email.list_messages():
        message = read_outbox_message(path)
        if message["To"] == address:
            subjects.append(str(message["Subject"]))
    return subjects


async def _defer(runtime: Runtime, to: str, subject: str, error: Exception | None = None) -> None:
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        defer_email(session, OutgoingEmail(to=to, subject=subject, text="t"))
        if error is not None:
            raise error


async def test_email_is_sent_only_after_the_commit(runtime: Runtime) -> None:
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        defer_email(session, OutgoingEmail(to="ok@example.com", subject="Committed", text="t"))
        assert await _sent_to(runtime, "ok@example.com") == []  # not while the transaction is open
    assert await _sent_to(runtime, "ok@example.com") == ["Committed"]


async def test_email_of_a_failed_unit_of_work_is_never_sent(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError):
        await _defer(runtime, "crash@example.com", "Crashed", RuntimeError("boom"))
    with pytest.raises(Conflict):
        await _defer(runtime, "crash@example.com", "Refused", Conflict())
    # The next unit of work must not pick up the dropped tasks either.
    await _defer(runtime, "next@example.com", "Next")
    assert await _sent_to(runtime, "crash@example.com") == []
    assert await _sent_to(runtime, "next@example.com") == ["Next"]


async def _register(runtime: Runtime, email: str) -> None:
    """A sign-up that sends a welcome mail; nothing is flushed before the commit itself."""
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        session.add(
            User(
                email=email,
                username=email.split("@")[0].replace(".", "-"),
                password_hash="x",
                first_name="A",
                last_name="R",
                account_type=AccountType.EMPLOYER,
            )
        )
        defer_email(session, OutgoingEmail(to=email, subject="Welcome", text="t"))


async def test_email_of_a_write_that_fails_to_commit_is_never_sent(runtime: Runtime) -> None:
    await _register(runtime, "dup@example.com")
    with pytest.raises(IntegrityError):
        await _register(runtime, "dup@example.com")  # the duplicate only fails in the commit
    assert await _sent_to(runtime, "dup@example.com") == ["Welcome"]


async def test_a_kept_refusal_still_sends_its_email(runtime: Runtime) -> None:
    refusal = Conflict()
    refusal.keep_changes = True
    with pytest.raises(Conflict):
        await _defer(runtime, "kept@example.com", "Recorded", refusal)
    assert await _sent_to(runtime, "kept@example.com") == ["Recorded"]


def _failures() -> float:
    return REGISTRY.get_sample_value("background_task_failures_total", {"task": "send_email"}) or 0.0


async def test_a_failing_task_is_logged_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A relay that refuses connections: the send fails for real.
    settings = make_settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        var_dir=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_starttls=False,
        smtp_timeout_seconds=5,
    )
    runtime = create_runtime(settings)
    before = _failures()
    try:
        with caplog.at_level(logging.ERROR, logger="hiremebahamas.core.tasks"):
            await _defer(runtime, "secret.person@example.com", "Your link")
            await runtime.tasks.drain()  # returns: the failure stays inside the task
            await _defer(runtime, "other@example.com", "Again")
            await runtime.tasks.drain()
    finally:
        await runtime.close()

    assert _failures() - before == 2
    records = [r for r in caplog.records if r.name == "hiremebahamas.core.tasks"]
    assert len(records) == 2
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["message"] == "task failed"
    assert line["task"] == "send_email"
    assert "to" in line["task_args"]
    assert "SMTPConnectError" in line["exception"]
    assert "secret.person@example.com" not in json.dumps(line)  # argument values can be personal data
