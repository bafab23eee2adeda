"""Helpers for driving the app the way a client does: register, read the email, verify, log in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

import httpx
from sqlalchemy import event

from hiremebahamas.core.email import FileOutbox, read_outbox_message
from hiremebahamas.core.runtime import Runtime

PASSWORD = "coral-reef-sunrise-42"
_LINK = re.compile(r"https?://\S+")


@dataclass
class Account:
    email: str
    password: str
    access_token: str = ""
    refresh_token: str = ""
    user: dict[str, Any] | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def emails_to(runtime: Runtime, address: str) -> list[EmailMessage]:
    """Messages sent to `address`, oldest first (waits for background sends to finish)."""
    await runtime.tasks.drain()
    assert isinstance(runtime.email, FileOutbox)
    messages = [read_outbox_message(path) for path in reversed(runtime.email.list_messages())]
    return [m for m in messages if m["To"] == address]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def link_in(message: EmailMessage, path: str) -> str:
    for link in _LINK.findall(text_of(message)):
        if urlparse(link).path == path:
            return str(link)
    raise AssertionError(f"no {path} link in {text_of(message)!r}")


def token_in(message: EmailMessage, path: str) -> str:
    return parse_qs(urlparse(link_in(message, path)).query)["token"][0]


async def register(
    client: httpx.AsyncClient,
    email: str = "ann@example.com",
    password: str = PASSWORD,
    account_type: str = "job_seeker",
    **extra: object,
) -> httpx.Response:
    body: dict[str, object] = {
        "email": email,
        "password": password,
        "first_name": "Ann",
        "last_name": "Rolle",
        "account_type": account_type,
    }
    return await client.post("/api/auth/register", json={**body, **extra})


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """Log in as a new device would: without the cookies of an earlier login."""
    client.cookies.clear()
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def signed_up(
    client: httpx.AsyncClient, runtime: Runtime, email: str = "ann@example.com", *, verified: bool = True, **extra: str
) -> Account:
    """A registered (and by default verified) account, logged in through the API."""
    response = await register(client, email, **extra)
    assert response.status_code == 201, response.text
    if verified:
        (message,) = await emails_to(runtime, email)
        verified_response = await client.post(
            "/api/auth/verify-email", json={"token": token_in(message, "/verify-email")}
        )
        assert verified_response.status_code == 200, verified_response.text
    response = await login(client, email)
    assert response.status_code == 200, response.text
    client.cookies.clear()  # API accounts authenticate with their bearer token only
    body = response.json()
    return Account(email, PASSWORD, body["access_token"], body["refresh_token"], body["user"])


# Signed-in pages carry it in a <meta> tag; anonymous ones only in their forms.
_CSRF_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">|name="csrf_token" value="([^"]+)"')


async def page_csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    """Open a page as a browser would and read the CSRF token it carries."""
    response = await client.get(path)
    match = _CSRF_TOKEN.search(response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


async def submit(client: httpx.AsyncClient, path: str, data: dict[str, str], page: str | None = None) -> httpx.Response:
    """Post a form the way the page's own form does, CSRF token included."""
    token = await page_csrf(client, page or path)
    return await client.post(path, data={**data, "csrf_token": token})


@dataclass
class QueryLog:
    """The SQL statements a block of code sent, for constant-query-count assertions."""

    statements: list[str]

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counted_queries(runtime: Runtime) -> Iterator[QueryLog]:
    log = QueryLog([])
    engine = runtime.database.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The analytics log is written by a task after the commit, which may or may not have run
        # by the end of the block: not the request's queries (analytics/events.py).
        if "analytics_" not in statement:
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)


class HasSessionCookie(Protocol):
    @property
    def cookie(self) -> str: ...


def sign_in(client: httpx.AsyncClient, who: HasSessionCookie | None) -> None:
    """Act as `who` in the browser (their session cookie), or as nobody."""
    client.cookies.clear()
    if who is not None:
        client.cookies.set("hmb_session", who.cookie)
