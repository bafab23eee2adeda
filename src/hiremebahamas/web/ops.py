"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from sqlalchemy import text

from hiremebahamas.config import Environment
from hiremebahamas.core import metrics
from hiremebahamas.core.cache import STORE_ERRORS
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.observability import request_id_var
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.web.deps import AppRuntime, get_settings

logger = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])
# Operator endpoints under /api: app.py includes them behind the metrics token and then the
# API's per-caller rate limit (who the caller is, is for accounts to say).
log_check_router = APIRouter(tags=["operations"])
_CHECK_TIMEOUT_SECONDS = 3.0


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: answers while the process serves requests; touches nothing else."""
    return {"status": "ok"}


async def _database_ok(runtime: Runtime) -> bool:
    async with runtime.database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return True


async def _redis_ok(redis: Redis) -> bool:
    return bool(await redis.ping())


async def _check(name: str, probe: Coroutine[Any, Any, bool]) -> str:
    try:
        ok = await asyncio.wait_for(probe, _CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readiness check failed", extra={"check": name, "error": type(exc).__name__})
        return "unavailable"
    return "ok" if ok else "unavailable"


@router.get("/ready")
async def ready(runtime: AppRuntime) -> JSONResponse:
    """Readiness: 200 only when the database (and Redis, when configured) answer. The read
    replicas are reported as last checked; one lagging or down is not this instance's failure
    (reads go elsewhere), so it does not change the status."""
    checks = {"database": await _check("database", _database_ok(runtime))}
    if runtime.redis is not None:
        checks["redis"] = await _check("redis", _redis_ok(runtime.redis))
    healthy = all(value == "ok" for value in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if runtime.database.replica_engines:
        body["replicas"] = runtime.database.replicas.report()
    return JSONResponse(body, status_code=200 if healthy else 503)


def require_metrics_token(request: Request) -> None:
    """The operators' endpoints answer only to `Authorization: Bearer <METRICS_TOKEN>` when the
    token is set. Unset, they stay open where nobody else can reach them (development, test)
    and answer 404 in staging and production, as does a wrong or missing token, so scanners
    learn nothing. Compared in constant time: the token is a password."""
    settings = get_settings(request)
    expected = settings.metrics_token
    if expected is None:
        if settings.environment in (Environment.DEVELOPMENT, Environment.TEST):
            return
        raise NotFound()
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise NotFound()


@log_check_router.get("/api/test-log")
async def test_log() -> dict[str, str | None]:
    """Writes one INFO line, so an operator can see the log pipeline deliver it (search for the
    returned request id). It logs a fixed text only: nothing a caller sends reaches the log."""
    request_id = request_id_var.get()
    logger.info("log pipeline check", extra={"check": "test-log"})
    return {"status": "logged", "request_id": request_id}


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_metrics_token)])
async def prometheus_metrics(runtime: AppRuntime) -> Response:
    with contextlib.suppress(*STORE_ERRORS):  # Redis down: the figure waits for the next scrape
        metrics.TASK_QUEUE_DEPTH.set(await runtime.tasks.queue_depth())
    payload, content_type = metrics.render_latest()
    return Response(payload, media_type=content_type)
