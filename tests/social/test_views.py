"""Follow buttons, block actions, followers pages and the who-to-follow box, as pages."""

from __future__ import annotations

import httpx
from fastapi import Request
from starlette.datastructures import Headers

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import User
from hiremebahamas.social.views import load_suggestions
from hiremebahamas.web.rendering import templates
from tests.helpers import page_csrf, submit
from tests.profiles.factory import member
from tests.profiles.test_views import log_in


async def test_follow_and_unfollow_with_the_profile_form(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await member(runtime, "bob")
    await log_in(client, ann)
    page = await client.get("/u/bob")
    assert "<strong>0</strong> followers" in page.text
    assert 'action="/u/bob/follow"' in page.text
    followed = await submit(client, "/u/bob/follow", {}, page="/u/bob")
    assert followed.status_code == 303
    assert followed.headers["location"] == "/u/bob"
    page = await client.get("/u/bob")
    assert "<strong>1</strong> follower<" in page.text
    assert 'action="/u/bob/unfollow"' in page.text
    unfollowed = await submit(client, "/u/bob/unfollow", {}, page="/u/bob")
    assert unfollowed.status_code == 303
    assert "<strong>0</strong> followers" in (await client.get("/u/bob")).text


async def test_htmx_follow_swaps_the_box(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await member(runtime, "bob")
    await log_in(client, ann)
    token = await page_csrf(client, "/u/bob")
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    response = await client.post("/u/bob/follow", headers=headers)
    assert response.status_code == 200
    assert response.text.startswith('<div id="follow-box"')
    assert "<strong>1</strong> follower<" in response.text
    assert "Unfollow" in response.text
    assert "<html" not in response.text


async def test_follow_refusals_render_as_pages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await member(runtime, "fresh", verified=False)
    await log_in(client, ann)
    myself = await submit(client, "/u/ann/follow", {}, page="/u/ann")
    assert myself.status_code == 400
    assert "You cannot follow yourself." in myself.text
    assert 'href="/u/ann"' in myself.text  # the layout still knows who is signed in
    missing = await submit(client, "/u/nobody/follow", {}, page="/u/ann")
    assert missing.status_code == 404
    token = await page_csrf(client, "/u/ann")
    htmx = await client.post("/u/nobody/follow", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert htmx.status_code == 404
    assert htmx.headers["hx-retarget"] == "#flash-area"
    fresh = await member(runtime, "fresh-2", verified=False)
    await log_in(client, fresh)
    unverified = await submit(client, "/u/ann/follow", {}, page="/u/ann")
    assert unverified.status_code == 403
    assert "verify your email" in unverified.text


async def test_follow_needs_sign_in_and_csrf(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await member(runtime, "bob")
    refused = await submit(client, "/u/bob/follow", {}, page="/login")  # a visitor's profile page has no form
    assert refused.status_code == 401
    await log_in(client, ann)
    await page_csrf(client, "/u/bob")
    assert (await client.post("/u/bob/follow")).status_code == 403
    assert (await client.get("/api/users/bob")).json()["profile"]["followers_count"] == 0


async def test_followers_and_following_pages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    star = await member(runtime, "star", first_name="Star", last_name="Knowles")
    for n in range(3):
        fan = await member(runtime, f"fan-{n}", headline=f"Fan number {n}")
        await client.post("/api/users/star/follow", headers=fan.headers)
    await client.post("/api/users/fan-1/follow", headers=star.headers)
    followers = await client.get("/u/star/followers")
    assert followers.status_code == 200
    assert "Followers of Star Knowles" in followers.text
    assert followers.text.index("Fan number 2") < followers.text.index("Fan number 0")
    following = await client.get("/u/star/following")
    assert "Fan number 1" in following.text
    assert "Fan number 0" not in following.text
    assert (await client.get("/u/star/followers?cursor=garbage")).status_code == 404


async def test_suggestions_partial(client: httpx.AsyncClient, runtime: Runtime) -> None:
    me = await member(runtime, "me", island="bimini")
    await member(runtime, "neighbour", first_name="Nia", headline="Dive instructor", island="bimini")
    async with runtime.database.sessionmaker() as session:
        user = await session.get_one(User, me.id)
        context = await load_suggestions(session, runtime.memory, user)
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": Headers().raw, "query_string": b""})
    html = templates.get_template("social/_suggestions.html").render(
        {**context, "request": request, "csrf_token": "token-123", "current_user": None}
    )
    assert 'href="/u/neighbour"' in html
    assert "Dive instructor" in html
    assert 'action="/u/neighbour/follow"' in html
    assert 'value="token-123"' in html
    assert '<input type="hidden" name="next" value="/">' in html
    await log_in(client, me)
    followed = await submit(client, "/u/neighbour/follow", {"next": "/"}, page="/u/neighbour")
    assert followed.headers["location"] == "/"
    elsewhere = await submit(client, "/u/neighbour/unfollow", {"next": "https://evil.example.com"}, page="/")
    assert elsewhere.headers["location"] == "/u/neighbour"
    empty = templates.get_template("social/_suggestions.html").render({"suggestions": [], "csrf_token": "t"})
    assert "to see people you may know" in empty
