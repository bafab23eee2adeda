"""Two app instances as real processes, one PostgreSQL database and one Redis: a message sent
through instance A reaches a WebSocket connected to instance B."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest

from hiremebahamas.cli import migrate
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import create_runtime
from tests.conftest import make_settings
from tests.messaging.people import member
from tests.realtime.live import next_event, open_socket
from tests.servers import PostgresServer, RedisServer, free_port

STARTUP_SECONDS = 30.0
# Instances of one deployment share their keys (without them each VAR_DIR makes its own).
SECRETS = {
    "secret_key": "two-instances-secret-key-0123456789abcdef",
    "jwt_secret_key": "two-instances-jwt-0123456789abcdef",
}


def _env(database_url: str, redis_url: str, base_url: str, var_dir: Path) -> dict[str, str]:
    names = {name.upper() for name in Settings.model_fields}
    env = {
        k: v
        for k, v in os.environ.items()
        if k.upper() not in names and not k.upper().startswith("DATABASE_READ_REPLICA_")
    }
    env.update(
        ENVIRONMENT="test",
        BASE_URL=base_url,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        VAR_DIR=str(var_dir),
        SECRET_KEY=SECRETS["secret_key"],
        JWT_SECRET_KEY=SECRETS["jwt_secret_key"],
        RATE_LIMIT_API="10000/minute",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 - our loopback server
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _spawn(env: dict[str, str], port: int, log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "hiremebahamas.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _healthy(f"http://127.0.0.1:{port}"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"instance on port {port} did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)


@pytest.fixture
def shared_services(postgres: PostgresServer, redis_server: RedisServer) -> tuple[str, str]:
    name = f"hmb_two_{os.getpid()}_{time.monotonic_ns() % 10**6}"
    postgres.create_database(name)
    database_url = postgres.url(name)
    migrate(make_settings(database_url=database_url))
    return database_url, redis_server.url(6)


async def test_a_message_sent_to_one_instance_reaches_a_socket_on_another(
    shared_services: tuple[str, str], tmp_path: Path
) -> None:
    database_url, redis_url = shared_services
    ports = free_port(), free_port()
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    logs = [tmp_path / "instance-a.log", tmp_path / "instance-b.log"]
    processes = [  # started together: each takes a few seconds to import
        _spawn(_env(database_url, redis_url, url, tmp_path / f"var{n}"), port, logs[n], tmp_path)
        for n, (url, port) in enumerate(zip(urls, ports, strict=True))
    ]
    runtime = create_runtime(make_settings(database_url=database_url, var_dir=tmp_path / "var", **SECRETS))
    try:
        for process, port, log in zip(processes, ports, logs, strict=True):
            _wait_healthy(process, port, log)
        ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
        async with (
            open_socket(urls[1].replace("http", "ws"), token=bob.access_token) as on_b,
            open_socket(urls[0].replace("http", "ws"), token=ann.access_token) as on_a,
        ):
            await next_event(on_b, "hello")
            await next_event(on_a, "hello")
            async with httpx.AsyncClient(base_url=urls[0]) as instance_a:
                response = await instance_a.post(
                    "/api/conversations",
                    json={"recipient": bob.username, "body": "Across instances"},
                    headers=ann.headers,
                )
            assert response.status_code == 201, response.text
            event = await next_event(on_b, "message.created", within=10)
            assert event["data"]["message"]["body"] == "Across instances"
            assert event["data"]["message"]["id"] == response.json()["message"]["id"]
            assert (await next_event(on_b, "notification.created", within=10))["data"]["notification"]["type"] == (
                "message.created"
            )

            # And back: a read through instance B reaches Ann's socket on instance A.
            conversation_id = response.json()["conversation"]["id"]
            async with httpx.AsyncClient(base_url=urls[1]) as instance_b:
                read = await instance_b.post(f"/api/conversations/{conversation_id}/read", headers=bob.headers)
            assert read.status_code == 200
            assert (await next_event(on_a, "read", within=10))["data"]["reader"]["username"] == bob.username
    finally:
        await runtime.close()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
