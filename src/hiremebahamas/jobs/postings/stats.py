"""A job's statistics for its employer: views, different viewers, applications, by day.

A view is counted when a job page reports that it was seen (a beacon from the page's script, so
pages a CDN or the server's cache shares still count, and robots that run no script do not).
Someone counts once a day as a different viewer: a member by their id, a visitor by a keyed hash
of their address and browser that lives only in the key-value store, for two days, and is never
stored with the counts. The company's own team is not counted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.billing import entitlements
from hiremebahamas.config import Settings
from hiremebahamas.core.cache import STORE_ERRORS, KeyValueStore
from hiremebahamas.core.secrets_box import keyed_hash
from hiremebahamas.core.sql import add_to_counters, utc_day
from hiremebahamas.jobs.postings.service import is_team_member, managed_job, view_job
from hiremebahamas.models import JobApplication, JobViewDay, User
from hiremebahamas.models.base import utcnow

_VIEWER_TTL = 2 * 24 * 3600
MAX_DAYS = 90


async def count_view(
    session: AsyncSession, store: KeyValueStore, settings: Settings, job_id: uuid.UUID, viewer: User | None, client: str
) -> None:
    """Count one view of a job the viewer may see (404 otherwise); the team's are not counted."""
    card = await view_job(session, job_id, viewer)
    if await is_team_member(session, card.job, viewer):
        return
    today = utcnow().date()
    who = str(viewer.id) if viewer is not None else keyed_hash(settings, "job-viewer", f"{today}:{client}")
    try:
        first = await store.incr(f"job-viewer:{job_id}:{today}:{who}", _VIEWER_TTL) == 1
    except STORE_ERRORS:
        first = False  # Redis down: the view counts, but nobody can tell it is a new viewer
    await add_to_counters(
        session, JobViewDay, {"job_id": job_id, "day": today}, {"views": 1, "unique_viewers": int(first)}
    )
    if first:
        record(session, Event.JOB_VIEWED, viewer.id if viewer else None, job=str(job_id))


@dataclass(frozen=True)
class DayStats:
    day: date
    views: int
    unique_viewers: int
    applications: int


@dataclass(frozen=True)
class JobStats:
    views: int
    unique_viewers: int
    applications: int
    by_day: list[DayStats]

    @property
    def conversion_rate(self) -> float:
        """Applications over different viewers (a viewer counts once a day)."""
        return round(self.applications / self.unique_viewers, 4) if self.unique_viewers else 0.0


async def job_stats(session: AsyncSession, actor: User, job_id: uuid.UUID, days: int = 30) -> JobStats:
    """The totals since the job was posted, and the last `days` days (at most 90) day by day."""
    job, _company = await managed_job(session, actor, job_id)
    await entitlements.ensure_can_see_job_stats(session, actor)
    today = utcnow().date()
    first = today - timedelta(days=min(days, MAX_DAYS) - 1)
    views_query = select(JobViewDay.day, JobViewDay.views, JobViewDay.unique_viewers).where(JobViewDay.job_id == job.id)
    views = {day: (n, unique) for day, n, unique in (await session.execute(views_query)).all()}
    day = utc_day(session, JobApplication.created_at)
    applied_query = select(day, func.count()).where(JobApplication.job_id == job.id).group_by(day)
    applied = {_as_date(when): n for when, n in (await session.execute(applied_query)).all()}
    by_day = []
    for offset in range((today - first).days + 1):
        when = first + timedelta(days=offset)
        seen, unique = views.get(when, (0, 0))
        by_day.append(DayStats(when, seen, unique, applied.get(when, 0)))
    return JobStats(
        views=sum(n for n, _ in views.values()),
        unique_viewers=sum(unique for _, unique in views.values()),
        applications=sum(applied.values()),
        by_day=by_day,
    )


def _as_date(value: date | str) -> date:
    """SQLite's date() answers text."""
    return value if isinstance(value, date) else date.fromisoformat(value)
