"""The profile page anonymous visitors see (/u/<name>) is kept like the API's answer
(profiles/cache.py): one query on a hit, every change and suspension shown at once."""

from __future__ import annotations

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import User
from hiremebahamas.web.rendering import FLASH_COOKIE
from tests.helpers import counted_queries
from tests.profiles.factory import member


def _count(result: str) -> float:
    sample = REGISTRY.get_sample_value("hmb_cache_requests_total", {"cache": "profile_page", "result": result})
    return sample or 0.0


async def test_a_repeated_anonymous_view_is_one_query_and_the_same_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await member(runtime, "ann-rolle", headline="Chef in Nassau")
    hits = _count("hit")
    first = await client.get("/u/ann-rolle")
    with counted_queries(runtime) as log:
        again = await client.get("/u/Ann-Rolle")
    assert first.status_code == again.status_code == 200
    assert again.text == first.text
    assert "Chef in Nassau" in again.text
    assert log.count == 1  # the visibility re-check instead of the whole profile's queries
    assert _count("hit") == hits + 1
    # Still shared with the CDN, as before it was kept.
    assert again.headers["cache-control"].startswith("public")
    assert "set-cookie" not in again.headers


async def test_an_edit_shows_at_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann-rolle", headline="Chef in Nassau")
    await client.get("/u/ann-rolle")
    changed = await client.patch("/api/users/me", json={"headline": "Head chef in Exuma"}, headers=ann.headers)
    assert changed.status_code == 200, changed.text
    page = await client.get("/u/ann-rolle")
    assert "Head chef in Exuma" in page.text
    assert "Chef in Nassau" not in page.text


async def test_a_suspension_made_in_the_database_hides_the_page_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann-rolle")
    assert (await client.get("/u/ann-rolle")).status_code == 200
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        await session.execute(update(User).where(User.id == ann.id).values(is_active=False))
    assert (await client.get("/u/ann-rolle")).status_code == 404


async def test_a_page_carrying_a_flash_message_is_neither_served_from_nor_kept_in_the_cache(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await member(runtime, "ann-rolle")
    misses, hits = _count("miss"), _count("hit")
    # A forged flash is ignored by the page, but the request still carries a personal cookie.
    flashed = await client.get("/u/ann-rolle", headers={"cookie": f"{FLASH_COOKIE}=info%3Ahello%7Cbad"})
    assert flashed.status_code == 200
    assert (_count("miss"), _count("hit")) == (misses, hits)
    await client.get("/u/ann-rolle")
    assert _count("miss") == misses + 1  # the flashed answer was not kept


async def test_signed_in_viewers_get_the_live_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "ann-rolle")
    viewer = await member(runtime, "bob-smith")
    await client.get("/u/ann-rolle")
    follow = await client.post("/api/users/ann-rolle/follow", headers=viewer.headers)
    assert follow.status_code in (200, 201, 204)
    with counted_queries(runtime) as log:
        page = await client.get("/u/ann-rolle", headers=viewer.headers)
    assert page.status_code == 200
    assert log.count > 1
    assert page.headers["cache-control"] == "private, no-store"
