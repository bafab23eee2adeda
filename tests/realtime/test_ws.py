"""WS /ws on a real server: who may connect, what they hear, typing, limits, the gauge."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from hiremebahamas.core.runtime import Runtime
from tests.messaging.people import block, member
from tests.realtime.live import next_event, no_event, open_socket, served

ORIGIN = "http://testserver"  # BASE_URL of the test settings


async def test_cookie_sockets_must_come_from_our_site(app: Any, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    async with served(app) as base:
        async with open_socket(base, cookie=ann.cookie, origin=ORIGIN) as socket:
            hello = await next_event(socket, "hello")
            assert hello["data"]["user_id"] == str(ann.id)
        for origin in ("https://evil.example", None):
            with pytest.raises(InvalidStatus) as refused:
                async with open_socket(base, cookie=ann.cookie, origin=origin):
                    pass
            assert refused.value.response.status_code == 403


async def test_a_bearer_token_in_the_subprotocol(app: Any, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    async with served(app) as base, open_socket(base, token=ann.access_token) as socket:
        assert socket.subprotocol == "bearer"
        assert (await next_event(socket, "hello"))["data"]["user_id"] == str(ann.id)
        await socket.send(json.dumps({"type": "ping"}))
        await next_event(socket, "pong")


async def test_a_bearer_token_in_the_authorization_header(app: Any, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    async with served(app) as base:
        # No Origin check for a token (another site's page cannot send the header), and the
        # header wins over a cookie the client also carries.
        bearer = f"Bearer {ann.access_token}"
        async with open_socket(base, authorization=bearer, cookie=bob.cookie, origin="https://app.example") as socket:
            assert socket.subprotocol is None  # none was offered
            assert (await next_event(socket, "hello"))["data"]["user_id"] == str(ann.id)
            await socket.send(json.dumps({"type": "ping"}))
            await next_event(socket, "pong")
        async with open_socket(base, authorization=f"bearer {ann.access_token}", token=ann.access_token) as socket:
            assert socket.subprotocol == "bearer"
            assert (await next_event(socket, "hello"))["data"]["user_id"] == str(ann.id)


@pytest.mark.parametrize("credentials", ["none", "bad-token", "bad-cookie", "bad-header", "basic-header"])
async def test_strangers_are_closed_with_4401(app: Any, runtime: Runtime, credentials: str) -> None:
    options: dict[str, str] = {
        "none": {},
        "bad-token": {"token": "not.a.token"},
        "bad-cookie": {"cookie": "abc.def", "origin": ORIGIN},
        "bad-header": {"authorization": "Bearer not.a.token"},
        "basic-header": {"authorization": "Basic YW5uOnNlY3JldA=="},
    }[credentials]
    async with served(app) as base, open_socket(base, **options) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401


async def test_messages_reads_and_typing_arrive_live(app: Any, client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    async with (
        served(app) as base,
        open_socket(base, token=ann.access_token) as ann_ws,
        open_socket(base, cookie=bob.cookie, origin=ORIGIN) as bob_ws,
    ):
        await next_event(ann_ws, "hello")
        await next_event(bob_ws, "hello")
        response = await client.post(
            "/api/conversations", json={"recipient": bob.username, "body": "Live?"}, headers=ann.headers
        )
        conversation_id = response.json()["conversation"]["id"]
        for socket in (ann_ws, bob_ws):
            event = await next_event(socket, "message.created")
            assert event["data"]["message"]["body"] == "Live?"
            assert event["data"]["message"]["conversation_id"] == conversation_id
        notification = await next_event(bob_ws, "notification.created")
        assert notification["data"]["notification"]["type"] == "message.created"
        assert notification["data"]["notification"]["actor"]["username"] == ann.username

        await bob_ws.send(json.dumps({"type": "typing", "data": {"conversation_id": conversation_id}}))
        typing = await next_event(ann_ws, "typing")
        assert typing["data"] == {
            "conversation_id": conversation_id,
            "user": {
                "id": str(bob.id),
                "username": bob.username,
                "first_name": "Bob",
                "last_name": "Rolle",
                "avatar_url": None,
            },
        }
        assert await no_event(bob_ws, "typing")  # not echoed to the typist

        await client.post(f"/api/conversations/{conversation_id}/read", headers=bob.headers)
        read = await next_event(ann_ws, "read")
        assert read["data"]["reader"]["username"] == bob.username
        assert read["data"]["last_read_message_id"] == response.json()["message"]["id"]


async def test_typing_goes_nowhere_without_a_shared_open_conversation(
    app: Any, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob, eve = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Eve")
    response = await client.post(
        "/api/conversations", json={"recipient": bob.username, "body": "Hi"}, headers=ann.headers
    )
    conversation_id = response.json()["conversation"]["id"]
    await block(runtime, bob.id, ann.id)
    async with (
        served(app) as base,
        open_socket(base, token=ann.access_token) as ann_ws,
        open_socket(base, token=eve.access_token) as eve_ws,
    ):
        await next_event(ann_ws, "hello")
        await eve_ws.send(json.dumps({"type": "typing", "data": {"conversation_id": conversation_id}}))
        await eve_ws.send("not json")
        await eve_ws.send(json.dumps({"type": "typing", "data": {"conversation_id": "nope"}}))
        async with open_socket(base, token=bob.access_token) as bob_ws:
            await next_event(bob_ws, "hello")
            await bob_ws.send(json.dumps({"type": "typing", "data": {"conversation_id": conversation_id}}))
            assert await no_event(ann_ws, "typing")


async def test_oversized_frames_close_the_socket(app: Any, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    async with served(app) as base, open_socket(base, token=ann.access_token) as socket:
        await next_event(socket, "hello")
        await socket.send("x" * 5000)
        with pytest.raises(ConnectionClosed) as closed:
            await next_event(socket, "never")
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009


async def test_open_connections_are_counted(app: Any, client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")

    async def gauge() -> float:
        text = (await client.get("/metrics")).text
        line = next(line for line in text.splitlines() if line.startswith("websocket_connections "))
        return float(line.split()[1])

    before = await gauge()
    async with (
        served(app) as base,
        open_socket(base, token=ann.access_token) as one,
        open_socket(base, token=bob.access_token) as two,
    ):
        await next_event(one, "hello")
        await next_event(two, "hello")
        assert await gauge() == before + 2
    for _ in range(50):
        if await gauge() == before:
            break
        await asyncio.sleep(0.05)
    assert await gauge() == before
