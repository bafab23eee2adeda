"""The real server commands, as processes on a free loopback port: `hiremebahamas serve`
(uvicorn, `make run`) and gunicorn with `deploy/gunicorn.conf.py` (production)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bench.server import AppServer, app_environment, migrate, spawn, start_app, wait_until_serving


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = app_environment(
        var_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'app.db'}", production=False, workers=1
    )
    migrate(env, tmp_path)
    return env


@pytest.fixture
def uvicorn_server(environment: dict[str, str], tmp_path: Path) -> Iterator[AppServer]:
    log_file = tmp_path / "serve.log"
    command = [sys.executable, "-m", "hiremebahamas.cli", "serve"]  # HOST and PORT from the environment
    process = spawn(command, environment, tmp_path, log_file)
    server = AppServer(url=f"http://127.0.0.1:{environment['PORT']}", process=process, log_file=log_file, workers=0)
    try:
        wait_until_serving(server)
        yield server
    finally:
        server.stop()


@pytest.fixture
def gunicorn_server(environment: dict[str, str], tmp_path: Path) -> Iterator[AppServer]:
    server = start_app(environment, tmp_path, workers=1)
    try:
        yield server
    finally:
        server.stop()


def _assert_no_server_header(server: AppServer) -> None:
    with httpx.Client(base_url=server.url, trust_env=False) as client:
        for path in ("/health", "/", "/api/users/me"):
            response = client.get(path)
            assert "server" not in response.headers, (path, response.headers)
            assert response.headers["X-XSS-Protection"] == "0"


def test_serve_sends_no_server_header(uvicorn_server: AppServer) -> None:
    _assert_no_server_header(uvicorn_server)


def test_gunicorn_as_deployed_sends_no_server_header(gunicorn_server: AppServer) -> None:
    _assert_no_server_header(gunicorn_server)
