"""`WS /ws`: a signed-in person's live events.

Authentication, the first of:
- an access token in the `Authorization: Bearer <token>` header of the handshake (API clients
  that can set headers, as with Mastodon's streaming API; browsers cannot).
- an access token in the `Sec-WebSocket-Protocol` header, offered as the two subprotocols
  `bearer, <access token>` (browsers: `new WebSocket(url, ["bearer", token])`).
  The server answers with the subprotocol `bearer`. Not a query parameter: URLs end up in logs.
- the session cookie (browsers). The `Origin` header must then be this site (BASE_URL's
  origin; in development also the Host the page was served from): another site's page cannot
  open a socket that rides on your cookie (cross-site WebSocket hijacking). A token needs no
  such check: another site's page has no way to send it.

After the handshake the server sends `{"type": "hello", ...}`, then events
(`message.created`, `notification.created`, `notification.read`, `read`, `typing`, and
`resync` when events may have been missed), and `{"type": "ping"}` every 25 seconds. A client
that hears nothing for a minute should reconnect, then catch up through the REST endpoints.
Clients may send `{"type": "typing", "data": {"conversation_id": ...}}` (relayed, never stored)
and `{"type": "ping"}` (answered with `pong`).

Close codes: 4401 not signed in (do not retry until signed in again), 4429 too many
handshakes (RATE_LIMIT_WS, per user, or per IP for those that fail to sign in) or too many
open connections (WS_MAX_CONNECTIONS_PER_USER, across instances with Redis): the reason says
which; wait before retrying. 1013 the client fell too far behind (reconnect and catch up),
1009 a frame over 4 KiB, 1008 refused origin.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from hiremebahamas.accounts import service as accounts
from hiremebahamas.config import Settings
from hiremebahamas.core.clientip import client_ip
from hiremebahamas.core.errors import RateLimited
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.core.realtime import CONNECTIONS, Subscription, encode
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.security import SESSION_COOKIE
from hiremebahamas.core.urls import origin_of
from hiremebahamas.messaging import service as messaging
from hiremebahamas.models import User

logger = logging.getLogger(__name__)
router = APIRouter()

PING_SECONDS = 25.0
REAUTHENTICATE_SECONDS = 300.0
MAX_FRAME_BYTES = 4096
TYPING_INTERVAL_SECONDS = 2.0
TYPING_CACHE_SECONDS = 60.0
BEARER = "bearer"
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_MANY = 4429
PING = encode({"type": "ping", "data": {}})
PONG = encode({"type": "pong", "data": {}})


@dataclass(frozen=True)
class Credentials:
    kind: str  # "bearer" | "cookie"
    value: str


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    origin = websocket.headers.get("origin")
    if not origin:
        return False
    if origin_of(origin) == origin_of(settings.base_url):
        return True
    host = websocket.headers.get("host", "")
    return settings.is_development and bool(host) and origin_of(origin).partition("://")[2] == host.lower()


def _offered_subprotocols(websocket: WebSocket) -> list[str]:
    return list(websocket.scope.get("subprotocols") or [])


def credentials(websocket: WebSocket) -> Credentials | None:
    if header := websocket.headers.get("authorization"):
        scheme, _, token = header.partition(" ")
        # Any other scheme is a failed sign-in, not a reason to fall back on the cookie.
        return Credentials(BEARER, token.strip() if scheme.lower() == BEARER else "")
    offered = _offered_subprotocols(websocket)
    if BEARER in offered:
        index = offered.index(BEARER)
        token = offered[index + 1] if index + 1 < len(offered) else ""
        return Credentials(BEARER, token)
    cookie = websocket.cookies.get(SESSION_COOKIE)
    return Credentials("cookie", cookie) if cookie else None


async def authenticate(runtime: Runtime, given: Credentials | None) -> User | None:
    """The signed-in user, from a short-lived database session (none is held while connected)."""
    if given is None or not given.value:
        return None
    async with runtime.database.sessionmaker() as session:
        if given.kind == BEARER:
            live = await accounts.resolve_access_token(session, runtime.settings, given.value)
        else:
            live = await accounts.resolve_cookie(session, given.value)
    if live is None or not live[1].is_active:
        return None
    return live[1]


@router.websocket("/ws")
async def live_events(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    given = credentials(websocket)
    if given is not None and given.kind == "cookie" and not origin_allowed(websocket, runtime.settings):
        await websocket.close(code=1008)  # before accepting: the handshake is refused (403)
        return
    user = await authenticate(runtime, given)
    # A client that offered no subprotocol must not be answered with one (it would hang up).
    await websocket.accept(subprotocol=BEARER if BEARER in _offered_subprotocols(websocket) else None)
    if (refusal := await _over_rate_limit(websocket, runtime, user)) is not None:
        await websocket.close(code=CLOSE_TOO_MANY, reason=refusal)
        return
    if user is None:
        await websocket.close(code=CLOSE_UNAUTHENTICATED, reason="unauthenticated")
        return
    slot, most = uuid.uuid4().hex, runtime.settings.ws_max_connections_per_user
    if not await runtime.connection_slots.claim(str(user.id), slot, most):
        await websocket.close(code=CLOSE_TOO_MANY, reason=f"too many connections: at most {most} at once")
        return
    try:
        await _serve(websocket, runtime, user, given, slot)
    finally:
        await runtime.connection_slots.release(str(user.id), slot)


async def _over_rate_limit(websocket: WebSocket, runtime: Runtime, user: User | None) -> str | None:
    """Why this handshake is one too many, or None. Counted per user once signed in (an office
    shares one IP); handshakes that fail to sign in are counted per IP."""
    if user is not None:
        identity = ("user", str(user.id))
    else:
        identity = ("ip", client_ip(websocket, runtime.settings.trusted_proxies))
    try:
        await runtime.limiter.hit(LimitScope.WS, *identity)
    except RateLimited as limited:
        return f"too many connection attempts: retry in {limited.retry_after} s"
    return None


async def _serve(websocket: WebSocket, runtime: Runtime, user: User, given: Credentials | None, slot: str) -> None:
    subscription = await runtime.broker.subscribe(user.id)
    CONNECTIONS.inc()
    try:
        await websocket.send_text(encode({"type": "hello", "data": {"user_id": str(user.id)}}))
        connection = _Connection(websocket, runtime, user, subscription, given, slot)
        await connection.run()
    except WebSocketDisconnect:
        pass
    finally:
        CONNECTIONS.dec()
        await runtime.broker.unsubscribe(subscription)


@dataclass
class _Connection:
    websocket: WebSocket
    runtime: Runtime
    user: User
    subscription: Subscription
    given: Credentials | None
    slot: str
    _typing_sent: dict[uuid.UUID, float] = field(default_factory=dict)
    _typing_to: dict[uuid.UUID, tuple[float, uuid.UUID | None, dict[str, Any]]] = field(default_factory=dict)

    async def run(self) -> None:
        sending = asyncio.create_task(self._send_events())
        receiving = asyncio.create_task(self._receive())
        holding = asyncio.create_task(self._hold_slot())
        done, pending = await asyncio.wait({sending, receiving, holding}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if (error := task.exception()) is not None and not isinstance(error, WebSocketDisconnect):
                raise error

    async def _close(self, code: int, reason: str = "") -> None:
        with contextlib.suppress(Exception):  # already gone
            await self.websocket.close(code=code, reason=reason)

    async def _hold_slot(self) -> None:
        """Keep this connection counted: an instance that dies stops refreshing, and its
        connections stop counting against their owners soon after."""
        slots = self.runtime.connection_slots
        while True:
            await asyncio.sleep(slots.refresh_seconds)
            await slots.refresh(str(self.user.id), self.slot)

    async def _send_events(self) -> None:
        checked = time.monotonic()
        while True:
            try:
                payload = await asyncio.wait_for(self.subscription.queue.get(), PING_SECONDS)
            except TimeoutError:
                payload = PING
            if payload is None:
                await self._close(1013, "too slow: reconnect and catch up")
                return
            if time.monotonic() - checked > REAUTHENTICATE_SECONDS:
                checked = time.monotonic()
                if await authenticate(self.runtime, self.given) is None:  # logged out meanwhile
                    await self._close(CLOSE_UNAUTHENTICATED, "unauthenticated")
                    return
            await self.websocket.send_text(payload)

    async def _receive(self) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text") or (message.get("bytes") or b"").decode(errors="replace")
            if len(text.encode()) > MAX_FRAME_BYTES:
                await self._close(1009, "frame too large")
                return
            await self._handle(text)

    async def _handle(self, text: str) -> None:
        try:
            incoming = json.loads(text)
        except ValueError:
            return
        if not isinstance(incoming, dict):
            return
        kind = incoming.get("type")
        if kind == "ping":
            self.subscription.offer(PONG)
        elif kind == "typing" and isinstance(incoming.get("data"), dict):
            with contextlib.suppress(ValueError, TypeError):
                await self._typing(uuid.UUID(str(incoming["data"].get("conversation_id"))))

    async def _typing(self, conversation_id: uuid.UUID) -> None:
        now = time.monotonic()
        if now - self._typing_sent.get(conversation_id, 0.0) < TYPING_INTERVAL_SECONDS:
            return
        if len(self._typing_sent) > 100:  # bounded: one connection, a handful of conversations
            self._typing_sent.clear()
            self._typing_to.clear()
        self._typing_sent[conversation_id] = now
        recipient, data = await self._typing_recipient(conversation_id, now)
        if recipient is not None:
            await self.runtime.broker.publish([recipient], {"type": messaging.TYPING_EVENT, "data": data})

    async def _typing_recipient(
        self, conversation_id: uuid.UUID, now: float
    ) -> tuple[uuid.UUID | None, dict[str, Any]]:
        cached = self._typing_to.get(conversation_id)
        if cached is not None and now - cached[0] < TYPING_CACHE_SECONDS:
            return cached[1], cached[2]
        async with self.runtime.database.sessionmaker() as session:
            view = await messaging.typing_recipient(session, self.user, conversation_id)
        recipient = view.other.id if view is not None else None
        data = {
            "conversation_id": str(conversation_id),
            "user": messaging.person_out(self.user).model_dump(mode="json"),
        }
        self._typing_to[conversation_id] = (now, recipient, data)
        return recipient, data
