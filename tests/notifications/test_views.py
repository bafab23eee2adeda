"""Notification pages: the list and its badge, marking read, email settings."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.notifications.service import notify
from tests.factories import Member
from tests.helpers import page_csrf
from tests.messaging.people import member


def signed_in(client: httpx.AsyncClient, who: Member) -> None:
    client.cookies.clear()
    client.cookies.set("hmb_session", who.cookie)


def badge(html: str) -> str | None:
    match = re.search(r'data-live-badge="notifications"( hidden)?><span data-live-count>(\d+)<', html)
    assert match is not None
    return None if match.group(1) else match.group(2)


async def test_list_badge_and_mark_read(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        first = await notify(session, ann.id, "post.liked", actor_id=bob.id, data={"post_id": "p1"})
        await notify(session, ann.id, "post.commented", actor_id=bob.id, data={"post_id": "p1"})
    assert first is not None
    signed_in(client, ann)
    page = await client.get("/notifications")
    assert page.status_code == 200
    assert "Bob Rolle liked your post." in page.text
    assert 'href="/posts/p1"' in page.text
    assert badge(page.text) == "2"

    token = await page_csrf(client, "/notifications")
    response = await client.post(
        "/notifications/read", data={"id": str(first.id), "csrf_token": token, "next": "/notifications"}
    )
    assert response.status_code == 303
    assert badge((await client.get("/notifications")).text) == "1"
    unread = await client.get("/notifications?unread=1")
    assert "Bob Rolle commented on your post." in unread.text
    assert "liked your post" not in unread.text

    await client.post("/notifications/read", data={"all": "1", "csrf_token": token, "next": "https://evil.example/"})
    page = await client.get("/notifications")
    assert badge(page.text) is None
    assert "You are all caught up." in (await client.get("/notifications/_list?unread=1")).text
    bad = await client.post("/notifications/read", data={"id": "nope", "csrf_token": token})
    assert bad.status_code == 422
    assert (await client.post("/notifications/read", data={"all": "1"})).status_code == 403  # no CSRF token


async def test_email_settings_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    assert (await client.get("/account/notifications")).status_code == 303  # to the login page
    signed_in(client, ann)
    page = await client.get("/account/notifications")
    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == 7
    assert "/account/notifications" in (await client.get("/account")).text
    token = await page_csrf(client, "/account/notifications")
    # Only "message.created" stays ticked.
    response = await client.post("/account/notifications", data={"email": "message.created", "csrf_token": token})
    assert response.status_code == 303
    prefs = (await client.get("/api/notifications/preferences", headers=ann.headers)).json()["items"]
    assert {p["type"]: p["email"] for p in prefs} == {
        "application.created": False,
        "application.status_changed": False,
        "message.created": True,
        "subscription.updated": False,
        "lifecycle.welcome": False,
        "digest.weekly": False,
        "marketing_email": False,
    }


_TIME = re.compile(r"<time [^>]*>[^<]*</time>")


async def test_the_live_list_and_a_reload_tell_the_same_time(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        notification = await notify(session, ann.id, "post.liked", actor_id=bob.id, data={"post_id": "p1"})
        assert notification is not None
        notification.created_at -= timedelta(hours=3)
    signed_in(client, ann)
    page = await client.get("/notifications")
    fragment = await client.get("/notifications/_list")  # what live.js swaps in
    written = [time for time in _TIME.findall(page.text) if "3 hours ago" in time]
    assert len(written) == 1
    assert "(Nassau time)" in written[0]
    assert written[0] in fragment.text
