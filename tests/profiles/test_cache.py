"""Public profiles seen anonymously are cached for CACHE_USER_TTL, and every change shows at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import User
from tests.factories import Member
from tests.helpers import counted_queries
from tests.profiles.factory import member, picture

EXPERIENCE = {"title": "Line cook", "company_name": "Graycliff", "start_date": "2020-01-01"}
EDUCATION = {"school": "University of The Bahamas", "degree": "BA"}


async def warm(client: httpx.AsyncClient, username: str) -> dict[str, Any]:
    """Fetch a profile anonymously twice; the second answer comes from the cache."""
    first = await client.get(f"/api/users/{username}")
    assert first.status_code == 200, first.text
    again = await client.get(f"/api/users/{username}")
    assert again.json() == first.json()
    profile: dict[str, Any] = first.json()["profile"]
    return profile


async def anonymous(client: httpx.AsyncClient, username: str) -> httpx.Response:
    return await client.get(f"/api/users/{username}")


async def test_anonymous_views_are_served_from_the_cache(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "ann-rolle", headline="Chef in Nassau")
    first = await client.get("/api/users/Ann-Rolle")
    with counted_queries(runtime) as log:
        again = await client.get("/api/users/ann-rolle")
    assert again.json() == first.json()
    assert log.count == 1  # the visibility re-check instead of the whole profile's queries


async def _patch(client: httpx.AsyncClient, who: Member, body: dict[str, Any]) -> None:
    response = await client.patch("/api/users/me", json=body, headers=who.headers)
    assert response.status_code == 200, response.text


Change = Callable[[httpx.AsyncClient, Member], Awaitable[None]]


async def _add_experience(client: httpx.AsyncClient, who: Member) -> None:
    assert (await client.post("/api/users/me/experience", json=EXPERIENCE, headers=who.headers)).status_code == 201


async def _add_education(client: httpx.AsyncClient, who: Member) -> None:
    assert (await client.post("/api/users/me/education", json=EDUCATION, headers=who.headers)).status_code == 201


async def _new_avatar(client: httpx.AsyncClient, who: Member) -> None:
    files = {"file": ("me.png", picture(), "image/png")}
    upload = await client.post("/api/uploads", data={"purpose": "avatar"}, files=files, headers=who.headers)
    assert upload.status_code == 201, upload.text
    await _patch(client, who, {"avatar_upload_id": upload.json()["id"]})


async def _headline(client: httpx.AsyncClient, who: Member) -> None:
    await _patch(client, who, {"headline": "Head chef in Exuma"})


async def _names(client: httpx.AsyncClient, who: Member) -> None:
    await _patch(client, who, {"first_name": "Annie"})


async def _skills(client: httpx.AsyncClient, who: Member) -> None:
    await _patch(client, who, {"skills": ["Pastry"]})


async def _links(client: httpx.AsyncClient, who: Member) -> None:
    await _patch(client, who, {"links": [{"label": "Site", "url": "https://ann.example"}]})


Shown = Callable[[dict[str, Any]], bool]


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (_headline, lambda p: p["headline"] == "Head chef in Exuma"),
        (_names, lambda p: p["first_name"] == "Annie"),
        (_skills, lambda p: p["skills"] == ["pastry"]),
        (_links, lambda p: p["links"] == [{"label": "Site", "url": "https://ann.example"}]),
        (_add_experience, lambda p: [e["title"] for e in p["experience"]] == ["Line cook"]),
        (_add_education, lambda p: [e["school"] for e in p["education"]] == ["University of The Bahamas"]),
        (_new_avatar, lambda p: p["avatar_url"] is not None),
    ],
)
async def test_every_change_to_a_profile_shows_to_anonymous_visitors_at_once(
    client: httpx.AsyncClient, runtime: Runtime, change: Change, shown: Shown
) -> None:
    ann = await member(runtime, "ann-rolle", headline="Chef in Nassau")
    assert not shown(await warm(client, "ann-rolle"))
    await change(client, ann)
    assert shown((await anonymous(client, "ann-rolle")).json()["profile"])


async def test_editing_and_removing_entries_show_at_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann-rolle")
    entry = (await client.post("/api/users/me/experience", json=EXPERIENCE, headers=ann.headers)).json()["experience"]
    await warm(client, "ann-rolle")
    path = f"/api/users/me/experience/{entry['id']}"
    assert (await client.patch(path, json={"title": "Sous chef"}, headers=ann.headers)).status_code == 200
    assert (await anonymous(client, "ann-rolle")).json()["profile"]["experience"][0]["title"] == "Sous chef"
    await warm(client, "ann-rolle")
    assert (await client.delete(path, headers=ann.headers)).status_code == 204
    assert (await anonymous(client, "ann-rolle")).json()["profile"]["experience"] == []


async def test_switching_to_members_only_hides_the_profile_at_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann-rolle")
    await warm(client, "ann-rolle")
    await _patch(client, ann, {"visibility": "members"})
    assert (await anonymous(client, "ann-rolle")).status_code == 404
    # Back to public: shown again, not a 404 that stuck.
    await _patch(client, ann, {"visibility": "public"})
    assert (await anonymous(client, "ann-rolle")).status_code == 200


async def test_a_rename_frees_the_old_name_and_shows_the_new_one_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann-rolle", headline="Chef")
    await warm(client, "ann-rolle")
    assert (await anonymous(client, "ann-chef")).status_code == 404
    await _patch(client, ann, {"username": "ann-chef"})
    assert (await anonymous(client, "ann-rolle")).status_code == 404
    assert (await anonymous(client, "ann-chef")).json()["profile"]["username"] == "ann-chef"
    # Someone else taking the old name is shown as themselves, not as Ann.
    bea = await member(runtime, "bea-knowles", first_name="Bea")
    await _patch(client, bea, {"username": "ann-rolle"})
    assert (await anonymous(client, "ann-rolle")).json()["profile"]["first_name"] == "Bea"


async def test_a_suspended_account_disappears_at_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann-rolle")
    await warm(client, "ann-rolle")
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        await session.execute(update(User).where(User.id == ann.id).values(is_active=False))
    assert (await anonymous(client, "ann-rolle")).status_code == 404


async def test_refusals_are_never_cached(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "quiet-one", visibility="members")
    assert (await anonymous(client, "quiet-one")).status_code == 404
    assert (await anonymous(client, "new-person")).status_code == 404
    await member(runtime, "new-person")  # registered after the 404
    assert (await anonymous(client, "new-person")).status_code == 200


async def test_the_author_and_members_always_get_it_fresh(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann-rolle", headline="Chef in Nassau")
    viewer = await member(runtime, "bob-smith")
    await warm(client, "ann-rolle")
    follow = await client.post("/api/users/ann-rolle/follow", headers=viewer.headers)
    assert follow.status_code in (200, 201, 204)
    seen = await client.get("/api/users/ann-rolle", headers=viewer.headers)
    assert seen.json()["profile"]["followers_count"] == 1
    own = await client.get("/api/users/ann-rolle", headers=ann.headers)
    assert own.json()["profile"]["followers_count"] == 1
    # Counts are the one thing anonymous visitors may see late (documented in profiles/cache.py).
    assert (await anonymous(client, "ann-rolle")).json()["profile"]["followers_count"] == 0


async def test_hits_and_misses_are_counted(client: httpx.AsyncClient, runtime: Runtime) -> None:
    def count(result: str) -> float:
        return REGISTRY.get_sample_value("hmb_cache_requests_total", {"cache": "profile", "result": result}) or 0.0

    ann = await member(runtime, "ann-rolle")
    before = [count(result) for result in ("hit", "miss", "bypass")]
    await warm(client, "ann-rolle")  # a miss, then a hit
    await client.get("/api/users/ann-rolle", headers=ann.headers)  # signed in: never from the cache
    assert [count(result) - earlier for result, earlier in zip(("hit", "miss", "bypass"), before, strict=True)] == [
        1,
        1,
        1,
    ]
