"""The operator's weekly review: the last seven days in a page of text (growth, revenue, churn,
the marketplace, the searches that found nothing), printed by `hiremebahamas report weekly`
and mailed to REPORT_EMAIL every Monday after the night's rollup."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics import metrics
from hiremebahamas.analytics.schemas import SummaryOut
from hiremebahamas.billing.tiers import format_money
from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.models import DailyFigure
from hiremebahamas.models.base import utcnow

DAYS = 7


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _money(cents: int) -> str:
    return f"-{format_money(-cents)}" if cents < 0 else format_money(cents)


async def _mrr_on(session: AsyncSession, day: Any) -> int | None:
    query = select(DailyFigure.value).where(
        DailyFigure.metric == "mrr_cents", DailyFigure.dimension == "", DailyFigure.day == day
    )
    return (await session.execute(query)).scalar_one_or_none()


async def weekly_text(session: AsyncSession, now: datetime | None = None) -> str:
    now = now or utcnow()
    summary = SummaryOut.model_validate(await metrics.summary(session, DAYS, now))
    market = await metrics.marketplace(session, DAYS, now)
    first = now.date() - timedelta(days=DAYS - 1)
    week_ago = await _mrr_on(session, first - timedelta(days=1))
    change = f" ({_money(summary.mrr_cents - week_ago)} on a week ago)" if week_ago is not None else ""
    retention = summary.retention
    failed = "\n".join(f"  {count:>5}  {words}" for words, count in market.failed_searches[:10]) or "  none"
    lines = [
        f"HireMeBahamas: the week of {first:%d %b} to {now.date():%d %b %Y} (UTC)",
        "",
        "Growth",
        f"  Accounts {summary.users_total:,}; {summary.signups:,} signed up this week",
        f"  Active: DAU {summary.dau:,}, WAU {summary.wau:,}, MAU {summary.mau:,}; "
        f"stickiness {_pct(summary.stickiness)}",
        f"  Retention: day 1 {_pct(retention.d1)}, day 7 {_pct(retention.d7)}, day 30 {_pct(retention.d30)}",
        "",
        "Revenue",
        f"  MRR {_money(summary.mrr_cents)}{change}; ARR {_money(summary.arr_cents)}",
        "  Movements: " + ", ".join(f"{name} {_money(cents)}" for name, cents in summary.mrr_movements),
        f"  Churn {_pct(summary.churn_rate)} of paying subscriptions",
        "",
        "Marketplace",
        f"  {market.jobs_posted:,} jobs posted, {market.applications:,} applications, {market.hires:,} hires",
        f"  Searches {market.searches:,}; {_pct(market.search_to_apply_rate)} became an application",
        "",
        "Searches that found nothing",
        failed,
    ]
    return "\n".join(lines) + "\n"


def weekly_email(settings: Settings, text: str) -> OutgoingEmail | None:
    """The review as an email to REPORT_EMAIL (None when it is not set)."""
    if not settings.report_email:
        return None
    return OutgoingEmail(to=settings.report_email, subject=text.splitlines()[0], text=text)
