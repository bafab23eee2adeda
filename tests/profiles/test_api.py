"""GET/PATCH /api/users/me and GET /api/users/{username}: editing a profile and who may see it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Skill
from tests.factories import Member
from tests.helpers import signed_up
from tests.profiles.factory import member, picture


async def _patch(client: httpx.AsyncClient, who: Member, **body: Any) -> httpx.Response:
    return await client.patch("/api/users/me", json=body, headers=who.headers)


async def _upload(client: httpx.AsyncClient, owner: Member, purpose: str = "avatar", data: bytes | None = None) -> str:
    """Through POST /api/uploads, as an app would."""
    files = {"file": ("me.png", data if data is not None else picture(), "image/png")}
    response = await client.post("/api/uploads", data={"purpose": purpose}, files=files, headers=owner.headers)
    assert response.status_code == 201, response.text
    upload_id: str = response.json()["id"]
    return upload_id


async def test_me_shows_account_and_default_profile(client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    response = await client.get("/api/users/me", headers=account.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "ann@example.com"
    profile = body["profile"]
    assert profile["username"] == body["user"]["username"] == "ann-rolle"
    assert profile["headline"] == profile["bio"] == ""
    assert profile["skills"] == profile["links"] == profile["experience"] == []
    assert profile["island"] is None
    assert profile["available_for_hire"] is False
    assert profile["visibility"] == "public"
    assert profile["followers_count"] == profile["following_count"] == 0
    response = await client.patch("/api/users/me", json={"headline": "Hi"})
    assert response.status_code == 401
    assert (await client.get("/api/users/me")).status_code == 401


async def test_patch_me_edits_profile_fields(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    response = await _patch(
        client,
        ann,
        first_name="Anna",
        headline="  Bookkeeper in Nassau ",
        bio="Ten years of small-business books.",
        island="new_providence",
        available_for_hire=True,
        skills=["  Customer   Service ", "QuickBooks", "customer service", ""],
        links=[{"url": "https://anna.example.com/work"}, {"label": "Blog", "url": "http://blog.example.com"}],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["first_name"] == "Anna"
    profile = body["profile"]
    assert profile["headline"] == "Bookkeeper in Nassau"
    assert profile["island"] == "new_providence"
    assert profile["island_label"] == "New Providence"
    assert profile["available_for_hire"] is True
    assert profile["skills"] == ["customer service", "quickbooks"]
    assert profile["links"] == [
        {"label": "anna.example.com", "url": "https://anna.example.com/work"},
        {"label": "Blog", "url": "http://blog.example.com"},
    ]
    public = (await client.get("/api/users/ann")).json()["profile"]
    assert public["headline"] == "Bookkeeper in Nassau"
    assert public["skills"] == ["customer service", "quickbooks"]
    assert "visibility" not in public
    assert "email" not in public

    # Leaving fields out keeps them; null clears the island.
    cleared = await _patch(client, ann, island=None, skills=["python"])
    assert cleared.json()["profile"]["headline"] == "Bookkeeper in Nassau"
    assert cleared.json()["profile"]["island"] is None
    assert cleared.json()["profile"]["skills"] == ["python"]


async def test_skills_are_shared_tags(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    assert (await _patch(client, ann, skills=["Python", "SQL"])).status_code == 200
    assert (await _patch(client, bob, skills=["python "])).status_code == 200
    async with runtime.database.sessionmaker() as session:
        count = (await session.execute(select(func.count()).select_from(Skill))).scalar_one()
    assert count == 2


BAD_EDITS: list[tuple[dict[str, Any], str]] = [
    ({"headline": "x" * 161}, "headline"),
    ({"bio": "x" * 2001}, "bio"),
    ({"island": "atlantis"}, "island"),
    ({"skills": [f"skill {n}" for n in range(31)]}, "skills"),
    ({"skills": ["x" * 61]}, "skills.0"),
    ({"links": [{"url": f"https://example.com/{n}"} for n in range(6)]}, "links"),
    ({"links": [{"url": "javascript:alert(1)"}]}, "links.0.url"),
    ({"links": [{"url": "https://ok.example.com"}, {"url": "ftp://files.example.com"}]}, "links.1.url"),
    ({"links": [{"url": "https://"}]}, "links.0.url"),
    ({"visibility": "secret"}, "visibility"),
    ({"first_name": ""}, "first_name"),
    ({"username": "No Spaces"}, "username"),
    ({"username": " ann"}, "username"),
]


async def test_invalid_profile_edits_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann", headline="Before")
    for body, field in BAD_EDITS:
        response = await _patch(client, ann, **body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] == "validation_error"
        assert field in response.json()["error"]["fields"], (body, response.text)
    reserved = await _patch(client, ann, username="Admin")  # the site's own: taken, in any case
    assert reserved.status_code == 409, reserved.text
    assert "reserved" in reserved.json()["error"]["fields"]["username"]
    # A request that fails half-way keeps none of its changes.
    await _patch(client, ann, skills=["python"])
    response = await _patch(client, ann, headline="After", skills=[f"s{n}" for n in range(31)])
    assert response.status_code == 422
    profile = (await client.get("/api/users/ann")).json()["profile"]
    assert profile["headline"] == "Before"
    assert profile["skills"] == ["python"]


async def test_username_change(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await member(runtime, "bob")
    spaced = await _patch(client, ann, username=" Ann-Pinder")  # as the schema says: no spaces
    assert spaced.status_code == 422
    response = await _patch(client, ann, username="Ann-Pinder")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "ann-pinder"
    assert (await client.get("/api/users/ann-pinder")).status_code == 200
    assert (await client.get("/api/users/ann")).status_code == 404
    taken = await _patch(client, ann, username="bob", headline="Not saved")
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "conflict"
    assert "username" in taken.json()["error"]["fields"]
    assert (await client.get("/api/users/ann-pinder")).json()["profile"]["headline"] == ""
    same = await _patch(client, ann, username="ann-pinder")
    assert same.status_code == 200


async def test_avatar_must_be_your_own_avatar_upload(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    bobs = await _upload(client, bob)
    post_image = await _upload(client, ann, "post_image")
    mine = await _upload(client, ann)
    not_yours = await _patch(client, ann, avatar_upload_id=bobs)
    assert not_yours.status_code == 404  # as if it did not exist
    assert "avatar_upload_id" in not_yours.json()["error"]["fields"]
    wrong_purpose = await _patch(client, ann, avatar_upload_id=post_image)
    assert wrong_purpose.status_code == 422
    assert "not as avatar" in wrong_purpose.json()["error"]["message"]
    missing = await _patch(client, ann, avatar_upload_id="0192e1d2-0000-7000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == not_yours.json()["error"]["message"]

    ok = await _patch(client, ann, avatar_upload_id=mine)
    assert ok.status_code == 200
    assert ok.json()["profile"]["avatar_upload_id"] == mine
    avatar_url = ok.json()["profile"]["avatar_url"]
    assert avatar_url == f"/media/{mine}/thumb"
    public = (await client.get("/api/users/ann")).json()["profile"]
    assert public["avatar_url"] == avatar_url
    image = await client.get(avatar_url)
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/")
    cleared = await _patch(client, ann, avatar_upload_id=None)
    assert cleared.json()["profile"]["avatar_url"] is None


async def test_members_only_profiles_are_hidden_from_visitors(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann", visibility="members", headline="Private person")
    bob = await member(runtime, "bob")
    anonymous = await client.get("/api/users/ann")
    assert anonymous.status_code == 404
    unknown = await client.get("/api/users/nobody-here")
    assert anonymous.json() == unknown.json()  # a hidden profile looks like a missing one
    assert (await client.get("/api/users/ann", headers=bob.headers)).json()["profile"]["headline"] == "Private person"
    assert (await client.get("/api/users/ann", headers=ann.headers)).status_code == 200
    await member(runtime, "gone", active=False)
    assert (await client.get("/api/users/gone")).status_code == 404  # suspended


async def test_blocks_hide_profiles_both_ways(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    assert (await client.post("/api/users/bob/block", headers=ann.headers)).status_code == 200
    assert (await client.get("/api/users/bob", headers=ann.headers)).status_code == 404
    assert (await client.get("/api/users/ann", headers=bob.headers)).status_code == 404
    assert (await client.get("/api/users/ann")).status_code == 200  # visitors are not affected


async def test_public_profile_says_whether_you_follow(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    assert (await client.get("/api/users/bob")).json()["profile"]["followed_by_me"] is None
    assert (await client.get("/api/users/bob", headers=ann.headers)).json()["profile"]["followed_by_me"] is False
    await client.post("/api/users/bob/follow", headers=ann.headers)
    profile = (await client.get("/api/users/bob", headers=ann.headers)).json()["profile"]
    assert profile["followed_by_me"] is True
    assert profile["followers_count"] == 1
    assert (await client.get("/api/users/bob", headers=bob.headers)).json()["profile"]["followed_by_me"] is None
