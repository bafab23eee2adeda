"""The weekly review: its text from the figures, mailed once on Mondays to REPORT_EMAIL, and
the `report weekly` and `analytics` commands against a real database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hiremebahamas.analytics.events import Event
from hiremebahamas.analytics.report import weekly_text
from hiremebahamas.analytics.tasks import roll_up_yesterday
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.models import BillingInterval, TierCode
from hiremebahamas.models.base import new_id, utcnow
from tests.analytics.test_metrics import _log, _subscription
from tests.helpers import emails_to, text_of
from tests.staff.test_cli import _run

MONDAY = datetime(2026, 11, 30, 6, tzinfo=UTC)


async def test_the_review_tells_the_week(runtime: Runtime) -> None:
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH)
    await _log(
        runtime,
        (Event.SEARCH_RUN, None, utcnow(), {"terms": "marine biologist", "results": 0}),
        (Event.SIGNED_UP, new_id(), utcnow(), {}),
    )
    async with runtime.database.sessionmaker() as session:
        text = await weekly_text(session)
    assert "MRR $9.99; ARR $119.88" in text
    assert "1 signed up this week" in text
    assert "      1  marine biologist" in text


async def test_it_is_mailed_once_on_a_monday(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"report_email": "owner@example.com"})
    context = dataclasses.replace(runtime.tasks.context, settings=settings)
    await roll_up_yesterday(context, MONDAY - timedelta(days=1))  # a Sunday: no review
    await roll_up_yesterday(context, MONDAY)
    await roll_up_yesterday(context, MONDAY + timedelta(hours=1))
    [review] = await emails_to(runtime, "owner@example.com")
    assert review["Subject"].startswith("HireMeBahamas: the week of 24 Nov to 30 Nov 2026")
    assert "Searches that found nothing" in text_of(review)


async def test_without_report_email_nothing_is_mailed(runtime: Runtime) -> None:
    context: TaskContext = runtime.tasks.context
    await roll_up_yesterday(context, MONDAY)
    assert await emails_to(runtime, "owner@example.com") == []


async def test_the_commands(settings: Settings, runtime: Runtime) -> None:
    await _log(runtime, (Event.POST_CREATED, new_id(), utcnow() - timedelta(days=1), {}))
    rolled = _run(settings, "analytics", "rollup")
    assert rolled.returncode == 0, rolled.stderr
    assert "Rolled up 1 day(s) from" in rolled.stdout
    wrong = _run(settings, "analytics", "rollup", "--date", "2026-13-01")
    assert wrong.returncode == 2
    assert "not a date" in wrong.stderr
    report = _run(settings, "report", "weekly")
    assert report.returncode == 0, report.stderr
    assert report.stdout.startswith("HireMeBahamas: the week of")
    unset = _run(settings, "report", "weekly", "--email")
    assert unset.returncode == 1
    assert "Set REPORT_EMAIL" in unset.stderr
    rebuilt = _run(settings, "analytics", "backfill", "--days", "7")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Rebuilt 0 events over 7 days" in rebuilt.stdout  # the post above was logged, not a record
