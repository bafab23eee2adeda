"""The contact form: who it emails, priority for paying members, what it refuses, its rate
limit and CSRF."""

from __future__ import annotations

from email.message import EmailMessage

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import emails_to, page_csrf, submit, text_of
from tests.jobs.conftest import business_subscription
from tests.profiles.factory import member
from tests.profiles.test_views import log_in

SUPPORT = "support@hiremebahamas.com"
MESSAGE = "I cannot find where to change my island.\nThanks!"


def body(message: EmailMessage) -> str:
    return text_of(message).replace("\r\n", "\n")


async def send(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    return await submit(client, "/contact", {"topic": "account", "message": MESSAGE, **form})


async def test_a_visitor_gives_an_email_and_gets_a_confirmation(client: httpx.AsyncClient, runtime: Runtime) -> None:
    page = await client.get("/contact")
    assert 'name="email"' in page.text
    response = await send(client, email="visitor@example.com")
    assert response.status_code == 303
    assert response.headers["location"] == "/contact/sent"
    (request,) = await emails_to(runtime, SUPPORT)
    assert request["Subject"] == "Support: My account and signing in"
    assert request["Reply-To"] == "visitor@example.com"
    assert "a visitor who was not signed in" in body(request)
    assert MESSAGE in body(request)
    (confirmation,) = await emails_to(runtime, "visitor@example.com")
    assert confirmation["Subject"] == "We received your message"
    assert MESSAGE in body(confirmation)


async def test_a_member_needs_no_email_field_and_free_is_not_priority(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    page = await client.get("/contact")
    assert 'name="email"' not in page.text
    assert ann.email in page.text
    # An address sent anyway is ignored: the answer goes to the account's.
    assert (await send(client, email="someone-else@example.com")).status_code == 303
    (request,) = await emails_to(runtime, SUPPORT)
    assert request["Subject"] == "Support: My account and signing in"
    assert request["Reply-To"] == ann.email
    assert "@ann, Free plan" in body(request)
    assert len(await emails_to(runtime, ann.email)) == 1
    assert await emails_to(runtime, "someone-else@example.com") == []


async def test_a_business_members_request_is_priority(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    async with runtime.database.sessionmaker.begin() as session:
        session.add(business_subscription(ann.id))
    await log_in(client, ann)
    assert (await send(client, topic="billing")).status_code == 303
    (request,) = await emails_to(runtime, SUPPORT)
    assert request["Subject"] == "[Priority] Support: Plans, payments and invoices"
    assert "PRIORITY: Business member." in body(request)


async def test_refusals_say_what_to_fix(client: httpx.AsyncClient, runtime: Runtime) -> None:
    cases = [
        ({"email": ""}, "Enter your email address so that we can answer you."),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.com", "topic": "gossip"}, "Choose one of the options."),
        ({"email": "a@example.com", "message": "Hi"}, "at least 10 characters"),
        ({"email": "a@example.com", "message": "x" * 5001}, "at most 5000 characters"),
        ({"email": "a@example.com", "message": "Hello\x00 there, help"}, "Remove the invisible control character"),
        ({"email": "a@example.com", "message": "Hello \u202e there, help"}, "U+202E"),
    ]
    for form, expected in cases:
        response = await send(client, **form)
        assert response.status_code == 422, form
        assert expected in response.text, form
    assert await emails_to(runtime, SUPPORT) == []


async def test_five_an_hour_per_address_then_a_clear_message(client: httpx.AsyncClient, runtime: Runtime) -> None:
    for _ in range(5):
        assert (await send(client, email="a@example.com")).status_code == 303
    over = await send(client, email="b@example.com")
    assert over.status_code == 429
    assert "Please wait an hour before sending another." in over.text
    assert len(await emails_to(runtime, SUPPORT)) == 5
    assert await emails_to(runtime, "b@example.com") == []


async def test_the_form_needs_its_csrf_token(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await page_csrf(client, "/contact")
    forged = await client.post("/contact", data={"topic": "account", "message": MESSAGE, "email": "a@example.com"})
    assert forged.status_code == 403
    assert await emails_to(runtime, SUPPORT) == []
