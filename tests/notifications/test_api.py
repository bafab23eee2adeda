"""The notifications API: list with actors, unread filter, marking read, counts, preferences."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.notifications.service import notify
from tests.factories import Member
from tests.helpers import counted_queries
from tests.messaging.people import block, member


async def follow(client: httpx.AsyncClient, who: Member, whom: Member) -> None:
    response = await client.post(f"/api/users/{whom.username}/follow", headers=who.headers)
    assert response.status_code in (200, 201), response.text


async def test_list_shows_who_did_what_newest_first(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Cat")
    await follow(client, bob, ann)
    await follow(client, cat, ann)
    response = await client.get("/api/notifications", headers=ann.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["actor"]["username"] for i in items] == [cat.username, bob.username]
    assert items[0]["type"] == "follow.created"
    assert items[0]["text"] == "Cat Rolle started following you."
    assert items[0]["url"] == f"/u/{cat.username}"
    assert items[0]["read"] is False
    assert (await client.get("/api/notifications", headers=bob.headers)).json()["items"] == []
    assert (await client.get("/api/notifications")).status_code == 401


async def test_mark_some_or_all_read(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Cat")
    await follow(client, bob, ann)
    await follow(client, cat, ann)
    await follow(client, ann, bob)
    newest, older = (await client.get("/api/notifications", headers=ann.headers)).json()["items"]
    bobs = (await client.get("/api/notifications", headers=bob.headers)).json()["items"][0]

    # Someone else's id is ignored.
    response = await client.post(
        "/api/notifications/read", json={"ids": [newest["id"], bobs["id"]]}, headers=ann.headers
    )
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread_count": 1}
    unread = (await client.get("/api/notifications", params={"unread": "true"}, headers=ann.headers)).json()
    assert [i["id"] for i in unread["items"]] == [older["id"]]
    assert (await client.get("/api/notifications", headers=bob.headers)).json()["items"][0]["read"] is False

    response = await client.post("/api/notifications/read", json={"all": True}, headers=ann.headers)
    assert response.json() == {"marked": 1, "unread_count": 0}
    assert (await client.get("/api/notifications?unread=true", headers=ann.headers)).json()["items"] == []
    assert (await client.get("/api/notifications/counts", headers=ann.headers)).json()["notifications"] == 0


async def test_mark_read_refuses_what_is_not_ids_or_all(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    # Nothing named marks nothing; "all" with ids marks all, since all of them are among those.
    assert (await client.post("/api/notifications/read", json={}, headers=ann.headers)).json()["marked"] == 0
    both = await client.post("/api/notifications/read", json={"ids": [], "all": True}, headers=ann.headers)
    assert both.status_code == 200
    for body in (
        {"all": 1},
        {"ids": None},
        {"ids": ["nope"]},
        {"ids": ["00000000-0000-0000-0000-000000000000"] * 101},
    ):
        response = await client.post("/api/notifications/read", json=body, headers=ann.headers)
        assert response.status_code == 422, body
    assert (await client.post("/api/notifications/read", json={"all": True})).status_code == 401


async def test_blocked_people_disappear_from_the_list(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    await follow(client, bob, ann)
    await block(runtime, ann.id, bob.id)
    assert (await client.get("/api/notifications", headers=ann.headers)).json()["items"] == []


async def test_nobody_is_notified_of_their_own_actions(runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        assert await notify(session, ann.id, "post.liked", actor_id=ann.id) is None
        system = await notify(session, ann.id, "subscription.renewed", data={"message": "Pro renewed."})
        assert system is not None


async def test_paging_and_constant_queries(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    actors = [await member(runtime, f"P{n}") for n in range(5)]
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        for actor in actors:
            await notify(session, ann.id, "post.liked", actor_id=actor.id, data={"post_id": "x"})
    first = (await client.get("/api/notifications", params={"limit": 3}, headers=ann.headers)).json()
    second = (
        await client.get("/api/notifications", params={"cursor": first["next_cursor"]}, headers=ann.headers)
    ).json()
    assert len(first["items"]) == 3
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert {i["actor"]["username"] for i in first["items"] + second["items"]} == {a.username for a in actors}
    with counted_queries(runtime) as few:
        await client.get("/api/notifications", params={"limit": 1}, headers=ann.headers)
    with counted_queries(runtime) as many:
        await client.get("/api/notifications", params={"limit": 5}, headers=ann.headers)
    assert few.count == many.count


async def test_email_preferences(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    choices = (await client.get("/api/notifications/preferences", headers=ann.headers)).json()["items"]
    assert {c["type"]: c["email"] for c in choices} == {
        "application.created": True,
        "application.status_changed": True,
        "message.created": True,
        "subscription.updated": True,
        "lifecycle.welcome": True,
        "digest.weekly": True,
        "marketing_email": False,  # opt-in only
    }
    response = await client.put(
        "/api/notifications/preferences", json={"email": {"message.created": False}}, headers=ann.headers
    )
    assert response.status_code == 200
    assert {c["type"]: c["email"] for c in response.json()["items"]}["message.created"] is False
    refused = await client.put(
        "/api/notifications/preferences", json={"email": {"post.liked": True}}, headers=ann.headers
    )
    assert refused.status_code == 422
    assert (
        await client.put("/api/notifications/preferences", json={"email": "yes"}, headers=ann.headers)
    ).status_code == 422
    assert (await client.get("/api/notifications/preferences")).status_code == 401


async def test_all_must_be_a_boolean(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    for value in (0, 1, "true"):
        response = await client.post("/api/notifications/read", json={"all": value}, headers=ann.headers)
        assert response.status_code == 422, value


async def test_a_stage_change_written_before_labels_were_kept_reads_capitalised(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "Ann")
    async with runtime.database.sessionmaker() as session:
        data = {"job_title": "Cook", "status": "interview"}
        await notify(session, ann.id, "application.status_changed", data=data)
        await session.commit()
    items = (await client.get("/api/notifications", headers=ann.headers)).json()["items"]
    assert items[0]["text"] == "Your application for Cook is now: Interview."
