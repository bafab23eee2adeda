"""Pure ASGI middleware: request id, access log, metrics and security headers on every response."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hiremebahamas.config import Settings
from hiremebahamas.core import metrics
from hiremebahamas.core.observability import request_id_var

logger = logging.getLogger("hiremebahamas.access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_QUIET_PATHS = frozenset({"/health", "/ready", "/metrics"})


def content_security_policy(*, script_hosts: Sequence[str] = (), connect_hosts: Sequence[str] = ()) -> str:
    """The site's policy; a response may allow named third-party hosts (the analytics tags a
    visitor accepted, web/consent.py) for scripts and for the requests those scripts make."""
    scripts = " ".join(["'self'", *script_hosts])
    connects = " ".join(["'self'", *connect_hosts])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data: blob: https:",
            "font-src 'self'",
            f"connect-src {connects}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


def security_headers(settings: Settings) -> list[tuple[str, str]]:
    headers = [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        # "0": the old filter's block mode could be abused to blank out parts of pages; the CSP protects.
        ("X-XSS-Protection", "0"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ]
    if settings.cookies_secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def route_template(scope: Scope) -> str:
    """The matched route's full path template ("/api/users/{username}"), for low-cardinality labels.

    FastAPI resolves nested routers lazily; its effective route context knows the full template,
    while scope["route"] holds the innermost router's own path only.
    """
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return str(template) if template else "unmatched"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in self.headers:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            metrics.IN_FLIGHT.dec()
            elapsed = time.perf_counter() - started
            template = route_template(scope)
            method = scope["method"]
            metrics.REQUEST_LATENCY.labels(method, template).observe(elapsed)
            metrics.REQUESTS.labels(method, template, str(status)).inc()
            path = scope["path"]
            logger.log(
                logging.DEBUG if path in _QUIET_PATHS else logging.INFO,
                "%s %s %s",
                method,
                path,
                status,
                extra={"status": status, "route": template, "duration_ms": round(elapsed * 1000, 2)},
            )
            request_id_var.reset(token)
