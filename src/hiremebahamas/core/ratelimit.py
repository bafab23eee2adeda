"""Rate limits (moving window), shared across instances through Redis when configured."""

from __future__ import annotations

import logging
import time
from enum import StrEnum

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from hiremebahamas.config import Settings
from hiremebahamas.core import metrics
from hiremebahamas.core.errors import RateLimited

logger = logging.getLogger(__name__)


class LimitScope(StrEnum):
    AUTH = "auth"
    API = "api"
    UPLOAD = "upload"
    WS = "ws"  # live-event handshakes: per user, or per IP when they fail to sign in
    SUPPORT = "support"  # contact form requests: per IP and per account
    EXPORT = "export"  # the JSON of all of one's data (privacy/), per user
    EXPORT_ARCHIVE = "export_archive"  # the emailed ZIP of it, per user


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        storage: Storage
        if settings.redis_url:
            storage = RedisStorage("async+" + settings.redis_url, implementation="redispy", key_prefix="hmb-limits")
        else:
            storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)
        self._limits: dict[LimitScope, RateLimitItem] = {
            LimitScope.AUTH: parse(settings.rate_limit_auth),
            LimitScope.API: parse(settings.rate_limit_api),
            LimitScope.UPLOAD: parse(settings.rate_limit_upload),
            LimitScope.WS: parse(settings.rate_limit_ws),
            LimitScope.SUPPORT: parse(settings.rate_limit_support),
            LimitScope.EXPORT: parse(settings.rate_limit_export),
            LimitScope.EXPORT_ARCHIVE: parse(settings.rate_limit_export_archive),
        }

    async def hit(self, scope: LimitScope, *identity: str) -> None:
        """Count one request for `identity` (e.g. "ip", "203.0.113.9"); raise when over the limit."""
        item = self._limits[scope]
        try:
            allowed = await self._limiter.hit(item, scope.value, *identity)
            if allowed:
                return
            stats = await self._limiter.get_window_stats(item, scope.value, *identity)
        except Exception:
            # A limiter outage must not take the site down with it.
            logger.warning("rate limiter unavailable", exc_info=True)
            return
        metrics.RATE_LIMITED.labels(scope=scope.value).inc()
        raise RateLimited(retry_after=int(stats.reset_time - time.time()) + 1)

    async def reset(self) -> None:
        await self._limiter.storage.reset()
