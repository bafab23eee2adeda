"""The profile side of the privacy controls: search engines (noindex, X-Robots-Tag, the sitemap),
the talent directory, and the account page's form that sets them."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import page_csrf, submit
from tests.profiles.factory import member
from tests.profiles.test_views import log_in

NOINDEX = '<meta name="robots" content="noindex">'


async def test_an_indexable_profile_says_nothing_and_is_in_the_sitemap(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await member(runtime, "ann", headline="Chef")
    page = await client.get("/u/ann")
    assert page.status_code == 200
    assert NOINDEX not in page.text
    assert "x-robots-tag" not in page.headers
    assert "/u/ann</loc>" in (await client.get("/sitemap.xml")).text


async def test_indexing_off_says_noindex_on_every_answer_and_leaves_the_sitemap(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann", headline="Chef")
    for path in ("/u/ann", "/api/users/ann", "/sitemap.xml"):
        assert (await client.get(path)).status_code == 200  # kept by the caches first
    response = await client.patch("/api/users/me", json={"search_engine_indexing": False}, headers=ann.headers)
    assert response.status_code == 200
    assert response.json()["profile"]["search_engine_indexing"] is False
    for _ in range(2):  # built afresh, then from the cache
        page = await client.get("/u/ann")
        assert NOINDEX in page.text
        assert page.headers["x-robots-tag"] == "noindex"
        api = await client.get("/api/users/ann")
        assert api.status_code == 200
        assert api.headers["x-robots-tag"] == "noindex"
    assert "/u/ann</loc>" not in (await client.get("/sitemap.xml")).text
    await log_in(client, ann)  # the owner sees the same page search engines would
    assert (await client.get("/u/ann")).headers["x-robots-tag"] == "noindex"


async def test_members_only_profiles_are_not_in_the_sitemap(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "ann", visibility="members")
    await member(runtime, "bob", headline="Builder")
    sitemap = (await client.get("/sitemap.xml")).text
    assert "/u/bob</loc>" in sitemap
    assert "/u/ann</loc>" not in sitemap


async def test_the_account_page_sets_every_control(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    page = await client.get("/account")
    assert 'action="/account/privacy"' in page.text
    form = {"messages_from": "following", "available_for_hire": "1", "read_receipts": "1"}
    response = await submit(client, "/account/privacy", form, page="/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/account#privacy"
    me = (await client.get("/api/users/me")).json()["profile"]
    assert me["messages_from"] == "following"
    assert me["available_for_hire"] is True
    assert me["read_receipts"] is True
    assert me["search_engine_indexing"] is False  # an unticked box
    listed = (await client.get("/api/talent")).json()["items"]
    assert [person["username"] for person in listed] == ["ann"]

    # Out of the directory again from the same form.
    await submit(client, "/account/privacy", {"messages_from": "everyone"}, page="/account")
    assert (await client.get("/api/talent")).json()["items"] == []


async def test_the_account_form_refuses_a_made_up_or_missing_choice(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """(Control characters in form text are dropped by every form, core/text.py; the API refuses
    them, tests/messaging/test_privacy_controls.py.)"""
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    for choice in ("friends", ""):
        response = await submit(client, "/account/privacy", {"messages_from": choice}, page="/account")
        assert response.status_code == 422
        assert "Choose who may message you: everyone, people you follow or nobody." in response.text
    assert (await client.get("/api/users/me")).json()["profile"]["messages_from"] == "everyone"


async def test_the_account_form_needs_sign_in_and_csrf(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post("/account/privacy", data={"messages_from": "nobody"})
    assert response.status_code in (303, 403)
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    await page_csrf(client, "/account")
    forged = await client.post("/account/privacy", data={"messages_from": "nobody"})
    assert forged.status_code == 403
    assert (await client.get("/api/users/me")).json()["profile"]["messages_from"] == "everyone"
