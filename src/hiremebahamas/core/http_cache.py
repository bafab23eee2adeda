"""What browsers and a CDN may keep: every response's Cache-Control is decided here.

Endpoints say what kind of response they serve (`shared_when_anonymous`, `own_cache_control`,
`StaticAssets`); the middleware reads the kind from the matched endpoint and decides:

- versioned static files (`?v=<hash>`): public for a year, immutable; unversioned: a short while;
- pages and JSON every anonymous visitor sees alike: public for a minute, longer at the CDN,
  with an ETag and 304 - but only for a 200 to a request without a session cookie or an
  Authorization header, whose response sets no cookie and carries nothing of the visitor's;
- everything else, and always errors and responses that set a cookie: `private, no-store`.
  Personal API answers get no validators, so `no-cache` would only leave personal data on the
  client's disk without saving a request.

docs/deployment.md ("CDN") describes the CDN set-up that goes with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from collections.abc import Set as AbstractSet
from enum import StrEnum
from typing import Any, TypeVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hiremebahamas.config import Settings

PRIVATE = "private, no-store"
IMMUTABLE = "public, max-age=31536000, immutable"
# Unversioned static URLs are rare (links from outside); a change reaches them within minutes.
UNVERSIONED_STATIC = "public, max-age=600"
# A CDN that keys its cache on these (or bypasses on them) never hands the anonymous copy to a
# signed-in visitor; Accept-Encoding because the body may be gzipped.
SHARED_VARY = ("Cookie", "Authorization", "Accept-Encoding")
# What a 304 repeats of the 200 it stands for (RFC 9110, 15.4.5).
_NOT_MODIFIED_HEADERS = frozenset({"cache-control", "content-location", "date", "etag", "expires", "vary"})
_KIND_ATTRIBUTE = "http_cache_kind"
_AREA_ATTRIBUTE = "http_cache_area"
_PRIVATE_FLAG = "http_cache_private"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


class CacheKind(StrEnum):
    SHARED = "shared"  # the same for every anonymous visitor
    STATIC = "static"  # files under /static
    OWN = "own"  # the endpoint sets its own Cache-Control (stored files, by who may read them)


def _mark(endpoint: Endpoint, kind: CacheKind) -> Endpoint:
    setattr(endpoint, _KIND_ATTRIBUTE, kind)
    return endpoint


def shared_when_anonymous(*, area: str | None) -> Callable[[Endpoint], Endpoint]:
    """Mark a GET route whose anonymous answer is the same for everyone: the CDN may share it.

    With an `area` ("jobs", "billing": what the answer is built from, as the writers that change
    it name it in `response_areas.invalidate_after_commit`) the server also keeps a copy until
    the area changes (core/response_cache.py). None where a change that no writer announces
    must show at once."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _AREA_ATTRIBUTE, area)
        return _mark(endpoint, CacheKind.SHARED)

    return mark


def own_cache_control(endpoint: Endpoint) -> Endpoint:
    """Mark a route that decides its Cache-Control itself (kept unless it is an error or sets a cookie)."""
    return _mark(endpoint, CacheKind.OWN)


def mark_private(request: Request) -> None:
    """The response carries something of this visitor's (a CSRF token): never share it."""
    setattr(request.state, _PRIVATE_FLAG, True)


class StaticAssets(StaticFiles):
    """The /static mount; its URLs carry a content hash (`?v=`) when built by `static_url`."""

    http_cache_kind = CacheKind.STATIC


def anonymous(scope: Scope, personal_cookies: AbstractSet[str]) -> bool:
    """A GET or HEAD without credentials and without a cookie that makes the answer personal
    (the session; a flash message shown once): every such request is answered alike."""
    request = Headers(scope=scope)
    if scope["method"] not in ("GET", "HEAD") or "authorization" in request:
        return False
    cookies = request.get("cookie")
    return not cookies or personal_cookies.isdisjoint(cookie_parser(cookies))


def marked_private(scope: Scope) -> bool:
    """Whether the endpoint called `mark_private` (HttpCacheMiddleware creates the state)."""
    return bool(scope.get("state", {}).get(_PRIVATE_FLAG))


def shared_area(scope: Scope) -> str | None:
    """The area of the matched route when it is shared and has one; None for any other route."""
    if _kind_of(scope) is not CacheKind.SHARED:
        return None
    area = getattr(scope.get("endpoint"), _AREA_ATTRIBUTE, None)
    return area if isinstance(area, str) else None


def shared_cache_control(settings: Settings) -> str:
    """What a response every anonymous visitor sees alike may be kept for: briefly, as it may change."""
    return (
        f"public, max-age={settings.http_cache_max_age}, s-maxage={settings.http_cache_s_maxage}, "
        f"stale-while-revalidate={settings.http_cache_stale_while_revalidate}"
    )


def merge_vary(headers: MutableHeaders, names: Iterable[str]) -> None:
    present = [part.strip() for part in headers.get("vary", "").split(",") if part.strip()]
    known = {part.lower() for part in present}
    present += [name for name in names if name.lower() not in known]
    headers["Vary"] = ", ".join(present)


def body_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: `W/` is ignored on both sides."""
    wanted = etag.removeprefix("W/")
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or wanted in tags


class HttpCacheMiddleware:
    """Cache headers and ETags. It sits outside compression, so an ETag names the bytes actually
    sent (a gzipped body gets its own), and outside the error middleware, so a 500 is covered too."""

    def __init__(self, app: ASGIApp, settings: Settings, *, personal_cookies: Collection[str]) -> None:
        self.app = app
        self.personal_cookies = frozenset(personal_cookies)
        self.shared = shared_cache_control(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Created here so that what the endpoint writes to request.state is visible to us.
        scope.setdefault("state", {})
        start: Message | None = None

        async def send_with_policy(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if self._apply_policy(scope, message):
                    start = message  # held until the body gives the ETag
                    return
                await send(message)
            elif start is not None:
                held, start = start, None
                await self._send_validated(scope, held, message, send)
            else:
                await send(message)

        await self.app(scope, receive, send_with_policy)

    def _apply_policy(self, scope: Scope, message: Message) -> bool:
        """Set Cache-Control (and Vary); True when the response is shared and wants an ETag."""
        message.setdefault("headers", [])
        headers = MutableHeaders(scope=message)
        kind = _kind_of(scope)
        status: int = message["status"]
        if status >= 400 or "set-cookie" in headers:
            headers["Cache-Control"] = PRIVATE
        elif kind is CacheKind.STATIC:
            headers["Cache-Control"] = IMMUTABLE if b"v=" in scope.get("query_string", b"") else UNVERSIONED_STATIC
        elif kind is CacheKind.OWN and "cache-control" in headers:
            pass
        elif (
            kind is CacheKind.SHARED
            and status == 200
            and anonymous(scope, self.personal_cookies)
            and not marked_private(scope)
        ):
            headers["Cache-Control"] = self.shared
            merge_vary(headers, SHARED_VARY)
            return True
        else:
            headers["Cache-Control"] = PRIVATE
        return False

    async def _send_validated(self, scope: Scope, start: Message, body: Message, send: Send) -> None:
        # A streamed (or server-sent file) body cannot be hashed before it goes out.
        if body["type"] != "http.response.body" or body.get("more_body", False):
            await send(start)
            await send(body)
            return
        headers = MutableHeaders(scope=start)
        headers["ETag"] = etag = body_etag(body.get("body", b""))
        if_none_match = Headers(scope=scope).get("if-none-match")
        if if_none_match and etag_matches(if_none_match, etag):
            kept = [
                (name, value) for name, value in start["headers"] if name.decode("latin-1") in _NOT_MODIFIED_HEADERS
            ]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send(body)


def _kind_of(scope: Scope) -> CacheKind | None:
    kind = getattr(scope.get("endpoint"), _KIND_ATTRIBUTE, None)
    return kind if isinstance(kind, CacheKind) else None
