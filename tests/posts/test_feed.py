"""The feed: who is in it, its order and pages, its constant query count, and its timelines."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Comment, Follow, Post, PostLike, Profile, UploadPurpose
from hiremebahamas.models.base import utcnow
from hiremebahamas.posts import feed, timelines
from tests.helpers import counted_queries
from tests.posts.conftest import Member, add_people, add_upload, block, follow, member


async def _post_id(client: httpx.AsyncClient, who: Member, body: str) -> str:
    response = await client.post("/api/posts", json={"body": body}, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["post"]["id"])


async def _feed(client: httpx.AsyncClient, who: Member, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/feed{query}", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _bodies(page: dict[str, Any]) -> list[str]:
    return [item["body"] for item in page["items"]]


async def test_feed_shows_own_and_followed_posts_newest_first(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = [await member(client, runtime, n) for n in ("Ann", "Bob", "Cat")]
    await follow(runtime, ann.id, bob.id)
    await _post_id(client, bob, "bob 1")
    await _post_id(client, cat, "cat: not followed")
    await _post_id(client, ann, "ann 1")
    await _post_id(client, bob, "bob 2")
    assert _bodies(await _feed(client, ann)) == ["bob 2", "ann 1", "bob 1"]
    assert _bodies(await _feed(client, bob)) == ["bob 2", "bob 1"]  # following is one way
    assert (await client.get("/api/feed")).status_code == 401


async def test_feed_items_have_the_documented_shape(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await follow(runtime, ann.id, bob.id)
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Profile(user_id=bob.id, headline="Chef at a Nassau resort", avatar_upload_id=None))
    upload_id = await add_upload(runtime, bob.id)
    response = await client.post(
        "/api/posts", json={"body": "Photo https://x.example", "image_upload_id": str(upload_id)}, headers=bob.headers
    )
    post_id = response.json()["post"]["id"]
    await client.post(f"/api/posts/{post_id}/like", headers=ann.headers)
    await client.post(f"/api/posts/{post_id}/comments", json={"body": "Lovely"}, headers=ann.headers)
    (item,) = (await _feed(client, ann))["items"]
    assert set(item) == {
        "id", "author", "body", "body_html", "image", "like_count", "comment_count", "liked_by_me",
        "created_at", "edited_at", "removed_by_moderators",
    }  # fmt: skip
    assert item["author"] == {
        "username": bob.username,
        "first_name": "Bob",
        "last_name": "Rolle",
        "avatar_url": None,
        "headline": "Chef at a Nassau resort",
    }
    assert set(item["image"]) == {"url", "thumbnail_url"}
    assert (item["like_count"], item["comment_count"], item["liked_by_me"]) == (1, 1, True)
    assert 'rel="nofollow noopener ugc"' in item["body_html"]
    (bobs_item,) = (await _feed(client, bob))["items"]
    assert bobs_item["liked_by_me"] is False


async def test_feed_pages_with_a_cursor(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(client, runtime, "Ann")
    for n in range(5):
        await _post_id(client, ann, f"post {n}")
    seen: list[str] = []
    cursor = ""
    for _ in range(3):
        page = await _feed(client, ann, f"?limit=2{cursor}")
        seen += _bodies(page)
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == ["post 4", "post 3", "post 2", "post 1", "post 0"]
    bad = await client.get("/api/feed?cursor=not-a-cursor", headers=ann.headers)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "validation_error")
    assert (await client.get("/api/feed?limit=101", headers=ann.headers)).status_code == 422


async def test_feed_leaves_out_blocked_people(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await follow(runtime, ann.id, bob.id)
    await _post_id(client, bob, "from bob")
    await _post_id(client, ann, "from ann")
    assert _bodies(await _feed(client, ann)) == ["from ann", "from bob"]  # warms the cache
    await block(runtime, bob.id, ann.id)  # a follow row left in place: the block alone must hide him
    assert _bodies(await _feed(client, ann)) == ["from ann"]
    assert _bodies(await _feed(client, ann, "?limit=5")) == ["from ann"]  # and uncached


async def _seed_feed(runtime: Runtime, viewer: uuid.UUID, authors: int, posts: int, prefix: str) -> None:
    """`posts` posts by `authors` people the viewer follows, each liked and commented on by
    several people, some mentioning others."""
    people = await add_people(runtime, authors, prefix)
    await follow(runtime, viewer, *people)
    images = [await add_upload(runtime, person) for person in people]
    avatars = [await add_upload(runtime, person, UploadPurpose.AVATAR) for person in people]
    now = utcnow()
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(
            Profile(user_id=person, headline=f"Headline {n}", avatar_upload_id=avatars[n])
            for n, person in enumerate(people)
        )
        new_posts = [
            Post(
                author_id=people[n % authors],
                body=f"Post {n} for @{prefix}0 and @{prefix}{(n + 1) % authors} https://example.com/{n}",
                created_at=now - timedelta(minutes=n),
                like_count=min(3, authors),
                comment_count=2,
                image_upload_id=images[n % authors] if n % 2 else None,
            )
            for n in range(posts)
        ]
        session.add_all(new_posts)
        await session.flush()
        for post in new_posts:
            session.add_all(PostLike(post_id=post.id, user_id=person) for person in people[:3])
            session.add_all(Comment(post_id=post.id, author_id=person, body="Great") for person in people[:2])
        session.add(PostLike(post_id=new_posts[0].id, user_id=viewer))


async def _feed_queries(client: httpx.AsyncClient, runtime: Runtime, who: Member, expected: int) -> int:
    with counted_queries(runtime) as log:
        page = await _feed(client, who, "?limit=50")
    assert len(page["items"]) == expected
    assert page["items"][1]["image"] is not None
    assert all(item["author"]["avatar_url"] for item in page["items"])
    assert all("/u/" in item["body_html"] for item in page["items"])
    return log.count


async def test_a_feed_page_costs_the_same_queries_however_long(client: httpx.AsyncClient, runtime: Runtime) -> None:
    small, large = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await _seed_feed(runtime, small.id, authors=2, posts=3, prefix="few")
    await _seed_feed(runtime, large.id, authors=10, posts=25, prefix="many")
    await _feed(client, small, "?limit=1")  # first request of a connection may run setup queries
    await timelines.timelines_of(runtime.store, runtime.settings.cache_feed_ttl).drop(small.id, large.id)
    # First read: builds the timeline from the database; second: reads the timeline.
    misses = [await _feed_queries(client, runtime, who, n) for who, n in ((small, 3), (large, 25))]
    hits = [await _feed_queries(client, runtime, who, n) for who, n in ((small, 3), (large, 25))]
    assert misses[0] == misses[1], misses
    assert hits[0] == hits[1], hits
    # Signed-in user + session (1), the page (1), the mentions of the page (1); building the
    # timeline adds the choice of its posts (1).
    assert hits[0] <= 3, hits
    assert misses[0] == hits[0] + 1, (misses, hits)


async def test_a_new_post_is_in_the_author_s_and_followers_feeds_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob, cy = [await member(client, runtime, name) for name in ("Ann", "Bob", "Cy")]
    await follow(runtime, bob.id, ann.id)
    await _post_id(client, ann, "older")
    assert _bodies(await _feed(client, ann)) == ["older"]  # both timelines are built ...
    assert _bodies(await _feed(client, bob)) == ["older"]
    await _post_id(client, ann, "brand new")
    assert _bodies(await _feed(client, ann)) == ["brand new", "older"]  # ... the author's before the answer
    await runtime.tasks.drain()  # the fan-out to followers runs in the background
    assert _bodies(await _feed(client, bob)) == ["brand new", "older"]
    assert _bodies(await _feed(client, cy)) == []


async def test_following_someone_shows_their_posts_at_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    for n in range(3):
        await _post_id(client, bob, f"bob {n}")
    await _post_id(client, ann, "ann")
    assert _bodies(await _feed(client, ann, "?limit=2")) == ["ann"]
    assert (await client.post(f"/api/users/{bob.username}/follow", headers=ann.headers)).status_code == 200
    page = await _feed(client, ann, "?limit=2")
    assert _bodies(page) == ["ann", "bob 2"]
    rest = await _feed(client, ann, f"?limit=2&cursor={page['next_cursor']}")
    assert _bodies(rest) == ["bob 1", "bob 0"]
    assert (await client.delete(f"/api/users/{bob.username}/follow", headers=ann.headers)).status_code == 200
    assert _bodies(await _feed(client, ann)) == ["ann"]


async def test_cached_feed_pages_stay_live(client: httpx.AsyncClient, runtime: Runtime) -> None:
    """A cache hit shows current counts, likes, edits and deletions, and applies unfollows."""
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await follow(runtime, ann.id, bob.id)
    bobs = await _post_id(client, bob, "bob's")
    anns = await _post_id(client, ann, "ann's")
    assert _bodies(await _feed(client, ann)) == ["ann's", "bob's"]
    await client.post(f"/api/posts/{bobs}/like", headers=ann.headers)
    await client.patch(f"/api/posts/{anns}", json={"body": "ann's, edited"}, headers=ann.headers)
    items = (await _feed(client, ann))["items"]
    assert [(i["body"], i["like_count"], i["liked_by_me"]) for i in items] == [
        ("ann's, edited", 0, False),
        ("bob's", 1, True),
    ]
    await client.delete(f"/api/posts/{anns}", headers=ann.headers)
    assert _bodies(await _feed(client, ann)) == ["bob's"]
    async with runtime.database.sessionmaker.begin() as session:
        follow_row = (await session.execute(select(Follow).where(Follow.follower_id == ann.id))).scalar_one()
        await session.delete(follow_row)
    assert _bodies(await _feed(client, ann)) == []


async def test_cached_first_page_hands_over_to_the_next_without_gaps(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await follow(runtime, ann.id, bob.id)
    for n in range(4):
        await _post_id(client, bob, f"bob {n}")
    first = await _feed(client, ann, "?limit=2")
    assert _bodies(first) == ["bob 3", "bob 2"]
    await _post_id(client, ann, "ann new")
    cached = await _feed(client, ann, "?limit=2")
    assert _bodies(cached) == ["ann new", "bob 3"]
    rest = await _feed(client, ann, f"?limit=10&cursor={cached['next_cursor']}")
    assert _bodies(rest) == ["bob 2", "bob 1", "bob 0"]


async def test_pages_deeper_than_the_timeline_come_from_the_database(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timelines, "LENGTH", 3)
    monkeypatch.setattr(feed, "LENGTH", 3)
    ann, bob = await member(client, runtime, "Ann"), await member(client, runtime, "Bob")
    await follow(runtime, ann.id, bob.id)
    for n in range(7):  # the Free plan's five posts a month each
        await _post_id(client, ann if n % 2 else bob, f"post {n}")
    seen: list[str] = []
    cursor = ""
    while True:
        page = await _feed(client, ann, f"?limit=2{cursor}")
        seen += _bodies(page)
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [f"post {n}" for n in reversed(range(7))]
