"""The feed and post pages, driven like a browser: forms, redirects, htmx fragments."""

from __future__ import annotations

import io
import re
import uuid

import httpx
from PIL import Image
from sqlalchemy import func, select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.security import SESSION_COOKIE
from hiremebahamas.models import Upload
from tests.helpers import PASSWORD, page_csrf, submit
from tests.posts.conftest import Member, add_posts, block, follow, member


async def _log_in(client: httpx.AsyncClient, who: Member) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, who.cookie)


async def _post_via_form(client: httpx.AsyncClient, body: str) -> str:
    response = await submit(client, "/posts", {"body": body}, page="/")
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/#post-([0-9a-f-]+)", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


async def test_signed_in_home_has_composer_and_suggests_following(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    login = await submit(client, "/login", {"email": ann.account.email, "password": PASSWORD})
    assert login.status_code == 303, login.text
    home = await client.get("/")
    assert home.status_code == 200
    assert "Welcome, Ann" in home.text
    assert 'action="/posts"' in home.text
    assert '<label for="field-body">Your post' in home.text
    assert "Your feed is quiet" in home.text
    assert 'href="/talent"' in home.text


async def test_anonymous_home_is_the_landing_page(client: httpx.AsyncClient) -> None:
    home = await client.get("/")
    assert "Work and hire across the Bahamas" in home.text
    assert 'action="/posts"' not in home.text


async def test_post_from_the_composer_shows_in_the_feed_escaped(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "<b>Hiring</b>\r\nsee https://example.com")
    home = await client.get("/")
    assert "Your post is live." in home.text
    assert f'id="post-{post_id}"' in home.text
    assert "&lt;b&gt;Hiring&lt;/b&gt;<br>" in home.text
    assert "<b>Hiring</b>" not in home.text
    assert '<a href="https://example.com" rel="nofollow noopener ugc">' in home.text
    assert 'id="like-' in home.text
    assert f'href="/posts/{post_id}#comments"' in home.text


async def test_composer_errors_keep_the_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    empty = await submit(client, "/posts", {"body": "   "}, page="/")
    assert empty.status_code == 422
    assert "Write something in your post." in empty.text
    assert 'aria-invalid="true"' in empty.text
    too_long = await submit(client, "/posts", {"body": "<i>" + "x" * 5000}, page="/")
    assert too_long.status_code == 422
    assert "Keep your post to 5000 characters" in too_long.text
    assert "&lt;i&gt;xxx" in too_long.text  # the text is kept, escaped
    assert "Your feed is quiet" in too_long.text  # nothing was posted


async def test_unverified_members_see_no_composer_and_cannot_post(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann", verified=False)
    await _log_in(client, ann)
    home = await client.get("/")
    assert 'action="/posts"' not in home.text
    assert "Confirm your email address to post" in home.text
    refused = await submit(client, "/posts", {"body": "hello"}, page="/")
    assert refused.status_code == 403
    assert "verify your email" in refused.text.lower()


async def test_forms_need_the_csrf_token(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    response = await client.post("/posts", data={"body": "forged"})
    assert response.status_code == 403
    assert "Your feed is quiet" in (await client.get("/")).text


async def test_like_and_unlike_without_javascript(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "Like me")
    liked = await submit(client, f"/posts/{post_id}/like", {"next": "/"}, page="/")
    assert liked.status_code == 303
    assert liked.headers["location"] == f"/#post-{post_id}"
    home = await client.get("/")
    assert f'action="/posts/{post_id}/unlike"' in home.text
    assert 'aria-pressed="true"' in home.text
    assert "1 like<" in home.text
    evil = await submit(client, f"/posts/{post_id}/unlike", {"next": "https://evil.example/"}, page="/")
    assert evil.headers["location"] == f"/#post-{post_id}"
    assert "0 likes" in (await client.get("/")).text


async def test_like_with_htmx_answers_the_button_fragment(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "Like me")
    token = await page_csrf(client, "/")
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    liked = await client.post(f"/posts/{post_id}/like", data={"next": "/"}, headers=headers)
    assert liked.status_code == 200
    assert liked.text.lstrip().startswith("<form")
    assert "<html" not in liked.text
    assert 'aria-pressed="true"' in liked.text
    assert f'hx-post="/posts/{post_id}/unlike"' in liked.text
    assert "1 like<" in liked.text
    unliked = await client.post(f"/posts/{post_id}/unlike", data={"next": "/"}, headers=headers)
    assert 'aria-pressed="false"' in unliked.text
    assert "0 likes" in unliked.text
    missing = await client.post(f"/posts/{uuid.uuid4()}/like", data={"next": "/"}, headers=headers)
    assert missing.status_code == 404
    assert missing.headers["HX-Retarget"] == "#flash-area"


async def test_post_page_with_comments(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "Comment on me")
    await _log_in(client, bob)
    page = await client.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert "Post by Ann Rolle" in page.text
    assert "No comments yet." in page.text
    assert f'action="/posts/{post_id}/edit"' not in page.text
    assert f'href="/posts/{post_id}/edit"' not in page.text  # not Bob's post
    sent = await submit(
        client, f"/posts/{post_id}/comments", {"body": f"<i>Nice</i> @{ann.username}"}, page=f"/posts/{post_id}"
    )
    assert sent.status_code == 303
    assert sent.headers["location"].startswith(f"/posts/{post_id}#comment-")
    page = await client.get(f"/posts/{post_id}")
    assert "Comments (1)" in page.text
    assert "&lt;i&gt;Nice&lt;/i&gt;" in page.text
    assert f'<a class="mention" href="/u/{ann.username}">' in page.text
    assert 'data-confirm="Delete this comment?"' in page.text  # Bob's own comment
    empty = await submit(client, f"/posts/{post_id}/comments", {"body": " "}, page=f"/posts/{post_id}")
    assert empty.status_code == 422
    assert "Write something in your comment." in empty.text


async def test_others_may_report_a_post_from_its_card(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "Report me")
    report = f'href="/report?target_type=post&amp;target_id={post_id}&amp;next=%2Fposts%2F{post_id}"'
    assert report not in (await client.get(f"/posts/{post_id}")).text  # not one's own
    await _log_in(client, bob)
    assert report in (await client.get(f"/posts/{post_id}")).text
    form = await client.get(f"/report?target_type=post&target_id={post_id}&next=/posts/{post_id}")
    assert "Report this post" in form.text


async def test_comment_delete_form(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = [await member(client, runtime, n) for n in ("Ann", "Bob", "Cat")]
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "Comment on me")
    await _log_in(client, bob)
    sent = await submit(client, f"/posts/{post_id}/comments", {"body": "bob says hi"}, page=f"/posts/{post_id}")
    comment_id = sent.headers["location"].rsplit("#comment-", 1)[1]
    await _log_in(client, cat)
    page = await client.get(f"/posts/{post_id}")
    assert f'action="/comments/{comment_id}/delete"' not in page.text
    refused = await submit(client, f"/comments/{comment_id}/delete", {"next": f"/posts/{post_id}"}, page="/")
    assert refused.status_code == 403
    await _log_in(client, ann)  # the post's owner
    page = await client.get(f"/posts/{post_id}")
    assert f'action="/comments/{comment_id}/delete"' in page.text
    deleted = await submit(client, f"/comments/{comment_id}/delete", {"next": f"/posts/{post_id}"}, page="/")
    assert (deleted.status_code, deleted.headers["location"]) == (303, f"/posts/{post_id}#comments")
    assert "No comments yet." in (await client.get(f"/posts/{post_id}")).text


async def test_edit_and_delete_pages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "First draft")
    page = await client.get(f"/posts/{post_id}")
    assert f'href="/posts/{post_id}/edit"' in page.text
    assert 'data-confirm="Delete this post? This cannot be undone."' in page.text
    edit = await client.get(f"/posts/{post_id}/edit")
    assert edit.status_code == 200
    assert ">First draft</textarea>" in edit.text
    too_long = await submit(client, f"/posts/{post_id}/edit", {"body": "y" * 5001}, page=f"/posts/{post_id}/edit")
    assert too_long.status_code == 422
    saved = await submit(client, f"/posts/{post_id}/edit", {"body": "Second draft"}, page=f"/posts/{post_id}/edit")
    assert (saved.status_code, saved.headers["location"]) == (303, f"/posts/{post_id}")
    page = await client.get(f"/posts/{post_id}")
    assert "Second draft" in page.text
    assert "edited" in page.text

    await _log_in(client, bob)
    assert (await client.get(f"/posts/{post_id}/edit")).status_code == 403
    assert (await submit(client, f"/posts/{post_id}/edit", {"body": "hijack"}, page="/")).status_code == 403
    assert (await submit(client, f"/posts/{post_id}/delete", {}, page="/")).status_code == 403

    await _log_in(client, ann)
    deleted = await submit(client, f"/posts/{post_id}/delete", {}, page="/")
    assert (deleted.status_code, deleted.headers["location"]) == (303, "/")
    assert (await client.get(f"/posts/{post_id}")).status_code == 404


async def test_post_pages_need_a_login_and_respect_blocks(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await _log_in(client, ann)
    post_id = await _post_via_form(client, "Hidden from Bob")
    client.cookies.clear()
    anonymous = await client.get(f"/posts/{post_id}")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, f"/login?next=/posts/{post_id}")
    await block(runtime, ann.id, bob.id)
    await _log_in(client, bob)
    assert (await client.get(f"/posts/{post_id}")).status_code == 404
    assert (await submit(client, f"/posts/{post_id}/like", {"next": "/"}, page="/")).status_code == 404


async def test_feed_shows_followed_people_and_older_posts_link(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await follow(runtime, ann.id, bob.id)
    await add_posts(runtime, bob.id, [f"bob post {n}" for n in range(21)])
    await _log_in(client, ann)
    home = await client.get("/")
    assert "bob post 20" in home.text
    assert "bob post 0<" not in home.text
    match = re.search(r'href="/\?cursor=([^"]+)">Older posts', home.text)
    assert match
    older = await client.get(f"/?cursor={match.group(1)}")
    assert "bob post 0<" in older.text
    assert "Older posts" not in older.text


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 119, 139)).save(buffer, format="PNG")
    return buffer.getvalue()


async def _post_with_file(client: httpx.AsyncClient, body: str, file: tuple[str, bytes, str]) -> httpx.Response:
    token = await page_csrf(client, "/")
    return await client.post("/posts", data={"body": body, "csrf_token": token}, files={"image": file})


async def _upload_count(runtime: Runtime) -> int:
    async with runtime.database.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(Upload))).scalar_one())


async def test_post_with_an_image_from_the_composer(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    response = await _post_with_file(client, "Sunset at Cable Beach", ("sunset.png", _png(), "image/png"))
    assert response.status_code == 303, response.text
    home = await client.get("/")
    match = re.search(r'<a href="(/media/[0-9a-f-]+/original)"><img src="(/media/[0-9a-f-]+/thumb)"', home.text)
    assert match, home.text
    thumbnail = await client.get(match.group(2))
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/webp"
    assert 'alt="Image shared by Ann Rolle"' in home.text


async def test_composer_refuses_files_that_are_not_pictures(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    response = await _post_with_file(client, "My CV", ("cv.png", b"%PDF-1.7 not a picture", "image/png"))
    assert response.status_code == 422
    assert 'id="field-image-error"' in response.text
    assert "Your feed is quiet" in response.text
    assert ">My CV</textarea>" in response.text


async def test_a_refused_post_stores_no_image(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    response = await _post_with_file(client, "   ", ("sunset.png", _png(), "image/png"))
    assert response.status_code == 422
    assert "Write something in your post." in response.text
    assert await _upload_count(runtime) == 0


async def test_free_plan_post_limit_offers_an_upgrade(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    await _log_in(client, ann)
    status = 303
    for n in range(10):
        response = await submit(client, "/posts", {"body": f"post {n}"}, page="/")
        status = response.status_code
        if status != 303:
            break
    assert status == 402
    assert 'href="/pricing"' in response.text
    assert 'action="/billing/checkout"' in response.text  # the upgrade prompt's checkout button
    assert "Upgrade to Pro" in response.text
    assert f">post {n}</textarea>" in response.text  # the composer keeps what was typed
