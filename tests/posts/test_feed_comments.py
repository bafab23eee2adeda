"""Commenting from the feed: a comment box under each post card, answered in place with htmx
(the post's page after it without JavaScript); hashtags in the feed link to a job search."""

from __future__ import annotations

import uuid

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import page_csrf
from tests.posts.conftest import Member, add_posts, block, follow, member
from tests.posts.test_views import _log_in, _post_via_form


async def _htmx_comment(client: httpx.AsyncClient, post_id: str, body: str) -> httpx.Response:
    token = await page_csrf(client, "/")
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    return await client.post(f"/posts/{post_id}/comments", data={"body": body}, headers=headers)


async def _feed_of(client: httpx.AsyncClient, who: Member) -> str:
    await _log_in(client, who)
    return (await client.get("/")).text


async def test_a_comment_from_the_feed_is_added_in_place(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "We are #hiring cooks")
    await follow(runtime, bob.id, ann.id)
    feed = await _feed_of(client, bob)
    assert f'id="quick-comment-{post_id}"' in feed
    assert f'hx-post="/posts/{post_id}/comments"' in feed
    assert '<a class="hashtag" href="/jobs?q=hiring">#hiring</a>' in feed

    added = await _htmx_comment(client, post_id, "I can <b>cook</b>")
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<div class="quick-comment"')
    assert "<html" not in added.text
    assert "Comment added: “I can &lt;b&gt;cook&lt;/b&gt;”" in added.text
    assert 'value=""' in added.text  # the box is empty again
    page = await client.get(f"/posts/{post_id}")
    assert "I can &lt;b&gt;cook&lt;/b&gt;" in page.text
    assert "Comments (1)" in page.text

    # Plain form (no JavaScript): to the post's page.
    plain = await client.post(
        f"/posts/{post_id}/comments", data={"body": "Again", "csrf_token": await page_csrf(client, "/")}
    )
    assert plain.status_code == 303
    assert plain.headers["location"].startswith(f"/posts/{post_id}#comment-")


async def test_a_refused_feed_comment_keeps_the_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await add_posts(runtime, ann.id, ["Ann's post"])
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "Mine")
    await _log_in(client, bob)
    empty = await _htmx_comment(client, post_id, "   ")
    assert empty.status_code == 422
    assert empty.headers["HX-Retarget"] == f"#quick-comment-{post_id}"
    assert "Write something in your comment." in empty.text
    too_long = await _htmx_comment(client, post_id, "x" * 5001)
    assert too_long.status_code == 422
    assert f'value="{"x" * 5001}"' in too_long.text  # kept, to shorten
    control = await _htmx_comment(client, post_id, "hi\x00\x1bthere")
    assert "Comment added: “hithere”" in control.text  # control characters never reach the page
    missing = await _htmx_comment(client, str(uuid.uuid4()), "Hello")
    assert missing.status_code == 404
    await block(runtime, ann.id, bob.id)
    blocked = await _htmx_comment(client, post_id, "Hello")
    assert blocked.status_code == 404
    forged = await client.post(f"/posts/{post_id}/comments", data={"body": "x"}, headers={"HX-Request": "true"})
    assert forged.status_code == 403


async def test_no_comment_box_before_the_email_is_confirmed(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await add_posts(runtime, ann.id, ["Hello"])
    new = await member(client, runtime, "Cat", verified=False)
    await follow(runtime, new.id, ann.id)
    feed = await _feed_of(client, new)
    assert "Hello" in feed
    assert "quick-comment" not in feed
