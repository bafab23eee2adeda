"""The operator's figures over a window of days ending today (docs/analytics.md defines them).

Past days come from the daily rollup (`analytics_daily`), today from the live tables: the
revenue figures from the subscription records as they are now (a subscription started a minute
ago is in MRR), the activity counts from today's events and active-day marks. Every query reads
a window's rows of figures or a day of events, never a scan of the members.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event
from hiremebahamas.analytics.rollup import (
    ACTIVITY,
    MOVEMENTS,
    PAID_STATUSES,
    RETENTION_DAYS,
    REVENUE,
    Figures,
    day_start,
    figures_of,
)
from hiremebahamas.billing.revenue import PAYING_STATUSES, mrr_cents, mrr_of, paying_subscriptions
from hiremebahamas.billing.tiers import load_tiers
from hiremebahamas.core.cache import KeyValueStore
from hiremebahamas.models import (
    DailyFigure,
    LastActive,
    Subscription,
    SubscriptionStatus,
    TierCode,
    User,
)
from hiremebahamas.models.base import utcnow


class Series(StrEnum):
    """The time series the API offers, by the daily figure each reads."""

    DAU = "dau"
    SIGNUPS = "signups"
    MRR_CENTS = "mrr_cents"
    APPLICATIONS = "applications"


_SERIES_FIGURE = {
    Series.DAU: "dau",
    Series.SIGNUPS: f"events.{Event.SIGNED_UP.value}",
    Series.MRR_CENTS: "mrr_cents",
    Series.APPLICATIONS: f"events.{Event.JOB_APPLIED.value}",
}


_TODAY_KEY = "hiremebahamas.analytics_today"


TODAY_TTL_SECONDS = 60
"""How long the dashboard and the API reuse today's activity figures (the revenue figures are
always read now)."""


@dataclass(frozen=True)
class Window:
    """`days` days ending today (UTC): the rolled-up ones, then today. With a `store`, today's
    activity figures are shared for a minute by every page, chart and CSV that shows them."""

    days: int
    today: date
    store: KeyValueStore | None = field(default=None, compare=False)

    @property
    def first(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


async def _today(session: AsyncSession, window: Window) -> Figures:
    """Today's figures, once per unit of work: the members' activity shared for a minute in the
    window's store, the revenue read now."""
    cached: dict[date, Figures] = session.info.setdefault(_TODAY_KEY, {})
    if window.today in cached:
        return cached[window.today]
    key = f"analytics:today:{window.today.isoformat()}"
    stored = await window.store.get(key) if window.store is not None else None
    if stored is not None:
        figures = {(metric, dimension): value for metric, dimension, value in json.loads(stored)}
    else:
        figures = await figures_of(session, window.today, ACTIVITY)
        if window.store is not None:
            rows = [[metric, dimension, value] for (metric, dimension), value in figures.items()]
            await window.store.set(key, json.dumps(rows), TODAY_TTL_SECONDS)
    figures |= await figures_of(session, window.today, REVENUE)
    cached[window.today] = figures
    return figures


async def _stored(session: AsyncSession, window: Window, metrics: list[str]) -> Figures:
    """The rolled-up figures of the window's past days, summed by (metric, dimension)."""
    query = (
        select(DailyFigure.metric, DailyFigure.dimension, func.sum(DailyFigure.value))
        .where(DailyFigure.metric.in_(metrics), DailyFigure.day.between(window.first, window.today - timedelta(days=1)))
        .group_by(DailyFigure.metric, DailyFigure.dimension)
    )
    return {(metric, dimension): int(total) for metric, dimension, total in (await session.execute(query)).all()}


async def _active_since(session: AsyncSession, since: date) -> int:
    """Members active on any day from `since` to today: those whose last active day is one."""
    query = select(func.count()).where(LastActive.day >= since)
    return int((await session.execute(query)).scalar_one())


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


async def _activity(session: AsyncSession, window: Window) -> dict[str, float]:
    """Today's DAU, WAU and MAU; stickiness from the DAU of the last 30 days (29 rolled up)."""
    today = await _today(session, window)
    dau, wau, mau = (today.get((metric, ""), 0) for metric in ("dau", "wau", "mau"))
    past = Window(30, window.today)
    stored = select(func.coalesce(func.sum(DailyFigure.value), 0)).where(
        DailyFigure.metric == "dau",
        DailyFigure.dimension == "",
        DailyFigure.day.between(past.first, past.today - timedelta(days=1)),
    )
    average_dau = (int((await session.execute(stored)).scalar_one()) + dau) / 30
    return {"dau": dau, "wau": wau, "mau": mau, "stickiness": _ratio(average_dau, mau)}


def _retention(figures: Figures) -> dict[str, float]:
    """Members active k days after signing up, over those who signed up on the cohorts' days."""
    sizes = {dimension: value for (metric, dimension), value in figures.items() if metric == "cohort_size"}
    answer = {}
    for k in RETENTION_DAYS:
        retained = {d: v for (metric, d), v in figures.items() if metric == f"retained_d{k}"}
        answer[f"d{k}"] = _ratio(sum(retained.values()), sum(sizes.get(cohort, 0) for cohort in retained))
    return answer


async def _cohort_sizes(session: AsyncSession, cohorts: set[str]) -> Figures:
    if not cohorts:
        return {}
    days = [date.fromisoformat(cohort) for cohort in cohorts]
    query = select(DailyFigure.day, DailyFigure.value).where(
        DailyFigure.metric == f"events.{Event.SIGNED_UP.value}", DailyFigure.day.in_(days)
    )
    return {("cohort_size", day.isoformat()): value for day, value in (await session.execute(query)).all()}


async def _window_figures(session: AsyncSession, window: Window) -> Figures:
    """The window's figures: the stored days summed, plus today's computed now."""
    names = [f"events.{event.value}" for event in Event]
    metrics = [
        *names,
        "first_actions",
        "search_no_results",
        "first_applicant_hours",
        *(f"retained_d{k}" for k in RETENTION_DAYS),
        *(f"mrr_{m}" for m in MOVEMENTS),
    ]
    totals: Figures = defaultdict(int, await _stored(session, window, metrics))
    for key, value in (await _today(session, window)).items():
        if key[0] in metrics:
            totals[key] += value
    cohorts = {dimension for (metric, dimension) in totals if metric.startswith("retained_d")}
    return {**totals, **await _cohort_sizes(session, cohorts)}


async def _new_paid(session: AsyncSession, since: datetime) -> dict[TierCode, int]:
    query = (
        select(Subscription.tier, func.count())
        .where(
            Subscription.created_at >= since, Subscription.status.in_((*PAYING_STATUSES, SubscriptionStatus.CANCELED))
        )
        .group_by(Subscription.tier)
    )
    return dict((await session.execute(query)).all())


async def _logo_churn(session: AsyncSession, since: datetime) -> float:
    """Paying subscriptions that ended in the window, over those paying when it began."""
    ended = select(func.count()).where(
        Subscription.status == SubscriptionStatus.CANCELED, Subscription.ended_at >= since
    )
    at_start = select(func.count()).where(
        Subscription.status.in_(PAID_STATUSES),
        Subscription.created_at < since,
        or_(Subscription.ended_at.is_(None), Subscription.ended_at >= since),
    )
    return _ratio((await session.execute(ended)).scalar_one(), (await session.execute(at_start)).scalar_one())


def _event(figures: Figures, event: Event) -> int:
    return figures.get((f"events.{event.value}", ""), 0)


def _funnel(figures: Figures, paid: dict[TierCode, int]) -> dict[str, float]:
    stages = {
        "signups": _event(figures, Event.SIGNED_UP),
        "verified": _event(figures, Event.EMAIL_VERIFIED),
        "first_action": figures.get(("first_actions", ""), 0),
        "pro": paid.get(TierCode.PRO, 0),
        "business": paid.get(TierCode.BUSINESS, 0),
    }
    funnel: dict[str, float] = dict(stages)
    names = list(stages)
    for previous, stage in itertools.pairwise(names):
        funnel[f"{stage}_rate"] = _ratio(stages[stage], stages[previous])
    return funnel


async def summary(
    session: AsyncSession, days: int, now: datetime | None = None, store: KeyValueStore | None = None
) -> dict[str, object]:
    now = now or utcnow()
    window = Window(days, now.date(), store)
    since = day_start(window.first)
    figures = await _window_figures(session, window)
    users_total = int((await session.execute(select(func.count()).where(User.is_active))).scalar_one())
    paying = await paying_subscriptions(session)
    mrr = mrr_of(await load_tiers(session), paying)
    by_tier: dict[TierCode, int] = defaultdict(int)
    for (tier, _interval), count in paying.items():
        by_tier[tier] += count
    customers = sum(by_tier.values())
    activity = await _activity(session, window)
    return {
        "days": days,
        "users_total": users_total,
        "signups": _event(figures, Event.SIGNED_UP),
        **activity,
        "retention": _retention(figures),
        "funnel": _funnel(figures, await _new_paid(session, since)),
        "mrr_cents": round(mrr),
        "arr_cents": round(mrr * 12),
        "arpu_cents": round(mrr / users_total) if users_total else 0,
        "arppu_cents": round(mrr / customers) if customers else 0,
        "churn_rate": await _logo_churn(session, since),
        "mrr_movements": {movement: figures.get((f"mrr_{movement}", ""), 0) for movement in MOVEMENTS},
        "active_subscriptions": {"pro": by_tier[TierCode.PRO], "business": by_tier[TierCode.BUSINESS]},
    }


async def timeseries(
    session: AsyncSession, series: Series, days: int, now: datetime | None = None, store: KeyValueStore | None = None
) -> list[tuple[date, int]]:
    """One value a day over the window, 0 for a day with none; today's computed now."""
    window = Window(days, (now or utcnow()).date(), store)
    metric = _SERIES_FIGURE[series]
    return list(zip(window.dates(), (await daily(session, window, [metric]))[metric], strict=True))


async def daily(session: AsyncSession, window: Window, metrics: list[str]) -> dict[str, list[int]]:
    """Each metric (whole, not broken down) for every day of the window, today's computed now;
    0 for a day without one."""
    query = select(DailyFigure.metric, DailyFigure.day, DailyFigure.value).where(
        DailyFigure.metric.in_(metrics),
        DailyFigure.dimension == "",
        DailyFigure.day.between(window.first, window.today - timedelta(days=1)),
    )
    values = {(metric, day): value for metric, day, value in (await session.execute(query)).all()}
    activity = [metric for metric in metrics if metric != "mrr_cents"]
    today = await _today(session, window) if activity else {}
    for metric in activity:
        values[(metric, window.today)] = today.get((metric, ""), 0)
    if "mrr_cents" in metrics:  # this moment's, as the summary's (the day's figure counts the day's end)
        values[("mrr_cents", window.today)] = round(await mrr_cents(session))
    return {metric: [int(values.get((metric, day), 0)) for day in window.dates()] for metric in metrics}


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Cohort:
    """The members who signed up in one week, and the share of them active k days later (None
    while no day of the week is k days old)."""

    week: date
    size: int
    retention: dict[int, float | None]


async def cohorts(session: AsyncSession, window: Window) -> list[Cohort]:
    days = window.dates()[:-1]  # a cohort of today has no day after it yet
    names = [f"retained_d{k}" for k in RETENTION_DAYS]
    sizes = select(DailyFigure.day, DailyFigure.value).where(
        DailyFigure.metric == f"events.{Event.SIGNED_UP.value}", DailyFigure.dimension == "", DailyFigure.day.in_(days)
    )
    size_of = dict((await session.execute(sizes)).all())
    kept = select(DailyFigure.metric, DailyFigure.dimension, DailyFigure.value).where(
        DailyFigure.metric.in_(names), DailyFigure.dimension.in_([day.isoformat() for day in days])
    )
    retained = {
        (metric, date.fromisoformat(cohort)): value for metric, cohort, value in (await session.execute(kept)).all()
    }
    answer = []
    for week in sorted({week_of(day) for day in days}):
        members = [day for day in days if week_of(day) == week]
        rates: dict[int, float | None] = {}
        for k in RETENTION_DAYS:
            # Only cohort days whose k-th day has been rolled up count, in both parts.
            ready = [day for day in members if day + timedelta(days=k) < window.today]
            whole = sum(size_of.get(day, 0) for day in ready)
            rates[k] = _ratio(sum(retained.get((f"retained_d{k}", day), 0) for day in ready), whole) if ready else None
        answer.append(Cohort(week, sum(size_of.get(day, 0) for day in members), rates))
    return answer


FUNNEL_STAGES = ("signups", "verified", "first_action", "pro", "business")
_STAGE_FIGURE = {
    "signups": (f"events.{Event.SIGNED_UP.value}", ""),
    "verified": (f"events.{Event.EMAIL_VERIFIED.value}", ""),
    "first_action": ("first_actions", ""),
    "pro": ("new_paid", TierCode.PRO.value),
    "business": ("new_paid", TierCode.BUSINESS.value),
}


async def weekly_funnel(session: AsyncSession, window: Window) -> list[tuple[date, dict[str, int]]]:
    """Each funnel stage's count, week by week (weeks start on Monday; the first and the last
    may be partial)."""
    metrics = sorted({metric for metric, _ in _STAGE_FIGURE.values()})
    query = select(DailyFigure.metric, DailyFigure.dimension, DailyFigure.day, DailyFigure.value).where(
        DailyFigure.metric.in_(metrics), DailyFigure.day.between(window.first, window.today - timedelta(days=1))
    )
    rows = [(metric, dimension, day, value) for metric, dimension, day, value in (await session.execute(query)).all()]
    rows += [(m, d, window.today, v) for (m, d), v in (await _today(session, window)).items() if m in metrics]
    weeks: dict[date, dict[str, int]] = {}
    for week in sorted({week_of(day) for day in window.dates()}):
        weeks[week] = dict.fromkeys(FUNNEL_STAGES, 0)
    stage_of = {figure: stage for stage, figure in _STAGE_FIGURE.items()}
    for metric, dimension, day, value in rows:
        if (stage := stage_of.get((metric, dimension))) is not None:
            weeks[week_of(day)][stage] += value
    return list(weeks.items())


@dataclass(frozen=True)
class Marketplace:
    """How well jobs and people meet in the window (docs/analytics.md)."""

    jobs_posted: int
    applications: int
    applications_per_job: float
    median_hours_to_first_applicant: int | None
    """The wait bucket (rollup.FIRST_APPLICANT_HOURS) within which half the jobs whose first
    applicant came in the window had them."""
    hires: int
    messages_per_active_member: float
    searches: int
    search_to_apply_rate: float
    failed_searches: list[tuple[str, int]]


def _median_wait(figures: Figures) -> int | None:
    """The wait bucket (hours) the middle job's first applicant came within."""
    counts = sorted((int(bound), n) for (metric, bound), n in figures.items() if metric == "first_applicant_hours")
    total = sum(n for _bound, n in counts)
    seen = 0
    for bound, n in counts:
        seen += n
        if seen * 2 >= total:
            return bound
    return None


async def marketplace(
    session: AsyncSession, days: int, now: datetime | None = None, store: KeyValueStore | None = None
) -> Marketplace:
    window = Window(days, (now or utcnow()).date(), store)
    figures = await _window_figures(session, window)
    jobs_posted = _event(figures, Event.JOB_POSTED)
    applications, searches = _event(figures, Event.JOB_APPLIED), _event(figures, Event.SEARCH_RUN)
    active = await _active_since(session, window.first)
    failed = sorted(
        ((terms, count) for (metric, terms), count in figures.items() if metric == "search_no_results"),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return Marketplace(
        jobs_posted=jobs_posted,
        applications=applications,
        applications_per_job=_ratio(applications, jobs_posted),
        median_hours_to_first_applicant=_median_wait(figures),
        hires=_event(figures, Event.CANDIDATE_HIRED),
        messages_per_active_member=_ratio(_event(figures, Event.MESSAGE_SENT), active),
        searches=searches,
        search_to_apply_rate=_ratio(applications, searches),
        failed_searches=failed[:20],
    )
