"""Gzip for text bodies (HTML, CSS, JS, JSON, SVG, XML and Atom) the client accepts it for.

Starlette's GZipMiddleware is close but compresses every type it does not know to be
compressed (PDF and Office CVs among them), compresses streamed bodies chunk by chunk, and
keeps a strong ETag on the compressed copy. Here only whole bodies of known text types are
compressed, and an ETag set below becomes weak: the gzipped bytes are not the identity ones.
"""

from __future__ import annotations

import gzip

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "text/plain",
        "text/xml",
        "application/javascript",
        "application/json",
        "application/xml",
        "application/atom+xml",
        "image/svg+xml",
    }
)
# Below this, gzip's own framing eats most of the saving.
MINIMUM_SIZE = 1024
# Compressing more than this inline would hold up the event loop (a full sitemap is megabytes).
_THREAD_MINIMUM_SIZE = 128 * 1024
_LEVEL = 6  # zlib's default: nearly level 9's size at a fraction of its time


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether `gzip` (or `*`) is offered with a non-zero quality."""
    offered: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        offered[coding.strip()] = quality
    return offered.get("gzip", offered.get("*", 0.0)) > 0


class CompressionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wants_gzip = accepts_gzip(Headers(scope=scope).get("accept-encoding", ""))
        start: Message | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _compressible(message):
                    start = message  # held until the body shows whether it is whole and large enough
                    return
                await send(message)
            elif start is not None:
                held, start = start, None
                body: bytes = message.get("body", b"")
                whole = message["type"] == "http.response.body" and not message.get("more_body", False)
                if whole and len(body) >= MINIMUM_SIZE:
                    headers = MutableHeaders(scope=held)
                    headers.add_vary_header("Accept-Encoding")
                    if wants_gzip:
                        message["body"] = await _gzip(body)
                        headers["Content-Encoding"] = "gzip"
                        headers["Content-Length"] = str(len(message["body"]))
                        if (etag := headers.get("etag")) and not etag.startswith("W/"):
                            headers["ETag"] = "W/" + etag
                await send(held)
                await send(message)
            else:
                await send(message)

        await self.app(scope, receive, send_compressed)


def _compressible(start: Message) -> bool:
    headers = Headers(raw=start.setdefault("headers", []))
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return (
        start["status"] not in (204, 206, 304)
        and "content-encoding" not in headers
        and media_type in COMPRESSIBLE_TYPES
    )


async def _gzip(body: bytes) -> bytes:
    # mtime=0: the same body always gives the same bytes, so its ETag holds across requests.
    if len(body) >= _THREAD_MINIMUM_SIZE:
        return await anyio.to_thread.run_sync(lambda: gzip.compress(body, _LEVEL, mtime=0))
    return gzip.compress(body, _LEVEL, mtime=0)
