"""Newsletters and announcements in the staff area: compose in Markdown, preview, a test to
yourself, schedule, counts; sent only to the audience's members who opted in; admins only; every
action in the audit log; and 10,000 recipients in chunks with a crash in the middle, nobody
emailed twice."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import insert, select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.lifecycle import campaigns, newsletters
from hiremebahamas.models import (
    AccountType,
    AuditEntry,
    CampaignStatus,
    EmailCampaign,
    NotificationPreference,
    Profile,
    SendStatus,
    User,
)
from hiremebahamas.models.base import new_id, utcnow
from hiremebahamas.notifications.types import MARKETING
from tests.billing.factories import grant_tier
from tests.factories import Member
from tests.helpers import emails_to, sign_in, submit, text_of
from tests.lifecycle.test_digest import DyingSender
from tests.staff.conftest import Staffed, make_member

DRAFT = {
    "kind": "newsletter",
    "subject": "Hiring season",
    "body": "# Big news\n\nJobs are **up** 20%.",
    "audience": "all",
}


async def _opt_in(runtime: Runtime, *members: Member) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(NotificationPreference(user_id=m.id, type=MARKETING, email=True) for m in members)


async def _draft(client: httpx.AsyncClient, admin: Member, **changes: str) -> str:
    sign_in(client, admin)
    response = await submit(client, "/admin/newsletters", {**DRAFT, **changes}, page="/admin/newsletters")
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[-1]


async def _send_now(client: httpx.AsyncClient, runtime: Runtime, newsletter_id: str) -> None:
    page = f"/admin/newsletters/{newsletter_id}"
    assert (await submit(client, f"{page}/schedule", {"send_at": ""}, page=page)).status_code == 303
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        assert await newsletters.start_due(session) == 1
    await runtime.tasks.drain()


async def test_compose_preview_test_schedule_and_count(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    await _opt_in(runtime, people.seeker, people.employer)
    newsletter_id = await _draft(client, people.admin)
    page = await client.get(f"/admin/newsletters/{newsletter_id}")
    assert page.status_code == 200
    assert "Jobs are **up** 20%." in page.text  # the text part, shown as is
    preview = await client.get(f"/admin/newsletters/{newsletter_id}/preview")
    assert "<strong>up</strong>" in preview.text
    assert "<h3>Big news</h3>" in preview.text
    assert preview.headers["content-security-policy"].startswith("sandbox")
    test = await submit(
        client, f"/admin/newsletters/{newsletter_id}/test", {}, page=f"/admin/newsletters/{newsletter_id}"
    )
    assert test.status_code == 303
    (mine,) = await emails_to(runtime, people.admin.email)
    assert mine["Subject"] == "[Test] Hiring season"
    assert await emails_to(runtime, people.seeker.email) == []  # a test goes to its author only
    await _send_now(client, runtime, newsletter_id)
    (sent,) = await emails_to(runtime, people.seeker.email)
    assert sent["Subject"] == "Hiring season"
    assert "Jobs are **up** 20%." in text_of(sent)
    assert "because you chose to hear product news" in text_of(sent)
    assert runtime.settings.operator_postal_address in text_of(sent)
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(await emails_to(runtime, people.employer.email)) == 1
    assert len(await emails_to(runtime, people.moderator.email)) == 0  # never opted in
    token = re.search(r"token=([^&>\s]+)", str(sent["List-Unsubscribe"]))
    assert token is not None
    await client.post("/api/notifications/unsubscribe", params={"token": token.group(1)})
    listing = await client.get("/admin/newsletters")
    assert re.search(r"<td>Everyone</td>\s*<td>Sent</td>\s*<td>2</td><td>0</td><td>1</td>", listing.text), listing.text
    async with runtime.database.sessionmaker() as session:
        actions = list((await session.execute(select(AuditEntry.action).order_by(AuditEntry.created_at))).scalars())
    assert actions == ["newsletter.saved", "newsletter.test_sent", "newsletter.scheduled"]


async def test_audiences(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    pro = await make_member(runtime, "pat-pro")
    islander = await make_member(runtime, "ian-islander")
    await grant_tier(runtime, pro.id, "pro")
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Profile(user_id=islander.id, island="exuma"))
    await _opt_in(runtime, people.seeker, people.employer, pro, islander)
    cases = [
        ({"audience": "seekers"}, {people.seeker.email, pro.email, islander.email}),
        ({"audience": "employers"}, {people.employer.email}),
        ({"audience": "tier", "tier": "pro"}, {pro.email}),
        ({"audience": "tier", "tier": "free"}, {people.seeker.email, people.employer.email, islander.email}),
        ({"audience": "island", "island": "exuma"}, {islander.email}),
    ]
    for n, (audience, expected) in enumerate(cases):
        newsletter_id = await _draft(client, people.admin, subject=f"Case {n}", **audience)
        await _send_now(client, runtime, newsletter_id)
        everyone = [people.seeker, people.employer, pro, islander]
        got = {m.email for m in everyone if any(e["Subject"] == f"Case {n}" for e in await emails_to(runtime, m.email))}
        assert got == expected, audience
    listing = (await client.get("/admin/newsletters")).text
    for audience_text in ("Job seekers", "Employers", "Pro plan", "Free plan", "On Exuma"):
        assert f"<td>{audience_text}</td>" in listing


async def test_only_admins(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    newsletter_id = await _draft(client, people.admin)
    for who in (people.moderator, people.seeker):
        sign_in(client, who)
        assert (await client.get("/admin/newsletters")).status_code == 404
        assert (await client.get(f"/admin/newsletters/{newsletter_id}/preview")).status_code == 404
    sign_in(client, None)
    assert (await client.get("/admin/newsletters")).status_code == 303
    sign_in(client, people.admin)
    assert (await client.get(f"/admin/newsletters/{uuid.uuid4()}")).status_code == 404


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"subject": ""}, "This field is required."),
        ({"body": "x" * 20_001}, "20000"),
        ({"audience": "tier", "tier": "platinum"}, "Choose one of"),
        ({"audience": "everybody"}, "Choose one of the options."),
        ({"kind": "digest"}, "newsletter or an announcement"),
    ],
)
async def test_a_malformed_draft_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, changes: dict[str, str], error: str
) -> None:
    sign_in(client, people.admin)
    response = await submit(client, "/admin/newsletters", {**DRAFT, **changes}, page="/admin/newsletters")
    assert response.status_code == 422
    assert error in response.text
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(EmailCampaign))).first() is None


async def test_control_characters_are_dropped_from_the_form(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    newsletter_id = await _draft(client, people.admin, subject="Hi\x07 there\x00")
    async with runtime.database.sessionmaker() as session:
        assert (await session.get_one(EmailCampaign, uuid.UUID(newsletter_id))).subject == "Hi there"


async def test_twice_scheduled_or_changed_while_sending_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    newsletter_id = await _draft(client, people.admin)
    page = f"/admin/newsletters/{newsletter_id}"
    scheduled = await submit(client, f"{page}/schedule", {"send_at": "2030-01-15T09:30"}, page=page)
    # The form's time is Nassau time (EST in January, UTC-5), told back in the site's one format.
    assert "Scheduled for 15 Jan 2030, 9:30 AM Nassau time." in (await client.get(scheduled.headers["location"])).text
    async with runtime.database.sessionmaker() as session:
        when = (await session.get_one(EmailCampaign, uuid.UUID(newsletter_id))).scheduled_for
    assert when is not None
    assert when.replace(tzinfo=UTC) == datetime(2030, 1, 15, 14, 30, tzinfo=UTC)
    again = await submit(client, f"{page}/schedule", {"send_at": ""}, page=page)
    assert "Only a draft can be scheduled." in (await client.get(again.headers["location"])).text
    bad = await submit(client, f"{page}/schedule", {"send_at": "tomorrow"}, page=page)
    assert bad.status_code == 303
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        assert await newsletters.start_due(session) == 0  # not yet
        assert await newsletters.start_due(session, datetime(2030, 1, 15, 14, 31, tzinfo=UTC)) == 1
    await runtime.tasks.drain()
    changed = await client.post(page, data={**DRAFT, "csrf_token": "x"})
    assert changed.status_code in (303, 403)
    async with runtime.database.sessionmaker() as session:
        campaign = await session.get_one(EmailCampaign, uuid.UUID(newsletter_id))
        assert campaign.status == CampaignStatus.SENT
        assert campaign.subject == "Hiring season"


async def test_ten_thousand_recipients_a_crash_in_the_middle_and_nobody_twice(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    ids = [new_id() for _ in range(10_000)]
    now = utcnow()
    async with runtime.database.sessionmaker.begin() as session:
        rows = [
            {
                "id": user_id,
                "email": f"demo{n}@example.com",
                "username": f"demo{n}",
                "password_hash": "x",
                "first_name": "Demo",
                "last_name": str(n),
                "account_type": AccountType.JOB_SEEKER,
                "email_verified_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n, user_id in enumerate(ids)
        ]
        await session.execute(insert(User), rows)
        prefs = [{"user_id": user_id, "type": MARKETING, "email": True} for user_id in ids]
        await session.execute(insert(NotificationPreference), prefs)
    newsletter_id = await _draft(client, people.admin, audience="seekers")
    sender = DyingSender(runtime.email, after=4_321)
    runtime.tasks.context = replace(runtime.tasks.context, email=sender)
    await _send_now(client, runtime, newsletter_id)
    assert len(sender.sent) == 4_321  # the worker died with this one handed to SMTP
    await campaigns.resume_stalled(runtime.tasks.context, utcnow() + campaigns.STALLED_AFTER * 2)
    await runtime.tasks.drain()
    assert len(set(sender.sent)) == len(sender.sent)  # nobody twice
    lost = 10_000 - len(sender.sent)  # claimed with the batch that died, not yet handed over
    assert 0 <= lost < campaigns.SEND_BATCH
    async with runtime.database.sessionmaker() as session:
        campaign = await session.get_one(EmailCampaign, uuid.UUID(newsletter_id))
        counts = await campaigns.counts(session, campaign.key)
    assert campaign.status == CampaignStatus.SENT
    # The batch that died stays claimed (sent or lost, never again); everyone else is sent.
    assert counts[SendStatus.SENT] + counts[SendStatus.CLAIMED] == 10_000
    assert counts[SendStatus.CLAIMED] <= campaigns.SEND_BATCH
