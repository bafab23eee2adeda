"""Who viewed a profile: a member opening someone else's profile (page or API) is noted once a
day, not themselves nor visitors; the weekly digest names the viewers, leaves out whoever is
blocked or gone, and old views are forgotten."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import insert, select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Block, ProfileViewer
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles import viewers
from tests.helpers import sign_in, text_of
from tests.jobs.conftest import Person, person, user_id
from tests.lifecycle.test_digest import _digests, _start


async def _rows(runtime: Runtime) -> list[tuple[uuid.UUID, uuid.UUID]]:
    await runtime.tasks.drain()  # the views gathered in this process go to the worker
    async with runtime.database.sessionmaker() as session:
        rows = await session.execute(select(ProfileViewer.profile_id, ProfileViewer.viewer_id))
    return sorted((profile_id, viewer_id) for profile_id, viewer_id in rows)


async def test_a_member_looking_is_noted_once_a_day(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    eve = await person(runtime, "eve@example.com", first_name="Eve")
    for _ in range(2):
        sign_in(client, eve)
        assert (await client.get(f"/u/{sam.username}")).status_code == 200
        sign_in(client, None)
        assert (await client.get(f"/api/users/{sam.username}", headers=eve.headers)).status_code == 200
    assert (await client.get(f"/api/users/{sam.username}", headers=sam.headers)).status_code == 200  # oneself
    assert (await client.get(f"/api/users/{sam.username}")).status_code == 200  # a visitor
    assert (await client.get(f"/u/{eve.username}")).status_code == 200
    assert await _rows(runtime) == [(sam.id, eve.id)]


async def test_a_refused_profile_notes_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    eve = await person(runtime, "eve@example.com", first_name="Eve")
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Block(blocker_id=user_id(sam), blocked_id=user_id(eve)))
    assert (await client.get(f"/api/users/{sam.username}", headers=eve.headers)).status_code == 404
    assert (await client.get("/api/users/nobody-here", headers=eve.headers)).status_code == 404
    assert await _rows(runtime) == []


async def _viewed(runtime: Runtime, profile: Person, viewer: Person, days_ago: int = 0) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        day = utcnow().date() - timedelta(days=days_ago)
        await session.execute(
            insert(ProfileViewer), [{"profile_id": user_id(profile), "viewer_id": user_id(viewer), "day": day}]
        )


async def test_the_digest_names_who_viewed_you(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    eve = await person(runtime, "eve@example.com", first_name="Eve")
    ian = await person(runtime, "ian@example.com", first_name="Ian")
    old = await person(runtime, "old@example.com", first_name="Olga")
    rude = await person(runtime, "rude@example.com", first_name="Rudy")
    for viewer in (eve, ian, rude):
        await _viewed(runtime, sam, viewer)
    await _viewed(runtime, sam, eve, days_ago=1)  # another day: still one person
    await _viewed(runtime, sam, old, days_ago=12)  # before the week
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Block(blocker_id=user_id(sam), blocked_id=user_id(rude)))
    await _start(runtime)
    (message,) = await _digests(runtime, sam)
    text = text_of(message)
    assert "2 people viewed your profile:" in text
    assert "- Eve Rolle" in text
    assert "- Ian Rolle" in text
    assert "Olga" not in text
    assert "Rudy" not in text
    assert await _digests(runtime, eve) == []  # viewing someone is no news for the viewer


async def test_views_of_an_erased_account_are_dropped_and_old_ones_forgotten(runtime: Runtime) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    eve = await person(runtime, "eve@example.com", first_name="Eve")
    gone = "0190a0a0-0000-7000-8000-000000000000"  # no such account (erased meanwhile)
    sam_id, eve_id = str(sam.id), str(eve.id)
    today = utcnow().date().isoformat()
    views = [
        {"profile_id": sam_id, "viewer_id": eve_id, "day": today},
        {"profile_id": sam_id, "viewer_id": eve_id, "day": today},
        {"profile_id": sam_id, "viewer_id": gone, "day": today},
        {"profile_id": gone, "viewer_id": eve_id, "day": today},
    ]
    await viewers.store_viewers(runtime.tasks.context, views)
    assert await _rows(runtime) == [(sam.id, eve.id)]
    await _viewed(runtime, eve, sam, days_ago=viewers.VIEWERS_KEPT_DAYS + 1)
    await viewers.forget_old_views(runtime.tasks.context)
    assert await _rows(runtime) == [(sam.id, eve.id)]
    await viewers.forget_old_views(runtime.tasks.context, utcnow() + timedelta(days=viewers.VIEWERS_KEPT_DAYS + 1))
    assert await _rows(runtime) == []
