"""The API's side of the terms: registration records the version, GET /api/users/me tells when
a newer one is in force, POST /api/legal/terms/accept accepts it."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.legal.documents import current_terms_version
from hiremebahamas.models import User
from tests.helpers import register
from tests.staff.conftest import make_member


async def _set_version(runtime: Runtime, user_id: object, version: str | None) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == user_id).values(terms_accepted_version=version))


async def test_registering_records_the_current_version(client: httpx.AsyncClient, runtime: Runtime) -> None:
    old_client = await register(client, "old@example.com")  # no accept_terms: older clients accept as before
    new_client = await register(client, "new@example.com", accept_terms=True)
    assert old_client.status_code == new_client.status_code == 201
    async with runtime.database.sessionmaker() as session:
        for email in ("old@example.com", "new@example.com"):
            user = (await session.execute(User.__table__.select().where(User.email == email))).one()
            assert user.terms_accepted_version == current_terms_version(runtime.settings)
            assert user.terms_accepted_at is not None


async def test_refusing_the_terms_refuses_the_registration(client: httpx.AsyncClient) -> None:
    refused = await register(client, "no@example.com", accept_terms=False)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {
        "accept_terms": "To join, accept the Terms of Service and the Privacy Policy."
    }
    malformed = await register(client, "odd@example.com", accept_terms="maybe")
    assert malformed.status_code == 422


async def test_me_tells_of_a_newer_version_and_accepting_it_clears_that(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await make_member(runtime, "ann")
    await _set_version(runtime, ann.id, "2020-01-01")
    me = await client.get("/api/users/me", headers=ann.headers)
    assert me.status_code == 200
    assert me.json()["terms_acceptance_required"] is True
    assert (await client.get("/api/feed", headers=ann.headers)).status_code == 200  # never blocked

    documents = (await client.get("/api/legal/documents")).json()["items"]
    assert [item["slug"] for item in documents] == ["terms", "privacy", "cookies", "refunds"]
    version = documents[0]["version"]
    assert documents[0]["url"] == "http://testserver/terms"

    accepted = await client.post("/api/legal/terms/accept", json={"version": version}, headers=ann.headers)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["terms_accepted_version"] == version
    assert body["terms_acceptance_required"] is False
    again = await client.post("/api/legal/terms/accept", json={"version": version}, headers=ann.headers)
    assert again.status_code == 200
    assert again.json()["terms_accepted_at"] == body["terms_accepted_at"]  # a duplicate changes nothing
    assert (await client.get("/api/users/me", headers=ann.headers)).json()["terms_acceptance_required"] is False


async def test_accepting_is_refused_for_a_stale_version_a_bad_body_or_nobody(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await make_member(runtime, "ann")
    await _set_version(runtime, ann.id, "2020-01-01")
    stale = await client.post("/api/legal/terms/accept", json={"version": "2020-01-01"}, headers=ann.headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    for body in ({}, {"version": ""}, {"version": "2026\x00"}, {"version": 5}, {"version": "x" * 41}):
        refused = await client.post("/api/legal/terms/accept", json=body, headers=ann.headers)
        assert refused.status_code == 422, body
    anonymous = await client.post("/api/legal/terms/accept", json={"version": "x"})
    assert anonymous.status_code == 401
    async with runtime.database.sessionmaker() as session:
        assert (await session.get_one(User, ann.id)).terms_accepted_version == "2020-01-01"
