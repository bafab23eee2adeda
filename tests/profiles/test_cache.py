"""Public profiles seen anonymously are cached for CACHE_USER_TTL; signed-in viewers never are."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import counted_queries
from tests.profiles.factory import member


async def test_anonymous_profile_views_are_cached_and_the_author_sees_changes_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann-rolle", headline="Chef in Nassau")
    viewer = await member(runtime, "bob-smith")
    first = await client.get("/api/users/Ann-Rolle")
    assert first.status_code == 200
    assert first.json()["profile"]["headline"] == "Chef in Nassau"
    with counted_queries(runtime) as log:
        again = await client.get("/api/users/ann-rolle")
    assert again.json() == first.json()
    assert log.count == 0  # served from the cache

    changed = await client.patch("/api/users/me", json={"headline": "Head chef in Exuma"}, headers=ann.headers)
    assert changed.status_code == 200
    own = await client.get("/api/users/ann-rolle", headers=ann.headers)
    assert own.json()["profile"]["headline"] == "Head chef in Exuma"  # the author: fresh at once
    other = await client.get("/api/users/ann-rolle", headers=viewer.headers)
    assert other.json()["profile"]["headline"] == "Head chef in Exuma"  # signed in: never cached
    stale = await client.get("/api/users/ann-rolle")
    assert stale.json()["profile"]["headline"] == "Chef in Nassau"  # anonymous: until the TTL ends

    await runtime.store.delete("profile:anonymous:ann-rolle")  # as the TTL's end does
    fresh = await client.get("/api/users/ann-rolle")
    assert fresh.json()["profile"]["headline"] == "Head chef in Exuma"


async def test_members_only_profiles_are_not_cached_for_anyone(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "quiet-one", visibility="members")
    assert (await client.get("/api/users/quiet-one")).status_code == 404
    assert await runtime.store.get("profile:anonymous:quiet-one") is None
