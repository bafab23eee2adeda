"""Liveness, readiness against real (and unreachable) services, and the security headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hiremebahamas.app import create_app
from hiremebahamas.config import Settings, generate_secret
from hiremebahamas.core.middleware import security_headers
from hiremebahamas.core.runtime import create_runtime
from tests.conftest import make_settings
from tests.servers import RedisServer, free_port


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    runtime = create_runtime(settings)
    transport = httpx.ASGITransport(app=create_app(settings, runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await runtime.close()


@pytest.fixture
def keep_root_logging() -> Iterator[None]:
    """create_app reconfigures the root logger for its environment; put it back for the next test."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


async def test_health_answers_without_touching_anything(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_not_ready_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = make_settings(database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/gone", var_dir=tmp_path)
    async with serving(settings) as client:
        response = await client.get("/ready")
        assert (await client.get("/health")).status_code == 200  # alive, just not ready
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}


async def test_ready_checks_redis_when_configured(database_url: str, redis_server: RedisServer, tmp_path: Path) -> None:
    settings = make_settings(database_url=database_url, var_dir=tmp_path, redis_url=redis_server.url())
    async with serving(settings) as client:
        response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_not_ready_when_redis_is_unreachable(database_url: str, tmp_path: Path) -> None:
    redis_url = f"redis://127.0.0.1:{free_port()}/0"
    settings = make_settings(database_url=database_url, var_dir=tmp_path, redis_url=redis_url)
    async with serving(settings) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "unavailable"}}


def _assert_security_headers(headers: httpx.Headers) -> None:
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-XSS-Protection"] == "0"
    permissions = headers["Permissions-Policy"]
    assert "camera=()" in permissions
    assert "microphone=()" in permissions
    assert "interest-cohort" not in permissions  # obsolete: browsers warn about it
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/health", 200),
        ("GET", "/", 200),
        ("GET", "/docs", 200),
        ("GET", "/static/css/app.css", 200),
        ("GET", "/api/users/me", 401),
        ("GET", "/api/no-such-endpoint", 404),
        ("GET", "/no-such-page", 404),
        ("DELETE", "/health", 405),
        ("POST", "/api/auth/login", 422),
    ],
)
async def test_security_headers_on_every_response(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == status
    _assert_security_headers(response.headers)
    assert "Strict-Transport-Security" not in response.headers  # plain-HTTP test environment


async def test_security_headers_on_an_unhandled_error(failing_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=failing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/boom")
    assert response.status_code == 500
    _assert_security_headers(response.headers)


def _production_like(environment: str, database_url: str, **extra: Any) -> Settings:
    return make_settings(
        environment=environment,
        database_url=database_url,
        secret_key=generate_secret(),
        jwt_secret_key=generate_secret(),
        **extra,
    )


@pytest.mark.parametrize(("environment", "hsts"), [("production", True), ("staging", True), ("test", False)])
def test_hsts_only_where_cookies_are_secure(environment: str, hsts: bool) -> None:
    headers = dict(security_headers(_production_like(environment, "postgresql://u@db.internal/app")))
    assert ("Strict-Transport-Security" in headers) is hsts
    if hsts:
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.usefixtures("keep_root_logging")
async def test_a_staging_app_sends_hsts(tmp_path: Path) -> None:
    # /health touches no database, so the URL only has to satisfy the staging rules.
    settings = _production_like("staging", f"postgresql://u@127.0.0.1:{free_port()}/app", var_dir=tmp_path)
    async with serving(settings) as client:
        response = await client.get("/health")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _assert_security_headers(response.headers)


OPERATOR_PATHS = ["/metrics", "/api/test-log"]


@pytest.mark.usefixtures("keep_root_logging")
@pytest.mark.parametrize("environment", ["staging", "production"])
async def test_operator_endpoints_are_hidden_in_production_without_a_token(environment: str, tmp_path: Path) -> None:
    settings = _production_like(environment, f"postgresql://u@127.0.0.1:{free_port()}/app", var_dir=tmp_path)
    async with serving(settings) as client:
        for path in OPERATOR_PATHS:
            response = await client.get(path, headers={"Authorization": "Bearer anything"})
            assert response.status_code == 404, path
        api = await client.get("/api/test-log")
        assert api.json()["error"]["code"] == "not_found"  # the API's error shape, as for any unknown path


@pytest.mark.usefixtures("keep_root_logging")
@pytest.mark.parametrize("environment", ["test", "production"])
async def test_operator_endpoints_need_the_metrics_token_when_it_is_set(environment: str, tmp_path: Path) -> None:
    token = generate_secret()
    database_url = f"postgresql://u@127.0.0.1:{free_port()}/app"
    settings = _production_like(environment, database_url, var_dir=tmp_path, metrics_token=token)
    async with serving(settings) as client:
        for path in OPERATOR_PATHS:
            for refused in ({}, {"Authorization": f"Bearer {token}x"}, {"Authorization": f"Basic {token}"}):
                assert (await client.get(path, headers=refused)).status_code == 404, (path, refused)
            allowed = await client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert allowed.status_code == 200, path


async def test_operator_endpoints_stay_open_in_test_without_a_token(client: httpx.AsyncClient) -> None:
    for path in OPERATOR_PATHS:
        assert (await client.get(path)).status_code == 200, path
