"""A 500 is a normal response on a healthy connection, logged once with its request id."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from tests.servers import free_port


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[int]:
    """The app behind a real uvicorn (httptools, keep-alive) on a free loopback port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http="httptools", log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
) -> tuple[int, dict[str, str]]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: probe-{path[-4:]}\r\n\r\n".encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
    await reader.readexactly(int(headers["content-length"]))
    return int(head[0].split()[1]), headers


async def test_the_connection_survives_a_500_and_the_error_is_logged_once(
    failing_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with serving(failing_app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        status, headers = await _exchange(reader, writer, "/api/boom")
        assert status == 500
        assert headers.get("connection", "keep-alive").lower() != "close"
        assert headers["x-request-id"] == "probe-boom"
        # The same connection still answers.
        status, _ = await _exchange(reader, writer, "/health")
        assert status == 200
        writer.close()
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert errors[0].getMessage() == "unhandled error"


async def test_a_lost_database_is_a_503_to_retry_not_a_500(
    failing_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async def database_gone() -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connection refused"))

    failing_app.add_api_route("/api/database-gone", database_gone)
    failing_app.middleware_stack = None
    caplog.set_level(logging.INFO)
    transport = httpx.ASGITransport(app=failing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/database-gone")
        page = await client.get("/api/boom")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers["retry-after"] == "5"
    assert page.status_code == 500  # a bug is still a bug
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == ["unhandled error"]
