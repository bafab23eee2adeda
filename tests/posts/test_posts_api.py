"""Posts over the JSON API: write, read, edit, delete, with every refusal."""

from __future__ import annotations

import uuid

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import UploadPurpose
from tests.posts.conftest import Member, add_upload, block, member, notifications


async def _post(client: httpx.AsyncClient, who: Member, body: str = "Hello Nassau", **extra: object) -> httpx.Response:
    return await client.post("/api/posts", json={"body": body, **extra}, headers=who.headers)


async def _post_id(client: httpx.AsyncClient, who: Member, body: str = "Hello Nassau") -> str:
    response = await _post(client, who, body)
    assert response.status_code == 201, response.text
    return str(response.json()["post"]["id"])


async def test_create_post_returns_it_with_author_and_counts(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    response = await _post(client, ann, "  Hiring a line cook\nin Exuma  ")
    assert response.status_code == 201, response.text
    post = response.json()["post"]
    assert post["body"] == "Hiring a line cook\nin Exuma"
    assert post["body_html"] == "Hiring a line cook<br>\nin Exuma"
    assert post["author"] == {
        "username": ann.username,
        "first_name": "Ann",
        "last_name": "Rolle",
        "avatar_url": None,
        "headline": "",
    }
    assert (post["like_count"], post["comment_count"], post["liked_by_me"]) == (0, 0, False)
    assert post["image"] is None
    assert post["edited_at"] is None
    fetched = await client.get(f"/api/posts/{post['id']}", headers=ann.headers)
    assert fetched.status_code == 200
    assert fetched.json()["post"] == post


async def test_post_body_limits(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    for body in ("", "   \n\t "):
        response = await _post(client, ann, body)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
        assert "body" in response.json()["error"]["fields"]
    too_long = await _post(client, ann, "x" * 5001)
    assert too_long.status_code == 422
    assert "5000" in too_long.json()["error"]["fields"]["body"]
    # The limit counts the text as sent (as the schema says); what is kept is trimmed.
    assert (await _post(client, ann, " " + "x" * 5000)).status_code == 422
    kept = await _post(client, ann, " " + "x" * 4998 + "\n")
    assert kept.status_code == 201
    assert kept.json()["post"]["body"] == "x" * 4998
    malformed = await client.post("/api/posts", json={"text": "hi"}, headers=ann.headers)
    assert malformed.status_code == 422
    assert "body" in malformed.json()["error"]["fields"]
    not_json = await client.post("/api/posts", content=b"hi", headers=ann.headers)
    assert not_json.status_code == 422


async def test_posting_needs_a_verified_email_and_a_login(client: httpx.AsyncClient, runtime: Runtime) -> None:
    anonymous = await client.post("/api/posts", json={"body": "hi"})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    bob = await member(client, runtime, "Bob", verified=False)
    response = await _post(client, bob)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_unverified"


async def test_html_in_posts_is_escaped_and_only_http_links_linked(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    body = '<script>alert(1)</script> <a href="javascript:alert(2)">x</a> javascript:alert(3) https://example.com/a'
    post = (await _post(client, ann, body)).json()["post"]
    assert post["body"] == body
    html = post["body_html"]
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<a href=&#34;javascript" not in html
    assert 'href="javascript' not in html
    assert html.count("<a ") == 1
    assert '<a href="https://example.com/a" rel="nofollow noopener ugc">' in html


async def test_mentions_link_real_people_and_notify_them(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    post = (await _post(client, ann, f"Welcome @{bob.username}, @nobody-here and @{ann.username}!")).json()["post"]
    html = post["body_html"]
    assert f'<a class="mention" href="/u/{bob.username}">@{bob.username}</a>' in html
    assert f'href="/u/{ann.username}"' in html
    assert "/u/nobody-here" not in html
    assert "@nobody-here" in html
    (notice,) = await notifications(runtime, bob.id, "post.mentioned")
    assert notice.actor_id == ann.id
    assert notice.data == {"post_id": post["id"]}
    assert await notifications(runtime, ann.id, "post.mentioned") == []  # not for mentioning yourself


async def test_a_mention_of_someone_blocked_is_plain_text_and_not_notified(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    await block(runtime, bob.id, ann.id)
    post = (await _post(client, ann, f"Hi @{bob.username}")).json()["post"]
    assert "<a" not in post["body_html"]
    assert await notifications(runtime, bob.id, "post.mentioned") == []


async def test_post_with_own_post_image(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    upload_id = await add_upload(runtime, ann.id)
    response = await _post(client, ann, "With a picture", image_upload_id=str(upload_id))
    assert response.status_code == 201, response.text
    image = response.json()["post"]["image"]
    assert image == {"url": f"/media/{upload_id}/original", "thumbnail_url": f"/media/{upload_id}/thumb"}


async def test_post_image_must_be_your_own_post_image(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    not_yours = "That file was not found among your uploads."
    cases = [
        (await add_upload(runtime, bob.id), 404, not_yours),  # someone else's: as if it did not exist
        (uuid.uuid4(), 404, not_yours),
        (
            await add_upload(runtime, ann.id, UploadPurpose.AVATAR),
            422,
            "That file was uploaded as avatar, not as post image.",
        ),
        (await add_upload(runtime, ann.id, UploadPurpose.CV), 422, "That file was uploaded as cv, not as post image."),
    ]
    for upload_id, status, message in cases:
        response = await _post(client, ann, "Look", image_upload_id=str(upload_id))
        assert response.status_code == status, upload_id
        assert response.json()["error"]["fields"]["image_upload_id"] == message
    assert (await client.get(f"/api/users/{ann.username}/posts", headers=ann.headers)).json()["items"] == []


async def test_unknown_and_malformed_post_ids(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    missing = await client.get(f"/api/posts/{uuid.uuid4()}", headers=ann.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert (await client.get("/api/posts/not-an-id", headers=ann.headers)).status_code == 404
    assert (await client.get(f"/api/posts/{uuid.uuid4()}")).status_code == 401


async def test_blocked_people_cannot_see_each_others_posts(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    ann_post = await _post_id(client, ann)
    bob_post = await _post_id(client, bob)
    await block(runtime, ann.id, bob.id)
    for who, post_id in ((bob, ann_post), (ann, bob_post)):  # both ways
        response = await client.get(f"/api/posts/{post_id}", headers=who.headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (await client.get(f"/api/users/{ann.username}/posts", headers=bob.headers)).status_code == 404


async def test_edit_post(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    post_id = await _post_id(client, ann)
    response = await client.patch(
        f"/api/posts/{post_id}", json={"body": f"Edited for @{bob.username}"}, headers=ann.headers
    )
    assert response.status_code == 200, response.text
    post = response.json()["post"]
    assert post["body"] == f"Edited for @{bob.username}"
    assert post["edited_at"] is not None
    assert len(await notifications(runtime, bob.id, "post.mentioned")) == 1
    # Editing again without a new mention notifies nobody again.
    again = await client.patch(
        f"/api/posts/{post_id}", json={"body": f"Edited twice for @{bob.username}"}, headers=ann.headers
    )
    assert again.status_code == 200
    assert len(await notifications(runtime, bob.id, "post.mentioned")) == 1


async def test_edit_refusals(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    cat = await member(client, runtime, "Cat", admin=True)
    post_id = await _post_id(client, ann)
    not_owner = await client.patch(f"/api/posts/{post_id}", json={"body": "mine now"}, headers=bob.headers)
    assert not_owner.status_code == 403
    assert not_owner.json()["error"]["code"] == "forbidden"
    admin = await client.patch(f"/api/posts/{post_id}", json={"body": "admins delete, not edit"}, headers=cat.headers)
    assert admin.status_code == 403
    too_long = await client.patch(f"/api/posts/{post_id}", json={"body": "x" * 5001}, headers=ann.headers)
    assert too_long.status_code == 422
    empty = await client.patch(f"/api/posts/{post_id}", json={"body": "  "}, headers=ann.headers)
    assert empty.status_code == 422
    bad_image = await client.patch(
        f"/api/posts/{post_id}", json={"image_upload_id": str(await add_upload(runtime, bob.id))}, headers=ann.headers
    )
    assert bad_image.status_code == 404  # someone else's upload: as if it did not exist
    missing = await client.patch(f"/api/posts/{uuid.uuid4()}", json={"body": "x"}, headers=ann.headers)
    assert missing.status_code == 404
    await block(runtime, bob.id, ann.id)
    blocked = await client.patch(f"/api/posts/{post_id}", json={"body": "x"}, headers=bob.headers)
    assert blocked.status_code == 404
    post = (await client.get(f"/api/posts/{post_id}", headers=ann.headers)).json()["post"]
    assert (post["body"], post["edited_at"]) == ("Hello Nassau", None)


async def test_edit_adds_and_removes_the_image(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    post_id = await _post_id(client, ann)
    upload_id = await add_upload(runtime, ann.id)
    added = await client.patch(f"/api/posts/{post_id}", json={"image_upload_id": str(upload_id)}, headers=ann.headers)
    assert added.json()["post"]["image"] is not None
    assert added.json()["post"]["body"] == "Hello Nassau"  # left out: kept
    removed = await client.patch(f"/api/posts/{post_id}", json={"image_upload_id": None}, headers=ann.headers)
    assert removed.json()["post"]["image"] is None


async def test_delete_post_by_author_or_admin_only(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    cat = await member(client, runtime, "Cat", admin=True)
    first, second = await _post_id(client, ann, "one"), await _post_id(client, ann, "two")
    refused = await client.delete(f"/api/posts/{first}", headers=bob.headers)
    assert refused.status_code == 403
    assert (await client.delete(f"/api/posts/{first}")).status_code == 401
    assert (await client.delete(f"/api/posts/{first}", headers=ann.headers)).status_code == 204
    assert (await client.get(f"/api/posts/{first}", headers=ann.headers)).status_code == 404
    assert (await client.delete(f"/api/posts/{first}", headers=ann.headers)).status_code == 404  # twice
    await block(runtime, ann.id, cat.id)  # an admin moderates even people who blocked them
    assert (await client.delete(f"/api/posts/{second}", headers=cat.headers)).status_code == 204
    assert (await client.get(f"/api/posts/{second}", headers=ann.headers)).status_code == 404


async def test_someones_posts_newest_first(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    bob = await member(client, runtime, "Bob")
    for n in range(3):
        await _post_id(client, ann, f"post {n}")
    await _post_id(client, bob, "not ann's")
    first = (await client.get(f"/api/users/{ann.username}/posts?limit=2", headers=bob.headers)).json()
    assert [p["body"] for p in first["items"]] == ["post 2", "post 1"]
    rest = await client.get(
        f"/api/users/{ann.username}/posts?limit=2&cursor={first['next_cursor']}", headers=bob.headers
    )
    assert [p["body"] for p in rest.json()["items"]] == ["post 0"]
    assert rest.json()["next_cursor"] is None
    assert (await client.get("/api/users/nobody-here/posts", headers=bob.headers)).status_code == 404
