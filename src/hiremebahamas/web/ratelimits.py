"""Rate-limit dependencies that need to know who is asking."""

from __future__ import annotations

from fastapi import Request

from hiremebahamas.accounts.deps import OptionalAuth
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.web.deps import get_runtime, request_ip


async def _hit(request: Request, scope: LimitScope, auth: OptionalAuth) -> None:
    """Signed-in callers are counted per user (many people can share one office IP);
    anonymous ones per IP."""
    identity = ("user", str(auth.user.id)) if auth else ("ip", request_ip(request))
    await get_runtime(request).limiter.hit(scope, *identity)


async def limit_api(request: Request, auth: OptionalAuth) -> None:
    await _hit(request, LimitScope.API, auth)
