"""Notification emails: sent after the commit only, only when wanted, with one-click unsubscribe;
the email about a message still unread after 15 minutes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlalchemy import select

from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.messaging.tasks import email_unread_message
from hiremebahamas.models import Message
from hiremebahamas.notifications.service import notify
from tests.factories import Member
from tests.helpers import emails_to, text_of
from tests.messaging.people import member


def application_email(to: Member) -> OutgoingEmail:
    return OutgoingEmail(
        to=to.email,
        subject="New application for Chef",
        text="Ann applied.",
        html="<html><body><p>Ann applied.</p></body></html>",
    )


async def notify_with_email(runtime: Runtime, recipient: Member, actor: Member, *, fail: bool = False) -> None:
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        await notify(
            session, recipient.id, "application.created", actor_id=actor.id, email=application_email(recipient)
        )
        if fail:
            raise RuntimeError("the request failed after notifying")


async def test_the_email_goes_out_after_commit_with_an_unsubscribe_link(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    await notify_with_email(runtime, bob, ann)
    (message,) = await emails_to(runtime, bob.email)
    assert message["Subject"] == "New application for Chef"
    one_click = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert urlparse(one_click).path == "/api/notifications/unsubscribe"
    text = text_of(message)
    page = re.search(r"Unsubscribe: (\S+)", text)
    assert page is not None
    assert urlparse(page.group(1)).path == "/notifications/unsubscribe"
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "Unsubscribe</a>" in html.get_content()

    # One click from the mail client: no sign-in, no CSRF token.
    token = parse_qs(urlparse(one_click).query)["token"][0]
    response = await client.post("/api/notifications/unsubscribe", params={"token": token})
    assert response.status_code == 200
    assert response.json() == {"type": "application.created", "email": False}
    await notify_with_email(runtime, bob, ann)
    assert len(await emails_to(runtime, bob.email)) == 1  # no second email
    assert len((await client.get("/api/notifications", headers=bob.headers)).json()["items"]) == 2


async def test_a_rolled_back_request_sends_nothing(runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    with pytest.raises(RuntimeError):
        await notify_with_email(runtime, bob, ann, fail=True)
    assert await emails_to(runtime, bob.email) == []


async def test_turned_off_in_settings_means_no_email(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    await client.put(
        "/api/notifications/preferences", json={"email": {"application.created": False}}, headers=bob.headers
    )
    await notify_with_email(runtime, bob, ann)
    assert await emails_to(runtime, bob.email) == []


async def test_bad_unsubscribe_tokens_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    for token in ("", "garbage", "abc.def", "YWJj.Zm9v"):
        response = await client.post("/api/notifications/unsubscribe", params={"token": token})
        assert response.status_code == 400, token
        assert response.json()["error"]["code"] == "invalid_token"


async def test_unsubscribe_page_and_undo(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    await notify_with_email(runtime, bob, ann)
    (message,) = await emails_to(runtime, bob.email)
    link = re.search(r"Unsubscribe: (\S+)", text_of(message))
    assert link is not None
    page = await client.get(link.group(1).removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "You are unsubscribed" in page.text
    token = parse_qs(urlparse(link.group(1)).query)["token"][0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    undo = await client.post("/notifications/unsubscribe", data={"token": token, "csrf_token": csrf.group(1)})
    assert "Emails are back on" in undo.text
    prefs = (await client.get("/api/notifications/preferences", headers=bob.headers)).json()["items"]
    assert {p["type"]: p["email"] for p in prefs}["application.created"] is True


async def start(client: httpx.AsyncClient, sender: Member, recipient: Member, body: str) -> str:
    response = await client.post(
        "/api/conversations", json={"recipient": recipient.username, "body": body}, headers=sender.headers
    )
    assert response.status_code == 201
    conversation_id: str = response.json()["conversation"]["id"]
    return conversation_id


async def test_a_message_unread_for_15_minutes_is_emailed_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    conversation_id = await start(client, ann, bob, "Can you start Monday?")
    await client.post(
        f"/api/conversations/{conversation_id}/messages", json={"body": "And bring your CV."}, headers=ann.headers
    )
    assert await emails_to(runtime, bob.email) == []  # not before the 15 minutes
    assert await runtime.tasks.run_delayed_now() == 1  # one per unread stretch, not per message
    (message,) = await emails_to(runtime, bob.email)
    assert message["Subject"] == "Ann Rolle sent you a message on HireMeBahamas"
    assert "Can you start Monday?" in text_of(message)
    assert f"/messages/{conversation_id}" in text_of(message)
    assert message["List-Unsubscribe"]
    # Run twice (a redelivered job): still one email.
    async with runtime.database.sessionmaker() as session:
        first = (await session.execute(select(Message).order_by(Message.created_at).limit(1))).scalar_one_or_none()
    assert first is not None
    await email_unread_message(
        runtime.tasks.context, conversation_id=conversation_id, recipient_id=str(bob.id), message_id=str(first.id)
    )
    assert len(await emails_to(runtime, bob.email)) == 1
    assert await emails_to(runtime, ann.email) == []


async def test_no_email_when_read_in_time_or_turned_off(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Cat")
    conversation_id = await start(client, ann, bob, "Quick question")
    await client.post(f"/api/conversations/{conversation_id}/read", headers=bob.headers)
    await client.put("/api/notifications/preferences", json={"email": {"message.created": False}}, headers=cat.headers)
    await start(client, ann, cat, "Hello Cat")
    assert await runtime.tasks.run_delayed_now() == 2
    assert await emails_to(runtime, bob.email) == []
    assert await emails_to(runtime, cat.email) == []
