"""Serving the test app on a real port (uvicorn, in this event loop) and talking WebSocket to it."""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from tests.servers import free_port


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """The app on a free loopback port for the duration of the block; yields its ws:// base."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def open_socket(
    base: str,
    *,
    cookie: str | None = None,
    origin: str | None = None,
    token: str | None = None,
    authorization: str | None = None,
) -> Any:
    """A client for /ws: `token` is offered as the `bearer` subprotocol, `authorization` sent as
    the header of that name."""
    headers = {"Cookie": f"hmb_session={cookie}"} if cookie else {}
    if authorization:
        headers["Authorization"] = authorization
    subprotocols = ["bearer", token] if token else None
    return connect(
        f"{base}/ws",
        additional_headers=headers or None,
        origin=origin,  # type: ignore[arg-type]
        subprotocols=subprotocols,  # type: ignore[arg-type]
        proxy=None,
        open_timeout=5,
    )


_BACKLOG: weakref.WeakKeyDictionary[ClientConnection, list[dict[str, Any]]] = weakref.WeakKeyDictionary()


async def next_event(socket: ClientConnection, type_: str, within: float = 5.0) -> dict[str, Any]:
    """The next event of `type_`. Events of other types received meanwhile are kept for later
    calls (events of one commit may be heard in any order relative to other commits)."""
    backlog = _BACKLOG.setdefault(socket, [])
    for event in backlog:
        if event["type"] == type_:
            backlog.remove(event)
            return event

    async def wait() -> dict[str, Any]:
        while True:
            event: dict[str, Any] = json.loads(await socket.recv())
            if event["type"] == type_:
                return event
            if event["type"] not in ("ping", "hello"):
                backlog.append(event)

    return await asyncio.wait_for(wait(), within)


async def no_event(socket: ClientConnection, type_: str, wait: float = 0.5) -> bool:
    try:
        await next_event(socket, type_, wait)
    except TimeoutError:
        return True
    return False
