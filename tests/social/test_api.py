"""Follow / unfollow, block / unblock and the followers / following lists over the API."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AccountType, Follow, Notification, User
from hiremebahamas.models.base import utcnow
from tests.helpers import signed_up
from tests.profiles.factory import member


async def _notifications(runtime: Runtime) -> list[Notification]:
    async with runtime.database.sessionmaker() as session:
        return list((await session.execute(select(Notification))).scalars())


async def test_follow_is_idempotent_and_notifies_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    first = await client.post("/api/users/bob/follow", headers=ann.headers)
    assert first.status_code == 200, first.text
    assert first.json() == {"username": "bob", "following": True, "followers_count": 1, "following_count": 0}
    again = await client.post("/api/users/BOB/follow", headers=ann.headers)
    assert again.json() == first.json()
    (notification,) = await _notifications(runtime)
    assert notification.user_id == bob.id
    assert notification.type == "follow.created"
    assert notification.actor_id == ann.id
    assert notification.data == {"username": "ann"}
    me = (await client.get("/api/users/me", headers=ann.headers)).json()["profile"]
    assert me["following_count"] == 1
    gone = await client.delete("/api/users/bob/follow", headers=ann.headers)
    assert gone.status_code == 200
    assert gone.json() == {"username": "bob", "following": False, "followers_count": 0, "following_count": 0}
    assert (await client.delete("/api/users/bob/follow", headers=ann.headers)).json() == gone.json()


async def test_follow_and_block_failures(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await member(runtime, "gone", active=False)
    await member(runtime, "private", visibility="members")
    myself = await client.post("/api/users/ann/follow", headers=ann.headers)
    assert myself.status_code == 400
    assert myself.json()["error"]["message"] == "You cannot follow yourself."
    assert (await client.post("/api/users/nobody/follow", headers=ann.headers)).status_code == 404
    assert (await client.post("/api/users/gone/follow", headers=ann.headers)).status_code == 404
    assert (await client.post("/api/users/private/follow")).status_code == 401
    assert (await client.post("/api/users/private/follow", headers=ann.headers)).status_code == 200
    assert await _notifications(runtime) != []
    await member(runtime, "bob")
    account = await signed_up(client, runtime, "fresh@example.com", verified=False)
    response = await client.post("/api/users/bob/follow", headers=account.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_unverified"
    assert (await client.post("/api/users/ann/block", headers=ann.headers)).status_code == 400
    assert (await client.post("/api/users/nobody/block", headers=ann.headers)).status_code == 404
    assert (await client.post("/api/users/ann/block")).status_code == 401
    assert (await client.delete("/api/users/nobody/block", headers=ann.headers)).status_code == 404
    assert (await client.get("/api/users/me/blocked")).status_code == 401


async def test_block_ends_follows_and_stops_new_ones(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await client.post("/api/users/bob/follow", headers=ann.headers)
    await client.post("/api/users/ann/follow", headers=bob.headers)
    blocked = await client.post("/api/users/bob/block", headers=ann.headers)
    assert blocked.status_code == 200
    assert blocked.json() == {"username": "bob", "blocked": True}
    assert (await client.post("/api/users/bob/block", headers=ann.headers)).status_code == 200  # idempotent
    for who, other in ((ann, "bob"), (bob, "ann")):
        assert (await client.post(f"/api/users/{other}/follow", headers=who.headers)).status_code == 404
    counts = (await client.get("/api/users/ann")).json()["profile"]
    assert counts["followers_count"] == counts["following_count"] == 0
    listed = (await client.get("/api/users/me/blocked", headers=ann.headers)).json()
    assert [person["username"] for person in listed["items"]] == ["bob"]
    assert (await client.get("/api/users/me/blocked", headers=bob.headers)).json()["items"] == []

    # The blocked person can block back; unblocking one side leaves the other block standing.
    assert (await client.post("/api/users/ann/block", headers=bob.headers)).status_code == 200
    unblocked = await client.delete("/api/users/bob/block", headers=ann.headers)
    assert unblocked.json() == {"username": "bob", "blocked": False}
    assert (await client.get("/api/users/bob", headers=ann.headers)).status_code == 404
    await client.delete("/api/users/ann/block", headers=bob.headers)
    assert (await client.get("/api/users/bob", headers=ann.headers)).status_code == 200
    assert (await client.post("/api/users/bob/follow", headers=ann.headers)).status_code == 200


async def test_followers_and_following_lists(client: httpx.AsyncClient, runtime: Runtime) -> None:
    star = await member(runtime, "star", first_name="Star")
    fans = [await member(runtime, f"fan-{n}", headline=f"Fan {n}") for n in range(5)]
    for fan in fans:
        assert (await client.post("/api/users/star/follow", headers=fan.headers)).status_code == 200
    await client.post("/api/users/fan-0/follow", headers=star.headers)

    first = await client.get("/api/users/star/followers?limit=2")
    assert first.status_code == 200
    body = first.json()
    assert [p["username"] for p in body["items"]] == ["fan-4", "fan-3"]  # newest follow first
    assert body["items"][0]["headline"] == "Fan 4"
    seen = [p["username"] for p in body["items"]]
    while body["next_cursor"]:
        body = (await client.get(f"/api/users/star/followers?limit=2&cursor={body['next_cursor']}")).json()
        seen += [p["username"] for p in body["items"]]
    assert seen == ["fan-4", "fan-3", "fan-2", "fan-1", "fan-0"]

    following = (await client.get("/api/users/star/following")).json()
    assert [p["username"] for p in following["items"]] == ["fan-0"]
    assert following["next_cursor"] is None
    assert (await client.get("/api/users/fan-0/following")).json()["items"][0]["username"] == "star"


async def test_lists_respect_visibility_and_blocks(client: httpx.AsyncClient, runtime: Runtime) -> None:
    star = await member(runtime, "star")
    shy = await member(runtime, "shy", visibility="members")
    rude = await member(runtime, "rude")
    viewer = await member(runtime, "viewer")
    for fan in (shy, rude):
        await client.post("/api/users/star/follow", headers=fan.headers)
    await client.post("/api/users/rude/block", headers=viewer.headers)

    def names(response: httpx.Response) -> list[str]:
        return [p["username"] for p in response.json()["items"]]

    assert names(await client.get("/api/users/star/followers")) == ["rude"]  # visitors: public profiles only
    assert names(await client.get("/api/users/star/followers", headers=viewer.headers)) == ["shy"]
    assert names(await client.get("/api/users/star/followers", headers=star.headers)) == ["rude", "shy"]
    assert (await client.get("/api/users/shy/following")).status_code == 404
    assert (await client.get("/api/users/shy/following", headers=viewer.headers)).status_code == 200
    assert (await client.get("/api/users/viewer/followers", headers=rude.headers)).status_code == 404
    assert (await client.get("/api/users/nobody/followers")).status_code == 404
    bad = await client.get("/api/users/star/followers?cursor=not-a-cursor")
    assert bad.status_code == 422
    assert (await client.get("/api/users/star/followers?limit=101")).status_code == 422


async def test_free_plan_follows_up_to_100_people(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        people = [
            User(
                email=f"p{n}@example.com",
                username=f"p{n}",
                password_hash="unused",
                first_name="P",
                last_name=str(n),
                account_type=AccountType.JOB_SEEKER,
                email_verified_at=utcnow(),
            )
            for n in range(101)
        ]
        session.add_all(people)
        await session.flush()
        session.add_all([Follow(follower_id=ann.id, followee_id=person.id) for person in people[:99]])
    assert (await client.post("/api/users/p99/follow", headers=ann.headers)).status_code == 200  # the 100th
    refused = await client.post("/api/users/p100/follow", headers=ann.headers)
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "upgrade_required"
    assert refused.json()["error"]["required_tier"] == "pro"
    me = (await client.get("/api/users/me", headers=ann.headers)).json()["profile"]
    assert me["following_count"] == 100
    assert len(await _notifications(runtime)) == 1  # the refused follow notified nobody
