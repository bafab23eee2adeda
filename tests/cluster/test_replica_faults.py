"""Faults of the read replica, against the real cluster under load from concurrent readers and
writers: stopped, it leaves the rotation (only reads already on it fail, with a 503) and rejoins
when it is back; lagging, it leaves the rotation while every writer keeps reading its writes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from tests.cluster.conftest import CLUSTER_SETTINGS, signed_in
from tests.cluster.harness import DATABASE, Cluster

pytestmark = pytest.mark.cluster

READERS = 4
WRITERS = 4
CHECK_SECONDS = float(CLUSTER_SETTINGS["DATABASE_REPLICA_CHECK_SECONDS"])
WAIT_SECONDS = 30.0
STATS_FLUSH_SECONDS = 11.0
"""PostgreSQL 15 and later: a backend reports its table statistics at most once a second while
busy, and within ten seconds once idle."""


@dataclass
class Load:
    """Requests made while a fault lasts: when each was sent and what it got."""

    answers: list[tuple[float, int]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def statuses(self) -> set[int]:
        return {status for _, status in self.answers}

    def errors(self) -> list[float]:
        return [sent for sent, status in self.answers if status >= 500]


async def _read_from_database(client: httpx.AsyncClient, urls: list[str], index: int, load: Load) -> None:
    """Anonymous searches no cache has answered before: each one reads the database."""
    turn = index
    while not load.stop.is_set():
        sent = time.monotonic()
        response = await client.get(urls[turn % len(urls)] + f"/api/jobs?q=word{uuid.uuid4().hex[:8]}")
        load.answers.append((sent, response.status_code))
        turn += 1


async def _in_rotation(client: httpx.AsyncClient, url: str) -> bool:
    replicas = (await client.get(url + "/ready")).json()["replicas"]
    return all(state["in_rotation"] for state in replicas.values())


async def _until(condition: Callable[[], Awaitable[bool]]) -> float:
    """Seconds until `condition()` holds."""
    began = time.monotonic()
    async with asyncio.timeout(WAIT_SECONDS):
        while not await condition():  # noqa: ASYNC110 - polling other processes
            await asyncio.sleep(0.1)
    return time.monotonic() - began


def _replica_scans(cluster: Cluster) -> int:
    """Scans of the jobs table the replica served, from its own statistics."""
    sql = "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'jobs'"
    return int(cluster.replica.psql(sql, DATABASE).strip() or 0)


async def test_a_stopped_replica_leaves_the_rotation_and_rejoins(cluster: Cluster) -> None:
    load = Load()
    async with httpx.AsyncClient(timeout=15.0) as client:
        readers = asyncio.gather(*(_read_from_database(client, cluster.urls, index, load) for index in range(READERS)))
        await asyncio.sleep(2.0)
        stopped_at = time.monotonic()
        await asyncio.to_thread(cluster.replica.halt)

        async def out_everywhere() -> bool:
            return not any([await _in_rotation(client, url) for url in cluster.urls])

        left = await _until(out_everywhere)
        await asyncio.sleep(2.0)  # reading from the primary meanwhile
        await asyncio.to_thread(cluster.replica.start_again)
        restarted_at = time.monotonic()

        async def in_everywhere() -> bool:
            return all([await _in_rotation(client, url) for url in cluster.urls])

        rejoined = await _until(in_everywhere)
        scans = _replica_scans(cluster)

        async def serving() -> bool:  # a backend reports its statistics about once a second
            return _replica_scans(cluster) > scans

        await _until(serving)
        load.stop.set()
        await readers
    errors = load.errors()
    late = [sent - stopped_at for sent in errors if sent > stopped_at + CHECK_SECONDS + 1.0]
    print(
        f"\nreplica stopped: {len(load.answers)} reads, statuses {sorted(load.statuses())}, {len(errors)} errors "
        f"(all within {max((sent - stopped_at for sent in errors), default=0):.1f}s of the stop); out of the rotation "
        f"everywhere after {left:.1f}s; back in {rejoined:.1f}s after its restart, serving reads again"
    )
    assert load.statuses() <= {200, 503}  # a clear 503 for a read caught on it, never a 500
    assert late == []  # after the check interval, reads go to the primary without error
    assert restarted_at > stopped_at


async def test_a_lagging_replica_leaves_the_rotation_and_writers_read_their_writes(
    cluster: Cluster, runtime: Runtime
) -> None:
    writers = [await signed_in(runtime, f"writer{index}") for index in range(WRITERS)]
    load = Load()
    stale: list[str] = []
    acknowledged = 0

    async def write_then_read(client: httpx.AsyncClient, index: int) -> None:
        """A new headline on one instance, read back at once on the other."""
        nonlocal acknowledged
        _, headers = writers[index]
        turn = index
        while not load.stop.is_set():
            headline = f"Headline {uuid.uuid4().hex[:12]}"
            sent = time.monotonic()
            written = await client.patch(
                cluster.urls[turn % 2] + "/api/users/me", json={"headline": headline}, headers=headers
            )
            load.answers.append((sent, written.status_code))
            if written.status_code == 200:
                acknowledged += 1
                read = await client.get(cluster.urls[(turn + 1) % 2] + "/api/users/me", headers=headers)
                load.answers.append((time.monotonic(), read.status_code))
                if read.status_code != 200 or read.json()["profile"]["headline"] != headline:
                    stale.append(headline)
            turn += 1

    async with httpx.AsyncClient(timeout=15.0) as client:
        clients = asyncio.gather(
            *(write_then_read(client, index) for index in range(WRITERS)),
            *(_read_from_database(client, cluster.urls, index, load) for index in range(READERS)),
        )
        await asyncio.sleep(1.0)
        cluster.replica.psql("SELECT pg_wal_replay_pause()", DATABASE)
        try:

            async def out_everywhere() -> bool:
                return not any([await _in_rotation(client, url) for url in cluster.urls])

            left = await _until(out_everywhere)
            # An idle backend reports its statistics within STATS_FLUSH_SECONDS: what the
            # replica served before it left is counted before, what it serves while out, after.
            await asyncio.sleep(STATS_FLUSH_SECONDS)
            scans = _replica_scans(cluster)
            await asyncio.sleep(3.0)  # writing, and reading from the primary, while it lags
            await asyncio.sleep(STATS_FLUSH_SECONDS)
            scans_while_out = _replica_scans(cluster) - scans
        finally:
            cluster.replica.psql("SELECT pg_wal_replay_resume()", DATABASE)

        async def in_everywhere() -> bool:
            return all([await _in_rotation(client, url) for url in cluster.urls])

        rejoined = await _until(in_everywhere)
        load.stop.set()
        await clients
    print(
        f"\nreplica lagging (replay paused): {acknowledged} headlines written and read back on the other instance, "
        f"{len(stale)} stale; {len(load.answers)} requests, statuses {sorted(load.statuses())}; out of the rotation "
        f"everywhere {left:.1f}s after the pause, {scans_while_out} scans on it while out; back {rejoined:.1f}s "
        "after replay resumed"
    )
    assert stale == []  # read-your-writes held throughout, across instances
    assert load.statuses() == {200}
    assert scans_while_out == 0  # out of the rotation means no reads at all
    assert acknowledged > 0
