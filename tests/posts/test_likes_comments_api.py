"""Likes and comments over the JSON API: idempotency, counts, permissions, blocks."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.posts.conftest import Member, block, member, notifications


async def _post_id(client: httpx.AsyncClient, who: Member, body: str = "Hello Nassau") -> str:
    response = await client.post("/api/posts", json={"body": body}, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["post"]["id"])


async def _comment(client: httpx.AsyncClient, who: Member, post_id: str, body: str = "Nice!") -> httpx.Response:
    return await client.post(f"/api/posts/{post_id}/comments", json={"body": body}, headers=who.headers)


async def _counts(client: httpx.AsyncClient, who: Member, post_id: str) -> tuple[int, int, bool]:
    post = (await client.get(f"/api/posts/{post_id}", headers=who.headers)).json()["post"]
    return post["like_count"], post["comment_count"], post["liked_by_me"]


async def test_likes_are_idempotent_and_counted(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    post_id = await _post_id(client, ann)
    first = await client.post(f"/api/posts/{post_id}/like", headers=bob.headers)
    assert first.status_code == 200
    assert first.json() == {"liked": True, "like_count": 1}
    again = await client.post(f"/api/posts/{post_id}/like", headers=bob.headers)
    assert again.json() == {"liked": True, "like_count": 1}
    own = await client.post(f"/api/posts/{post_id}/like", headers=ann.headers)
    assert own.json() == {"liked": True, "like_count": 2}
    assert await _counts(client, bob, post_id) == (2, 0, True)
    unliked = await client.delete(f"/api/posts/{post_id}/like", headers=bob.headers)
    assert unliked.json() == {"liked": False, "like_count": 1}
    unliked_again = await client.delete(f"/api/posts/{post_id}/like", headers=bob.headers)
    assert unliked_again.json() == {"liked": False, "like_count": 1}
    assert await _counts(client, bob, post_id) == (1, 0, False)
    assert await _counts(client, ann, post_id) == (1, 0, True)
    # One notification for Bob's like (not for the repeat), none for Ann liking her own post.
    (notice,) = await notifications(runtime, ann.id, "post.liked")
    assert (notice.actor_id, notice.data) == (bob.id, {"post_id": post_id})


async def test_concurrent_likes_all_count(client: httpx.AsyncClient, runtime: Runtime) -> None:
    people = [await member(client, runtime, name) for name in ("Ann", "Bob", "Cat", "Dee")]
    post_id = await _post_id(client, people[0])
    answers = await asyncio.gather(
        *(client.post(f"/api/posts/{post_id}/like", headers=who.headers) for who in people + people)
    )
    assert all(answer.status_code == 200 for answer in answers), [a.text for a in answers]
    assert (await _counts(client, people[0], post_id))[0] == 4


async def test_like_refusals(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    unverified = await member(client, runtime, "Cat", verified=False)
    post_id = await _post_id(client, ann)
    assert (await client.post(f"/api/posts/{post_id}/like")).status_code == 401
    refused = await client.post(f"/api/posts/{post_id}/like", headers=unverified.headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "email_unverified"
    assert (await client.post(f"/api/posts/{uuid.uuid4()}/like", headers=bob.headers)).status_code == 404
    await block(runtime, ann.id, bob.id)
    blocked = await client.post(f"/api/posts/{post_id}/like", headers=bob.headers)
    assert blocked.status_code == 404
    assert (await client.delete(f"/api/posts/{post_id}/like", headers=bob.headers)).status_code == 404
    assert await _counts(client, ann, post_id) == (0, 0, False)
    await client.delete(f"/api/posts/{post_id}", headers=ann.headers)
    assert (await client.post(f"/api/posts/{post_id}/like", headers=ann.headers)).status_code == 404


async def test_comments_are_listed_oldest_first_with_keyset_pages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    post_id = await _post_id(client, ann)
    created = await _comment(client, bob, post_id, f"  first, thanks @{ann.username}  ")
    assert created.status_code == 201, created.text
    comment = created.json()["comment"]
    assert comment["body"] == f"first, thanks @{ann.username}"
    assert f'href="/u/{ann.username}"' in comment["body_html"]
    assert comment["author"]["username"] == bob.username
    assert (comment["post_id"], comment["can_delete"]) == (post_id, True)
    for body in ("second", "third"):
        assert (await _comment(client, ann, post_id, body)).status_code == 201
    page = (await client.get(f"/api/posts/{post_id}/comments?limit=2", headers=bob.headers)).json()
    assert [c["body"] for c in page["items"]] == [f"first, thanks @{ann.username}", "second"]
    assert [c["can_delete"] for c in page["items"]] == [True, False]  # Bob may delete only his own
    rest = (
        await client.get(f"/api/posts/{post_id}/comments?limit=2&cursor={page['next_cursor']}", headers=bob.headers)
    ).json()
    assert ([c["body"] for c in rest["items"]], rest["next_cursor"]) == (["third"], None)
    owner_view = (await client.get(f"/api/posts/{post_id}/comments", headers=ann.headers)).json()
    assert all(c["can_delete"] for c in owner_view["items"])  # the post's owner may delete any
    assert (await _counts(client, ann, post_id))[1] == 3
    (notice,) = await notifications(runtime, ann.id, "post.commented")
    assert (notice.actor_id, notice.data["post_id"]) == (bob.id, post_id)
    assert len(await notifications(runtime, ann.id, "post.mentioned")) == 1


async def test_comment_refusals(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    unverified = await member(client, runtime, "Cat", verified=False)
    post_id = await _post_id(client, ann)
    for body in ("", "  \n "):
        assert (await _comment(client, bob, post_id, body)).status_code == 422
    too_long = await _comment(client, bob, post_id, "x" * 1001)
    assert too_long.status_code == 422
    assert "1000" in too_long.json()["error"]["fields"]["body"]
    assert (await _comment(client, bob, post_id, "y" * 1000)).status_code == 201
    refused = await _comment(client, unverified, post_id)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "email_unverified")
    assert (await client.post(f"/api/posts/{post_id}/comments", json={"body": "x"})).status_code == 401
    assert (await _comment(client, bob, str(uuid.uuid4()))).status_code == 404
    await block(runtime, bob.id, ann.id)
    assert (await _comment(client, bob, post_id)).status_code == 404
    assert (await client.get(f"/api/posts/{post_id}/comments", headers=bob.headers)).status_code == 404
    await client.delete(f"/api/posts/{post_id}", headers=ann.headers)
    assert (await _comment(client, ann, post_id)).status_code == 404
    assert (await client.get(f"/api/posts/{post_id}/comments", headers=ann.headers)).status_code == 404


async def test_comments_of_blocked_people_are_hidden(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = [await member(client, runtime, n) for n in ("Ann", "Bob", "Cat")]
    post_id = await _post_id(client, ann)
    await _comment(client, bob, post_id, "from bob")
    await _comment(client, cat, post_id, "from cat")
    await block(runtime, cat.id, bob.id)
    seen_by_cat = (await client.get(f"/api/posts/{post_id}/comments", headers=cat.headers)).json()
    assert [c["body"] for c in seen_by_cat["items"]] == ["from cat"]
    seen_by_ann = (await client.get(f"/api/posts/{post_id}/comments", headers=ann.headers)).json()
    assert [c["body"] for c in seen_by_ann["items"]] == ["from bob", "from cat"]


async def test_who_may_delete_a_comment(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = [await member(client, runtime, n) for n in ("Ann", "Bob", "Cat")]
    admin = await member(client, runtime, "Dee", admin=True)
    post_id = await _post_id(client, ann)
    ids = [(await _comment(client, bob, post_id, f"c{n}")).json()["comment"]["id"] for n in range(3)]
    refused = await client.delete(f"/api/comments/{ids[0]}", headers=cat.headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert (await client.delete(f"/api/comments/{ids[0]}")).status_code == 401
    assert (await client.delete(f"/api/comments/{ids[0]}", headers=bob.headers)).status_code == 204  # its author
    assert (await client.delete(f"/api/comments/{ids[0]}", headers=bob.headers)).status_code == 404  # twice
    assert (await client.delete(f"/api/comments/{ids[1]}", headers=ann.headers)).status_code == 204  # post owner
    assert (await client.delete(f"/api/comments/{ids[2]}", headers=admin.headers)).status_code == 204  # admin
    assert (await client.delete(f"/api/comments/{uuid.uuid4()}", headers=ann.headers)).status_code == 404
    assert (await _counts(client, ann, post_id))[1] == 0
    assert (await client.get(f"/api/posts/{post_id}/comments", headers=ann.headers)).json()["items"] == []


async def test_comment_delete_hidden_by_a_block_is_not_found(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = [await member(client, runtime, n) for n in ("Ann", "Bob", "Cat")]
    post_id = await _post_id(client, ann)
    comment_id = (await _comment(client, bob, post_id)).json()["comment"]["id"]
    await block(runtime, ann.id, cat.id)
    assert (await client.delete(f"/api/comments/{comment_id}", headers=cat.headers)).status_code == 404
    await block(runtime, ann.id, bob.id)  # the post's owner blocks the commenter: both may still delete it
    assert (await client.delete(f"/api/comments/{comment_id}", headers=bob.headers)).status_code == 204
    assert (await _counts(client, ann, post_id))[1] == 0


async def test_deleting_a_post_removes_its_likes_and_comments(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    post_id = await _post_id(client, ann)
    await client.post(f"/api/posts/{post_id}/like", headers=bob.headers)
    comment_id = (await _comment(client, bob, post_id)).json()["comment"]["id"]
    assert (await client.delete(f"/api/posts/{post_id}", headers=ann.headers)).status_code == 204
    assert (await client.delete(f"/api/comments/{comment_id}", headers=bob.headers)).status_code == 404
