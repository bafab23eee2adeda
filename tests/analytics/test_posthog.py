"""The event log copied to PostHog's batch capture endpoint: a real HTTP server on loopback
stands in for PostHog and records what it is sent; our own tables stay the record when it fails."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from hiremebahamas.analytics.posthog import ANONYMOUS
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AnalyticsEvent, User
from tests.conftest import make_settings
from tests.helpers import register

API_KEY = "phc_test_project_key"


@dataclass
class PostHogStandIn:
    port: int
    status: int = 200
    batches: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def posthog_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[PostHogStandIn]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    stand_in = PostHogStandIn(port=0)

    class Capture(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            stand_in.batches.append((self.path, json.loads(body)))
            self.send_response(stand_in.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": 1}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    stand_in.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, posthog_server: PostHogStandIn) -> Settings:
    return make_settings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        posthog_host=posthog_server.url + "/",
        posthog_api_key=API_KEY,
    )


def failed_batches() -> float:
    return REGISTRY.get_sample_value("hmb_posthog_batches_total", {"result": "failed"}) or 0.0


async def test_stored_events_are_copied_to_posthog_in_one_batch(
    client: httpx.AsyncClient, runtime: Runtime, posthog_server: PostHogStandIn
) -> None:
    for name in ("ann", "bob"):
        assert (await register(client, f"{name}@example.com")).status_code == 201
    assert (await client.get("/api/jobs", params={"q": "welder"})).status_code == 200
    await runtime.tasks.drain()

    ((path, body),) = posthog_server.batches  # three requests, one batch
    assert path == "/batch/"
    assert body["api_key"] == API_KEY
    async with runtime.database.sessionmaker() as session:
        ids = {str(user_id) for user_id in (await session.scalars(select(User.id))).all()}
        stored = (await session.scalars(select(AnalyticsEvent.name))).all()
    events = body["batch"]
    assert sorted(stored) == sorted(event["event"] for event in events)  # the same events as ours
    signed_up = [event for event in events if event["event"] == "signed_up"]
    assert {event["distinct_id"] for event in signed_up} == ids
    assert all(event["timestamp"] and "$process_person_profile" not in event["properties"] for event in signed_up)
    (search,) = [event for event in events if event["event"] == "search_run"]
    assert search["distinct_id"] == ANONYMOUS
    assert search["properties"] == {"terms": "welder", "results": 0, "$process_person_profile": False}
    assert "ann@example.com" not in json.dumps(body)  # the member's id, nothing else about them


async def test_a_posthog_failure_is_counted_and_our_own_log_keeps_the_events(
    client: httpx.AsyncClient, runtime: Runtime, posthog_server: PostHogStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    posthog_server.status = 503
    before = failed_batches()
    with caplog.at_level(logging.WARNING, logger="hiremebahamas.analytics.posthog"):
        assert (await register(client, "ann@example.com")).status_code == 201
        await runtime.tasks.drain()
    assert len(posthog_server.batches) == 1  # tried once, not again
    assert failed_batches() == before + 1
    (warning,) = [record for record in caplog.records if record.name == "hiremebahamas.analytics.posthog"]
    assert API_KEY not in str(warning.__dict__)  # nor the events
    async with runtime.database.sessionmaker() as session:
        assert (await session.scalars(select(AnalyticsEvent.name))).all() == ["signed_up"]


async def test_posthog_unreachable_changes_nothing_for_the_member(
    client: httpx.AsyncClient, runtime: Runtime, posthog_server: PostHogStandIn, settings: Settings
) -> None:
    unreachable = settings.model_copy(update={"posthog_host": "http://127.0.0.1:9"})
    runtime.tasks.context = dataclasses.replace(runtime.tasks.context, settings=unreachable)
    before = failed_batches()
    assert (await register(client, "ann@example.com")).status_code == 201
    await runtime.tasks.drain()
    assert failed_batches() == before + 1
    async with runtime.database.sessionmaker() as session:
        assert (await session.scalars(select(AnalyticsEvent.name))).all() == ["signed_up"]
