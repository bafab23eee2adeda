"""A server-side copy of the answers every anonymous visitor gets alike (routes marked
`shared_when_anonymous`), kept in the key-value store (Redis in production).

A hit is answered before routing: no dependencies, no database, no template, no gzip. The
middleware sits inside HttpCacheMiddleware and outside CompressionMiddleware, so it stores the
bytes compression produced (one copy per encoding: gzip or identity) while every hit still gets
its Cache-Control, Vary, ETag and 304 from the HTTP cache policy, and its request id and security
headers from the request context.

- Looked up: GET requests that http_cache.py calls anonymous (no Authorization header, no
  session or flash cookie). HEAD goes to the app: API routes answer it with 405, and a copy
  would change that.
- Key: the path, the query with its parameters sorted and empty ones dropped (`?q=&island=` is
  `/jobs`), and the encoding.
- Stored: a 200 of a shared route with an area, whole (not streamed), at most MAX_BODY bytes,
  setting no cookie and not marked private (a CSRF token was written out). For
  CACHE_DEFAULT_TTL seconds; 0 turns the cache off. Shared routes say `X-Cache: HIT` or `MISS`.
- Invalidation by area: each shared route names the area its answer is built from; writers call
  `response_areas.invalidate_after_commit(session, area)`, which moves the area to a new version once the
  change commits (an inline task: before the writer's request answers). An entry is served only
  while its area is at the version it was stored under.
- Areas' versions are read from the store at most once a second per area and process, so a hit
  costs a single store read. The process that committed a change sees it at once; other
  processes and instances within about a second.
- No race with a change committing while a miss is being built: the version an entry is stored
  under is read after the answer was built, and the entry is dropped when that version is younger
  than the request (less a second when another process made it: clocks differ between instances).
- Not bounded by the versions: what changes without a writer announcing it (a job passing its
  closing date or the end of its featured days) shows within CACHE_DEFAULT_TTL. Routes where such a
  change must show at once (profiles: a suspension made in a database console) have no area and
  are not kept here.
- The store failing is a miss (logged at most once a minute), never an error.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hiremebahamas.config import Settings
from hiremebahamas.core import metrics
from hiremebahamas.core.cache import STORE_ERRORS, KeyValueStore
from hiremebahamas.core.compression import accepts_gzip
from hiremebahamas.core.http_cache import CacheKind, anonymous, marked_private, shared_area
from hiremebahamas.core.middleware import route_template
from hiremebahamas.core.response_areas import area_versions

logger = logging.getLogger(__name__)

MAX_BODY = 512 * 1024
# Paths seen to have no shared route (log-in page, static files, /health): answered without a
# look-up. Bounded, since any path can be asked for.
_NOT_SHARED_PATHS = 4096
_UNAVAILABLE_LOG_INTERVAL = 60.0
_CACHE = "response"


def cache_key(scope: Scope) -> str:
    # Blank values kept: `?limit=` is not `?` (the API refuses the first), so it must not be
    # answered with the copy of the second.
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    pairs.sort(key=lambda pair: pair[0])  # stable: repeated parameters keep their order
    target = scope["path"] + "?" + urlencode(pairs)
    encoding = "gzip" if accepts_gzip(Headers(scope=scope).get("accept-encoding", "")) else "identity"
    return f"response:{encoding}:{hashlib.blake2b(target.encode(), digest_size=16).hexdigest()}"


@dataclass(frozen=True)
class CachedRoute:
    """Stands in for the route a hit did not reach: the HTTP cache policy reads its kind, the
    access log and metrics its path template."""

    path: str
    http_cache_kind = CacheKind.SHARED


@dataclass(frozen=True)
class Entry:
    area: str
    version: str
    route: str
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def dumps(self) -> bytes:
        meta = {
            "a": self.area,
            "v": self.version,
            "r": self.route,
            "h": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in self.headers],
        }
        return orjson.dumps(meta) + b"\n" + self.body

    @classmethod
    def loads(cls, raw: bytes) -> Entry:
        meta, _, body = raw.partition(b"\n")
        data: dict[str, Any] = orjson.loads(meta)
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in data["h"]]
        return cls(data["a"], data["v"], data["r"], headers, body)


class ResponseCacheMiddleware:
    def __init__(
        self, app: ASGIApp, store: KeyValueStore, settings: Settings, *, personal_cookies: Collection[str]
    ) -> None:
        self.app = app
        self.store = store
        self.ttl = settings.cache_default_ttl
        self.versions = area_versions(store, self.ttl)
        self.personal_cookies = frozenset(personal_cookies)
        self.not_shared: set[str] = set()
        self._warned_at = -math.inf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.ttl <= 0:
            await self.app(scope, receive, send)
        elif scope["method"] != "GET" or not anonymous(scope, self.personal_cookies):
            await self.app(scope, receive, send)
            if shared_area(scope) is not None:
                metrics.count_cache(_CACHE, "bypass")
        elif scope["path"] in self.not_shared:
            await self.app(scope, receive, send)
        else:
            key = cache_key(scope)
            entry = await self._lookup(key)
            if entry is not None:
                metrics.count_cache(_CACHE, "hit")
                await self._replay(scope, entry, send)
            else:
                await self._answer_and_keep(scope, receive, send, key)

    async def _lookup(self, key: str) -> Entry | None:
        try:
            raw = await self.store.get_bytes(key)
            if raw is None:
                return None
            entry = Entry.loads(raw)
            current = await self.versions.current(entry.area)
        except STORE_ERRORS:
            self._store_failed()
            return None
        return entry if entry.version == current.token else None

    async def _replay(self, scope: Scope, entry: Entry, send: Send) -> None:
        scope["endpoint"] = scope["route"] = CachedRoute(entry.route)
        headers = [*entry.headers, (b"x-cache", b"HIT")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _answer_and_keep(self, scope: Scope, receive: Receive, send: Send, key: str) -> None:
        started = time.time()
        start: Message | None = None
        headers: list[tuple[bytes, bytes]] = []
        body: bytes | None = None
        # Only a whole body in one message is kept: a streamed one (a download) is never held.
        keeping = False

        async def send_and_keep(message: Message) -> None:
            nonlocal start, headers, body, keeping
            if message["type"] == "http.response.start":
                start = message
                headers = list(message.get("headers", []))  # before outer layers add theirs
                keeping = shared_area(scope) is not None
                if keeping:
                    message["headers"] = [*headers, (b"x-cache", b"MISS")]
            elif keeping:
                whole = message["type"] == "http.response.body" and not message.get("more_body", False)
                keeping = body is None and whole
                body = message.get("body", b"") if keeping else None
            await send(message)

        await self.app(scope, receive, send_and_keep)
        area = shared_area(scope)
        if area is None:
            self._remember_not_shared(scope)
            return
        metrics.count_cache(_CACHE, "miss")
        if start is None or body is None or not self._storable(scope, start, headers, body):
            return
        try:
            version = await self.versions.fresh(area)
            if version.may_predate(started):
                return
            entry = Entry(area, version.token, route_template(scope), headers, body)
            await self.store.set_bytes(key, entry.dumps(), self.ttl)
        except STORE_ERRORS:
            self._store_failed()

    def _storable(self, scope: Scope, start: Message, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
        sets_cookie = any(name.lower() == b"set-cookie" for name, _ in headers)
        return start["status"] == 200 and len(body) <= MAX_BODY and not sets_cookie and not marked_private(scope)

    def _remember_not_shared(self, scope: Scope) -> None:
        if len(self.not_shared) >= _NOT_SHARED_PATHS:
            self.not_shared.clear()
        self.not_shared.add(scope["path"])

    def _store_failed(self) -> None:
        now = time.monotonic()
        if now - self._warned_at >= _UNAVAILABLE_LOG_INTERVAL:
            self._warned_at = now
            logger.warning("response cache unavailable; answering without it", exc_info=True)
