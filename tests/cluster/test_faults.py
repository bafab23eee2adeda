"""Faults of an app instance, Redis and the primary, each against the real cluster
(tests/cluster/conftest.py) under load from concurrent clients: every acknowledged write is
found afterwards, none twice, and the service recovers by itself. Each test prints its figures
(`make test-cluster` shows them).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Message
from tests.cluster.conftest import signed_in
from tests.cluster.harness import Cluster

pytestmark = pytest.mark.cluster

CLIENTS = 8
MESSAGES_EACH = 25
ATTEMPTS = 20


@dataclass
class Figures:
    sent: int = 0
    acknowledged: set[str] = field(default_factory=set)
    failed_attempts: dict[str, int] = field(default_factory=dict)
    retried: int = 0
    # Set once this many messages are acknowledged: when the fault is made.
    fault_after: int = 0
    fault_time: asyncio.Event = field(default_factory=asyncio.Event)

    def fail(self, url: str) -> None:
        self.failed_attempts[url] = self.failed_attempts.get(url, 0) + 1


async def _send_until_acknowledged(
    client: httpx.AsyncClient, urls: list[str], first: int, path: str, headers: dict[str, str], figures: Figures
) -> None:
    """One message, sent with its Idempotency-Key to one instance and, when that fails, again
    with the same key to the next, until one acknowledges it."""
    key = uuid.uuid4().hex
    for attempt in range(ATTEMPTS):
        url = urls[(first + attempt) % len(urls)]
        figures.sent += 1
        try:
            response = await client.post(
                url + path, json={"body": f"message {key}"}, headers={**headers, "Idempotency-Key": key}
            )
        except httpx.HTTPError:
            figures.fail(url)
        else:
            if response.status_code in (200, 201):
                figures.acknowledged.add(key)
                figures.retried += attempt > 0
                if len(figures.acknowledged) >= figures.fault_after:
                    figures.fault_time.set()
                return
            assert response.status_code >= 500, response.text  # a refusal of the request itself is a bug
            figures.fail(url)
        await asyncio.sleep(0.05)
    pytest.fail(f"no instance acknowledged message {key} in {ATTEMPTS} attempts")


async def test_killing_an_instance_loses_and_repeats_no_message(cluster: Cluster, runtime: Runtime) -> None:
    _, sender_headers = await signed_in(runtime, "ann", tier="business")  # no messaging limit
    recipient, _ = await signed_in(runtime, "bob")
    victim, survivor = cluster.apps[0], cluster.apps[1]
    figures = Figures(fault_after=CLIENTS * MESSAGES_EACH * 2 // 5)
    async with httpx.AsyncClient(timeout=10.0) as client:
        started = await client.post(
            survivor.url + "/api/conversations", json={"recipient": recipient, "body": "hello"}, headers=sender_headers
        )
        assert started.status_code == 201, started.text
        path = f"/api/conversations/{started.json()['conversation']['id']}/messages"

        async def one_client(index: int) -> None:
            for number in range(MESSAGES_EACH):
                await _send_until_acknowledged(client, cluster.urls, index + number, path, sender_headers, figures)

        async with asyncio.timeout(180):
            clients: asyncio.Future[list[None]] = asyncio.ensure_future(
                asyncio.gather(*(one_client(index) for index in range(CLIENTS)))
            )
            fault_time: asyncio.Future[bool] = asyncio.ensure_future(figures.fault_time.wait())
            either: list[asyncio.Future[Any]] = [clients, fault_time]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            assert not clients.done() or clients.exception() is None, clients.exception()
            killed_at = time.monotonic()
            cluster.kill(victim)
            await clients
            finished = time.monotonic() - killed_at

    async with runtime.database.sessionmaker() as session:
        keyed = select(Message.client_id).where(Message.client_id.is_not(None))
        stored = [str(key) for key in (await session.execute(keyed)).scalars()]
        conversations = (await session.execute(select(func.count(func.distinct(Message.conversation_id))))).scalar_one()
    print(
        f"\nkill -9 of one instance: {CLIENTS} clients, {len(figures.acknowledged)} messages acknowledged, "
        f"{figures.sent} requests, failed attempts per instance {figures.failed_attempts}, "
        f"{figures.retried} messages retried on the other instance, finished {finished:.1f}s after the kill"
    )
    assert len(figures.acknowledged) == CLIENTS * MESSAGES_EACH
    assert sorted(stored) == sorted(figures.acknowledged)  # every acknowledged one, once
    assert conversations == 1
    assert figures.failed_attempts.get(survivor.url, 0) == 0  # the other instance kept serving throughout
    assert figures.failed_attempts.get(victim.url, 0) > 0  # and the kill did land mid-traffic
    cluster.apps[0] = cluster.start_instance(0)  # back to two, for the tests after this one


async def test_with_redis_stopped_pages_and_the_api_keep_answering(cluster: Cluster, runtime: Runtime) -> None:
    _, headers = await signed_in(runtime, "cai")
    paths = ["/", "/jobs", "/api/jobs", "/talent", "/sitemap.xml", "/pricing", "/login"]
    signed_in_paths = ["/api/users/me", "/api/feed", "/api/notifications"]
    # Past the first seconds of the session, when reads go to the primary without asking Redis
    # whether the member wrote lately (the cluster's replica lag bound is 1 s: 2 s sticky).
    await asyncio.sleep(2.5)
    cluster.redis.pause()
    try:
        async with httpx.AsyncClient(timeout=15.0) as client:
            answers: dict[str, int] = {}
            started = time.monotonic()
            for url in cluster.urls:
                for path in paths:
                    answers[url + path] = (await client.get(url + path)).status_code
                for path in signed_in_paths:
                    answers[url + path] = (await client.get(url + path, headers=headers)).status_code
            took = time.monotonic() - started
    finally:
        cluster.redis.resume()
    print(f"\nRedis stopped: {len(answers)} requests in {took:.1f}s, statuses {sorted(set(answers.values()))}")
    assert all(status < 500 for status in answers.values()), {url: s for url, s in answers.items() if s >= 500}


async def test_a_primary_restart_is_a_short_503_and_the_pools_recover(cluster: Cluster, runtime: Runtime) -> None:
    _, headers = await signed_in(runtime, "dee", tier="business")
    recipient, _ = await signed_in(runtime, "eve")
    statuses: dict[int, int] = {}
    slowest = 0.0
    acknowledged: set[str] = set()
    restarted = asyncio.Event()
    first_success_after: float | None = None
    async with httpx.AsyncClient(timeout=30.0) as client:
        started = await client.post(
            cluster.urls[1] + "/api/conversations", json={"recipient": recipient, "body": "hello"}, headers=headers
        )
        assert started.status_code == 201, started.text
        path = f"/api/conversations/{started.json()['conversation']['id']}/messages"

        async def one_client(index: int) -> None:
            nonlocal slowest, first_success_after
            successes_after = 0
            while successes_after < 10:
                key = uuid.uuid4().hex
                while True:  # the same message until it is acknowledged
                    url = cluster.urls[index % 2]
                    began = time.monotonic()
                    response = await client.post(
                        url + path, json={"body": key}, headers={**headers, "Idempotency-Key": key}
                    )
                    slowest = max(slowest, time.monotonic() - began)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code in (200, 201):
                        acknowledged.add(key)
                        if restarted.is_set():
                            successes_after += 1
                            first_success_after = first_success_after or time.monotonic()
                        break
                    assert response.status_code == 503, response.text
                    assert response.json()["error"]["code"] == "database_unavailable"
                    await asyncio.sleep(0.2)

        async with asyncio.timeout(120):
            clients = asyncio.gather(*(one_client(index) for index in range(4)))
            await asyncio.sleep(1.0)
            began_restart = time.monotonic()
            await asyncio.to_thread(cluster.primary.restart)
            restarted.set()
            back_up = time.monotonic()
            await clients
    async with runtime.database.sessionmaker() as session:
        keyed = select(Message.client_id).where(Message.body.in_(sorted(acknowledged)))
        stored = [str(key) for key in (await session.execute(keyed)).scalars()]
    assert first_success_after is not None
    print(
        f"\nprimary restart: answers {statuses}, slowest request {slowest:.1f}s, the restart took "
        f"{back_up - began_restart:.1f}s, writes acknowledged again {first_success_after - back_up:.1f}s after"
    )
    assert set(statuses) <= {200, 201, 503}  # a clear 503 during the restart, never a 500
    assert slowest < 10  # and no request hung past the timeouts
    assert sorted(stored) == sorted(acknowledged)  # each acknowledged message once
