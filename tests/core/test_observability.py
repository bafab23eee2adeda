"""Request ids, JSON logs, Prometheus metrics and Sentry, seen from outside the app."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest
import sentry_sdk
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from hiremebahamas.app import create_app
from hiremebahamas.core.observability import JsonFormatter
from hiremebahamas.core.runtime import create_runtime
from tests.conftest import make_settings

HEX_ID = r"[0-9a-f]{32}"


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """JSON lines the access logger writes, formatted the way production writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("hiremebahamas.access")
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous_level)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_valid_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "lb-7f3a.2025:01_x"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.2025:01_x"


@pytest.mark.parametrize(
    "given",
    [None, "a" * 500, "has space", 'quote"and\\slash', ""],
    ids=["missing", "too-long", "space", "quotes", "empty"],
)
async def test_a_missing_or_invalid_request_id_is_replaced(client: httpx.AsyncClient, given: str | None) -> None:
    headers = {"X-Request-ID": given} if given is not None else {}
    first = (await client.get("/health", headers=headers)).headers["X-Request-ID"]
    second = (await client.get("/health", headers=headers)).headers["X-Request-ID"]
    assert first != given
    assert re.fullmatch(HEX_ID, first)
    assert first != second  # generated afresh for each request


async def test_access_log_is_json_with_the_request_id(client: httpx.AsyncClient, access_log: io.StringIO) -> None:
    await client.get("/api/users/me", headers={"X-Request-ID": "trace-me-123"})
    (entry,) = [line for line in _lines(access_log) if line.get("request_id") == "trace-me-123"]
    assert entry["logger"] == "hiremebahamas.access"
    assert entry["level"] == "INFO"
    assert entry["message"] == "GET /api/users/me 401"
    assert entry["status"] == 401
    assert entry["route"] == "/api/users/me"
    assert isinstance(entry["duration_ms"], float)


def _samples(exposition: str, name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name
    ]


def _value(exposition: str, name: str, **labels: str) -> float:
    return sum(value for found, value in _samples(exposition, name) if labels.items() <= found.items())


async def test_metrics_are_labelled_by_route_template(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    concrete = f"no-such-message-{uuid.uuid4().hex}"
    assert (await client.get(f"/dev/outbox/{concrete}")).status_code == 404  # matched route, 404 from the handler
    assert (await client.get(f"/nowhere/{concrete}")).status_code == 404  # no route at all
    assert (await client.get("/api/users/me")).status_code == 401

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    assert concrete not in after  # ids in paths must never become label values

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("http_request_duration_seconds_count", method="GET", route="/dev/outbox/{name}") == 1
    assert grew("http_requests_total", method="GET", route="/dev/outbox/{name}", status="404") == 1
    assert grew("http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert grew("http_requests_total", method="GET", route="/api/users/me", status="401") == 1
    # The scrape itself is being served while the gauge is read.
    assert _value(after, "http_requests_in_flight") >= 1


async def test_each_sql_statement_of_a_request_is_counted(client: httpx.AsyncClient) -> None:
    """The benchmark divides this counter by the requests it sent: queries per request."""
    before = (await client.get("/metrics")).text
    assert (await client.get("/ready")).status_code == 200  # exactly one statement: SELECT 1
    after = (await client.get("/metrics")).text
    grown = _value(after, "hmb_db_queries_total", role="primary") - _value(
        before, "hmb_db_queries_total", role="primary"
    )
    assert grown == 1


# --- Sentry, against a local HTTP server standing in for sentry.io ------------------------------


class _Recorder(BaseHTTPRequestHandler):
    bodies: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        # The SDK compresses with brotli when that package is installed, else with gzip.
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def sentry_server() -> Iterator[tuple[int, list[bytes]]]:
    bodies: list[bytes] = []
    handler = type("Recorder", (_Recorder,), {"bodies": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], bodies
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
async def sentry_app(
    sentry_server: tuple[int, list[bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FastAPI]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    port, _ = sentry_server
    settings = make_settings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",  # the failing route touches no table
        var_dir=tmp_path / "var",
        sentry_dsn=f"http://publickey@127.0.0.1:{port}/1",
    )
    runtime = create_runtime(settings)
    app = create_app(settings, runtime)
    try:
        yield app
    finally:
        await runtime.close()
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.get_global_scope().set_client(None)
        assert not sentry_sdk.get_client().is_active()


def _events(bodies: list[bytes]) -> list[dict[str, Any]]:
    """Event items of the envelopes received: header line, then (item header, payload) pairs."""
    events = []
    for body in bodies:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


async def test_unhandled_errors_answer_500_and_reach_sentry(
    sentry_app: FastAPI, sentry_server: tuple[int, list[bytes]]
) -> None:
    message = f"kaboom {uuid.uuid4().hex}"

    async def boom(payload: dict[str, str]) -> None:
        raise RuntimeError(message)

    sentry_app.add_api_route("/api/boom", boom, methods=["POST"])
    transport = httpx.ASGITransport(app=sentry_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/boom",
            json={"email": "ann@example.com", "password": "password-xyz"},
            headers={"Authorization": "Bearer secret-token-xyz", "Cookie": "hmb_session=cookie-xyz"},
        )
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert message not in response.text  # internals stay in the logs, not in the answer

    assert sentry_sdk.flush(timeout=5) is None
    _, bodies = sentry_server
    exceptions = [value for event in _events(bodies) for value in event["exception"]["values"]]
    assert {"type": "RuntimeError", "value": message}.items() <= exceptions[-1].items()
    assert all(event["environment"] == "test" for event in _events(bodies))
    received = b"".join(bodies)
    assert b"secret-token-xyz" not in received
    assert b"cookie-xyz" not in received
    assert b"password-xyz" not in received


async def test_a_500_carries_the_request_id(failing_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=failing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/boom", headers={"X-Request-ID": "incident-42"})
    assert response.status_code == 500
    assert response.headers.get("X-Request-ID") == "incident-42"


async def test_the_test_log_endpoint_writes_one_line_with_its_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    response = await client.get("/api/test-log?message=injected", headers={"X-Request-ID": "log-check-1"})
    assert response.json() == {"status": "logged", "request_id": "log-check-1"}
    lines = [r for r in caplog.records if r.getMessage() == "log pipeline check"]
    assert len(lines) == 1
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("hiremebahamas")]
    assert not any("injected" in message for message in ours)  # callers cannot write to the log


def test_check_sentry_sends_a_test_exception(sentry_server: tuple[int, list[bytes]], tmp_path: Path) -> None:
    port, bodies = sentry_server
    env = {
        **os.environ,
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/1",
        "ENVIRONMENT": "test",
        "VAR_DIR": str(tmp_path),
        "NO_PROXY": "127.0.0.1",
    }
    command = [sys.executable, "-m", "hiremebahamas.cli", "check-sentry"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "Sent event" in result.stdout
    values = [value for event in _events(bodies) for value in event["exception"]["values"]]
    assert any("Test Sentry integration" in value["value"] for value in values)
    without = {k: v for k, v in env.items() if k != "SENTRY_DSN"}
    refused = subprocess.run(command, env=without, capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 1
    assert "SENTRY_DSN is not set" in refused.stderr
