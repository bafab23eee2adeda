"""kill -9 of the worker in the middle of sending emails: after a restart every email is
delivered, and none twice.

The mail server (aiosmtpd, in this process) accepts the first emails, then holds every message
it is handed from the trap onwards without answering, as a slow relay does. The worker is killed
while it waits on those; a second later, so that no email the server accepted is still between
its acceptance and the worker marking the task done (the one case a kill can make a duplicate,
core/worker.py). The held messages are then refused (451), as a dead client's would be lost.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from hiremebahamas.core.email import OutgoingEmail, defer_email
from hiremebahamas.core.runtime import create_runtime
from tests.cluster.conftest import cluster_settings
from tests.cluster.harness import Cluster
from tests.servers import free_port
from tests.smtp import Inbox

pytestmark = pytest.mark.cluster

EMAILS = 60
TRAP = 20  # the emails from the trap's arrival onwards are held when the worker dies
DELIVERY_TIMEOUT = 90.0


class HoldingInbox(Inbox):
    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.held = 0
        self.release = asyncio.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd hook
        if len(self.envelopes) >= TRAP:
            self.holding = True
        if self.holding and not self.release.is_set():
            self.held += 1
            await self.release.wait()
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.messages()]


@pytest.fixture
def mail_server() -> Iterator[tuple[int, HoldingInbox, Controller]]:
    inbox = HoldingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox, controller
    controller.stop()


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(DELIVERY_TIMEOUT):
        while not condition():  # noqa: ASYNC110 - the mail server runs in its own thread
            await asyncio.sleep(0.1)


async def test_killing_the_worker_mid_send_loses_and_repeats_no_email(
    cluster: Cluster, mail_server: tuple[int, HoldingInbox, Controller]
) -> None:
    port, inbox, controller = mail_server
    smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "false"}
    assert cluster.worker is not None
    cluster.worker.stop()
    worker = cluster.start_worker(**smtp)
    subjects = [f"Fault test {number:03d}" for number in range(EMAILS)]
    runtime = create_runtime(cluster_settings(cluster, redis_url=cluster.redis.url()))
    try:
        # Queued as requests queue them: after their unit of work commits, onto Redis.
        async with runtime.database.unit_of_work(runtime.tasks) as session:
            for subject in subjects:
                defer_email(session, OutgoingEmail(to="fault@example.com", subject=subject, text=subject))
    finally:
        await runtime.close()

    await _until(lambda: inbox.held > 0)  # the mail server holds what the worker sends
    await asyncio.sleep(1.0)
    delivered_before = len(inbox.envelopes)
    cluster.kill(worker)
    killed_at = time.monotonic()
    held = inbox.held
    controller.loop.call_soon_threadsafe(inbox.release.set)
    cluster.start_worker(**smtp)
    # Only this test's emails: others' (the smoke flow's verifications) may reach the same worker.
    ours = set(subjects)

    def delivered() -> list[str]:
        return [subject for subject in inbox.subjects() if subject in ours]

    await _until(lambda: len(set(delivered())) == EMAILS)  # every email, in the end
    recovered = time.monotonic() - killed_at
    await asyncio.sleep(2.0)  # anything sent twice would arrive by now

    print(
        f"\nkill -9 of the worker mid-send: {EMAILS} emails queued, {delivered_before} delivered before the kill, "
        f"{held} held by the mail server when it died; all delivered {recovered:.1f}s after the kill"
    )
    counts = collections.Counter(delivered())
    assert sorted(counts) == subjects  # none lost
    assert {subject for subject, count in counts.items() if count > 1} == set()  # none twice
    assert 0 < delivered_before < EMAILS  # and the kill did land mid-send
