"""The weekly digest: what is new for a person (jobs for their skills and island, their
network's top posts, new followers, applications that moved), nothing for whoever has nothing
new or turned it off; one campaign a week, in chunks that a crash does not make send twice."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from itertools import pairwise

import httpx
import pytest
from sqlalchemy import func, select

from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.lifecycle import campaigns
from hiremebahamas.lifecycle.tasks import start_weekly_digest
from hiremebahamas.models import CampaignStatus, EmailCampaign, EmailSend, Follow, Post, SendStatus
from hiremebahamas.models.base import utcnow
from tests.helpers import emails_to, text_of
from tests.jobs.conftest import Person, create_company, person, post_job

MONDAY_NOON = datetime(2026, 11, 30, 12, 5, tzinfo=UTC)
SUBJECT = "Your week on HireMeBahamas"


async def _start(runtime: Runtime, now: datetime | None = None) -> None:
    await start_weekly_digest(
        runtime.tasks.context, now or utcnow().replace(hour=12) + timedelta(days=-utcnow().weekday())
    )
    await runtime.tasks.drain()


async def _digests(runtime: Runtime, who: Person) -> list[EmailMessage]:
    return [m for m in await emails_to(runtime, who.email) if m["Subject"] == SUBJECT]


async def _follow(runtime: Runtime, follower: Person, followee: Person) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Follow(follower_id=follower.id, followee_id=followee.id))


async def test_a_digest_with_news_and_none_without(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    quiet = await person(runtime, "quiet@example.com", first_name="Quinn")
    eve = await person(runtime, "eve@example.com", first_name="Eve", employer=True)
    company = await create_company(client, eve, "Island Bakery")
    await client.patch("/api/users/me", json={"skills": ["baking"], "island": "exuma"}, headers=sam.headers)
    job = await post_job(client, eve, company["slug"], title="Pastry chef", island="exuma", skills=["baking"])
    await post_job(client, eve, company["slug"], title="Baker in Nassau", island="new_providence", skills=["baking"])
    applied = await client.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": "Hi"}, headers=sam.headers)
    application_id = applied.json()["application"]["id"]
    moved = await client.patch(f"/api/applications/{application_id}", json={"status": "reviewing"}, headers=eve.headers)
    assert moved.status_code == 200, moved.text
    await _follow(runtime, sam, eve)
    await _follow(runtime, eve, sam)
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Post(author_id=eve.id, body="We are hiring pastry chefs in Exuma!", like_count=4))
        session.add(Post(author_id=eve.id, body="An old post", created_at=utcnow() - timedelta(days=9)))
    await _start(runtime)
    (message,) = await _digests(runtime, sam)
    text = text_of(message)
    assert "- Pastry chef" in text
    assert "Baker in Nassau" not in text  # another island
    assert "- Pastry chef: reviewing" in text
    assert "1 person followed you:" in text
    assert "- Eve Rolle: We are hiring pastry chefs in Exuma!" in text
    assert "An old post" not in text
    assert "because the weekly digest is on" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert await _digests(runtime, quiet) == []  # nothing new: nothing sent
    async with runtime.database.sessionmaker() as session:
        campaign = (await session.execute(select(EmailCampaign))).scalar_one()
        assert campaign.status == CampaignStatus.SENT
        counts = await campaigns.counts(session, campaign.key)
    assert counts[SendStatus.SENT] == 2  # Sam and Eve (Sam followed her)
    assert counts[SendStatus.SKIPPED] == 1


async def test_turned_off_means_no_digest(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sam, eve = await person(runtime, "sam@example.com"), await person(runtime, "eve@example.com")
    await _follow(runtime, eve, sam)
    off = await client.put(
        "/api/notifications/preferences", json={"email": {"digest.weekly": False}}, headers=sam.headers
    )
    assert off.status_code == 200
    await _start(runtime)
    assert await _digests(runtime, sam) == []


async def test_one_campaign_a_week_started_on_monday(runtime: Runtime) -> None:
    for moment in (MONDAY_NOON - timedelta(hours=1), MONDAY_NOON + timedelta(days=1)):
        await _start(runtime, moment)
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(EmailCampaign))).scalar_one() == 0
    for moment in (MONDAY_NOON, MONDAY_NOON + timedelta(hours=3)):
        await _start(runtime, moment)
    async with runtime.database.sessionmaker() as session:
        keys = list((await session.execute(select(EmailCampaign.key))).scalars())
    assert keys == ["digest:2026-W49"]


class WorkerDied(Exception):
    """The process stops after SMTP took a message and before the sent log heard of it."""


class DyingSender:
    def __init__(self, outbox: object, after: int) -> None:
        self.outbox, self.left = outbox, after
        self.sent: list[str] = []

    async def send(self, message: OutgoingEmail) -> None:
        self.sent.append(message.to)
        self.left -= 1
        if self.left == 0:
            raise WorkerDied


async def test_a_crash_in_the_middle_sends_nobody_twice(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(campaigns, "CHUNK", 5)
    star = await person(runtime, "star@example.com")
    fans = [await person(runtime, f"fan{n}@example.com") for n in range(12)]
    for fan in fans:
        await _follow(runtime, star, fan)  # every fan has one new follower
    sender = DyingSender(runtime.email, after=8)
    runtime.tasks.context = replace(runtime.tasks.context, email=sender)
    await _start(runtime)
    assert len(sender.sent) == 8  # the second chunk died on its third
    await campaigns.resume_stalled(runtime.tasks.context)  # not stalled yet: nothing
    await runtime.tasks.drain()
    assert len(sender.sent) == 8
    await campaigns.resume_stalled(runtime.tasks.context, utcnow() + campaigns.STALLED_AFTER * 2)
    await runtime.tasks.drain()
    assert len(set(sender.sent)) == len(sender.sent)  # nobody twice
    assert set(sender.sent) <= {fan.email for fan in fans}
    assert 12 - len(sender.sent) < campaigns.SEND_BATCH  # only the rest of the batch that died is lost
    async with runtime.database.sessionmaker() as session:
        campaign = (await session.execute(select(EmailCampaign))).scalar_one()
        assert campaign.status == CampaignStatus.SENT
        statuses = await campaigns.counts(session, campaign.key)
        rows = (await session.execute(select(func.count()).select_from(EmailSend))).scalar_one()
    assert statuses[SendStatus.SENT] + statuses[SendStatus.CLAIMED] == 12
    assert 0 < statuses[SendStatus.CLAIMED] <= campaigns.SEND_BATCH  # the batch that died: never again
    assert statuses[SendStatus.SKIPPED] == 1  # the star has nothing new
    assert rows == 13


class TimedSender:
    """Notes when each email reaches SMTP."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def send(self, message: OutgoingEmail) -> None:
        self.times.append(time.monotonic())


async def test_a_campaign_keeps_to_the_send_rate(runtime: Runtime) -> None:
    star = await person(runtime, "star@example.com")
    for n in range(6):
        await _follow(runtime, star, await person(runtime, f"fan{n}@example.com"))
    sender = TimedSender()
    rate = 20.0  # emails a second: one every 50 ms
    context = runtime.tasks.context
    runtime.tasks.context = replace(
        context, email=sender, settings=context.settings.model_copy(update={"email_send_rate": rate})
    )
    await _start(runtime)
    assert len(sender.times) == 6
    gaps = [later - earlier for earlier, later in pairwise(sender.times)]
    assert min(gaps) >= 0.9 / rate, gaps
