"""The conversations API: starting, sending, idempotent retries, blocks, reading, paging."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from tests.factories import Member
from tests.messaging.people import block, member, messages_in, notifications_of


async def start(
    client: httpx.AsyncClient, sender: Member, recipient: Member, body: str = "Hi", **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/conversations", json={"recipient": recipient.username, "body": body, **extra}, headers=sender.headers
    )


async def send(
    client: httpx.AsyncClient, sender: Member, conversation_id: str, body: str, key: str | None = None
) -> httpx.Response:
    headers = {**sender.headers, **({"Idempotency-Key": key} if key else {})}
    return await client.post(f"/api/conversations/{conversation_id}/messages", json={"body": body}, headers=headers)


async def conversation_of(client: httpx.AsyncClient, who: Member, conversation_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/conversations/{conversation_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    conversation: dict[str, Any] = response.json()["conversation"]
    return conversation


async def test_start_a_conversation_and_reply(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    response = await start(client, ann, bob, "  Hello Bob, are you hiring?  ")
    assert response.status_code == 201, response.text
    body = response.json()
    conversation_id = body["conversation"]["id"]
    assert body["message"]["body"] == "Hello Bob, are you hiring?"
    assert body["message"]["sender"]["username"] == ann.username
    assert body["conversation"]["other"]["username"] == bob.username
    assert body["conversation"]["started_by_me"] is True

    inbox = (await client.get("/api/conversations", headers=bob.headers)).json()
    (item,) = inbox["items"]
    assert item["id"] == conversation_id
    assert item["unread_count"] == 1
    assert item["started_by_me"] is False
    assert item["last_message"]["body"] == "Hello Bob, are you hiring?"

    reply = await send(client, bob, conversation_id, "Yes, send me your CV.")
    assert reply.status_code == 201, reply.text
    # Starting again with the same person continues the same (one-to-one) conversation.
    again = await start(client, ann, bob, "Sending it now.")
    assert again.status_code == 201
    assert again.json()["conversation"]["id"] == conversation_id
    bodies = [m.body for m in await messages_in(runtime, conversation_id)]
    assert bodies == ["Hello Bob, are you hiring?", "Yes, send me your CV.", "Sending it now."]
    mine = await conversation_of(client, ann, conversation_id)
    assert mine["unread_count"] == 1  # Bob's reply
    assert mine["last_message"]["body"] == "Sending it now."


async def test_who_can_message_whom(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    unverified = await member(runtime, "Cat", verified=False)

    response = await start(client, ann, ann)
    assert response.status_code == 400
    response = await client.post(
        "/api/conversations", json={"recipient": "nobody-here", "body": "Hi"}, headers=ann.headers
    )
    assert response.status_code == 404
    assert "recipient" in response.json()["error"]["fields"]
    response = await start(client, unverified, bob)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_unverified"
    response = await client.post("/api/conversations", json={"recipient": bob.username, "body": "Hi"})
    assert response.status_code == 401
    response = await client.post("/api/conversations", json={"body": "Hi"}, headers=ann.headers)
    assert response.status_code == 422
    assert (await client.get("/api/conversations", headers=unverified.headers)).json()["items"] == []


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 5001])
async def test_message_length_is_checked(client: httpx.AsyncClient, runtime: Runtime, body: str) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    response = await start(client, ann, bob, body)
    assert response.status_code == 422, response.text
    assert "body" in response.json()["error"]["fields"]


async def test_the_longest_message_is_accepted(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    response = await start(client, ann, bob, "x" * 5000)
    assert response.status_code == 201
    conversation_id = response.json()["conversation"]["id"]
    assert (await send(client, ann, conversation_id, "y" * 5001)).status_code == 422
    assert len(await messages_in(runtime, conversation_id)) == 1


@pytest.mark.parametrize("who_blocks", ["sender", "recipient"])
async def test_a_block_either_way_stops_messages(client: httpx.AsyncClient, runtime: Runtime, who_blocks: str) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    conversation_id = (await start(client, ann, bob)).json()["conversation"]["id"]
    if who_blocks == "sender":
        await block(runtime, ann.id, bob.id)
    else:
        await block(runtime, bob.id, ann.id)

    for response in (await start(client, ann, bob), await send(client, ann, conversation_id, "Still there?")):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    assert (await send(client, bob, conversation_id, "Hello?")).status_code == 403
    assert len(await messages_in(runtime, conversation_id)) == 1
    # The history stays readable, marked as closed to new messages.
    assert (await conversation_of(client, ann, conversation_id))["can_send"] is False


async def test_outsiders_see_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, eve = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Eve")
    conversation_id = (await start(client, ann, bob)).json()["conversation"]["id"]
    base = f"/api/conversations/{conversation_id}"
    assert (await client.get(base, headers=eve.headers)).status_code == 404
    assert (await client.get(f"{base}/messages", headers=eve.headers)).status_code == 404
    assert (await send(client, eve, conversation_id, "Let me in")).status_code == 404
    assert (await client.post(f"{base}/read", headers=eve.headers)).status_code == 404
    assert (await client.get(f"{base}/messages")).status_code == 401
    assert (await client.get("/api/conversations/not-an-id", headers=ann.headers)).status_code == 404
    assert len(await messages_in(runtime, conversation_id)) == 1


async def test_a_retried_send_is_stored_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    first = await start(client, ann, bob, "Hello", client_id="start-1")
    assert first.status_code == 201
    retried = await start(client, ann, bob, "Hello", client_id="start-1")
    assert retried.status_code == 200
    assert retried.json()["message"]["id"] == first.json()["message"]["id"]
    conversation_id = first.json()["conversation"]["id"]

    sent = await send(client, ann, conversation_id, "Are you there?", key="send-2")
    again = await send(client, ann, conversation_id, "Are you there?", key="send-2")
    assert (sent.status_code, again.status_code) == (201, 200)
    assert again.json()["message"]["id"] == sent.json()["message"]["id"]
    assert again.json()["message"]["client_id"] == "send-2"
    assert [m.body for m in await messages_in(runtime, conversation_id)] == ["Hello", "Are you there?"]
    inbox = (await client.get("/api/conversations", headers=bob.headers)).json()
    assert inbox["items"][0]["unread_count"] == 2
    # Each person has their own keys: Bob may use the same one.
    assert (await send(client, bob, conversation_id, "Yes", key="send-2")).status_code == 201


async def test_concurrent_retries_make_one_message(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    conversation_id = (await start(client, ann, bob)).json()["conversation"]["id"]
    answers = await asyncio.gather(*(send(client, ann, conversation_id, "Once", key="same-key") for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [200, 200, 201]
    assert len({a.json()["message"]["id"] for a in answers}) == 1
    assert [m.body for m in await messages_in(runtime, conversation_id)] == ["Hi", "Once"]


async def test_a_key_belongs_to_one_conversation(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Cat")
    with_bob = (await start(client, ann, bob, client_id="k1")).json()["conversation"]["id"]
    with_cat = (await start(client, ann, cat)).json()["conversation"]["id"]
    response = await send(client, ann, with_cat, "Hi Cat", key="k1")
    assert response.status_code == 409
    assert len(await messages_in(runtime, with_cat)) == 1
    assert len(await messages_in(runtime, with_bob)) == 1
    too_long = await send(client, ann, with_cat, "Hi", key="k" * 101)
    assert too_long.status_code == 422


async def test_read_receipts_and_unread_counts(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    conversation_id = (await start(client, ann, bob, "One")).json()["conversation"]["id"]
    await send(client, ann, conversation_id, "Two")
    last = (await send(client, ann, conversation_id, "Three")).json()["message"]
    counts = (await client.get("/api/notifications/counts", headers=bob.headers)).json()
    assert counts == {"notifications": 1, "conversations": 1}  # one notification per unread stretch
    assert (await conversation_of(client, bob, conversation_id))["unread_count"] == 3
    assert (await conversation_of(client, ann, conversation_id))["other_last_read_message_id"] is None

    receipt = await client.post(f"/api/conversations/{conversation_id}/read", headers=bob.headers)
    assert receipt.status_code == 200
    assert receipt.json()["last_read_message_id"] == last["id"]
    assert receipt.json()["unread_count"] == 0
    seen = await conversation_of(client, ann, conversation_id)
    assert seen["other_last_read_message_id"] == last["id"]
    assert seen["other_last_read_at"] is not None
    page = (await client.get(f"/api/conversations/{conversation_id}/messages", headers=ann.headers)).json()
    assert page["other_last_read_message_id"] == last["id"]
    assert (await client.get("/api/notifications/counts", headers=bob.headers)).json() == {
        "notifications": 0,
        "conversations": 0,
    }
    # Reading again changes nothing; a new message starts a new unread stretch.
    assert (await client.post(f"/api/conversations/{conversation_id}/read", headers=bob.headers)).status_code == 200
    await send(client, ann, conversation_id, "Four")
    assert len(await notifications_of(runtime, bob.id, "message.created")) == 2
    assert (await conversation_of(client, bob, conversation_id))["unread_count"] == 1


async def test_messages_newest_last_with_paging_and_catch_up(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    conversation_id = (await start(client, ann, bob, "m0")).json()["conversation"]["id"]
    for n in range(1, 5):
        await send(client, ann if n % 2 else bob, conversation_id, f"m{n}")
    url = f"/api/conversations/{conversation_id}/messages"
    newest = (await client.get(url, params={"limit": 2}, headers=bob.headers)).json()
    assert [m["body"] for m in newest["items"]] == ["m3", "m4"]
    older = (await client.get(url, params={"limit": 2, "cursor": newest["next_cursor"]}, headers=bob.headers)).json()
    assert [m["body"] for m in older["items"]] == ["m1", "m2"]
    oldest = (await client.get(url, params={"limit": 2, "cursor": older["next_cursor"]}, headers=bob.headers)).json()
    assert [m["body"] for m in oldest["items"]] == ["m0"]
    assert oldest["next_cursor"] is None

    after = oldest["items"][0]["cursor"]
    caught_up = (await client.get(url, params={"after": after, "limit": 3}, headers=bob.headers)).json()
    assert [m["body"] for m in caught_up["items"]] == ["m1", "m2", "m3"]
    rest = (await client.get(url, params={"after": caught_up["next_cursor"]}, headers=bob.headers)).json()
    assert [m["body"] for m in rest["items"]] == ["m4"]
    assert rest["next_cursor"] is None
    assert (await client.get(url, params={"after": "garbage"}, headers=bob.headers)).status_code == 422


async def test_inbox_is_most_recent_first_with_paging(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    others = [await member(runtime, name) for name in ("Bob", "Cat", "Dan")]
    ids = [(await start(client, ann, other)).json()["conversation"]["id"] for other in others]
    await send(client, ann, ids[0], "bump")  # Bob's conversation moves to the top
    first = (await client.get("/api/conversations", params={"limit": 2}, headers=ann.headers)).json()
    assert [c["id"] for c in first["items"]] == [ids[0], ids[2]]
    second = (
        await client.get("/api/conversations", params={"cursor": first["next_cursor"]}, headers=ann.headers)
    ).json()
    assert [c["id"] for c in second["items"]] == [ids[1]]
    assert second["next_cursor"] is None
