"""What the visitors' home page shows of the marketplace: the newest open jobs and how many
open jobs there are on how many islands.

The page itself is kept for every visitor alike (core/response_cache.py) until jobs change; the
counts are kept too, for CACHE_DEFAULT_TTL, since counting every open job is the one read here
that grows with the marketplace. The newest jobs are one short read of the
(status, published_at) index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.remembered import Memory, remembered
from hiremebahamas.jobs.postings.cards import JobCard, load_cards
from hiremebahamas.models import Company, Island, Job, JobStatus
from hiremebahamas.models.base import utcnow

COUNTS_KEY = "open-job-counts"


@dataclass(frozen=True)
class OpenJobCounts:
    jobs: int
    islands: int


def _open(now: datetime) -> list[ColumnElement[bool]]:
    return [Job.status == JobStatus.OPEN, Job.valid_through > now]


async def open_job_counts(session: AsyncSession, memory: Memory, now: datetime | None = None) -> OpenJobCounts:
    """Open jobs, and the islands they are on (remote jobs without an island count no island)."""

    async def count() -> list[int]:
        islands = func.count(distinct(Job.island)).filter(Job.island != Island.REMOTE)
        query = select(func.count(), islands).where(*_open(now or utcnow()))
        jobs, on_islands = (await session.execute(query)).one()
        return [int(jobs), int(on_islands)]

    jobs, islands = await remembered(memory, COUNTS_KEY, count, _counts)
    return OpenJobCounts(jobs, islands)


def _counts(value: list[int]) -> list[int]:
    jobs, islands = value  # two numbers, or a ValueError: counted again
    return [int(jobs), int(islands)]


async def latest_jobs(session: AsyncSession, limit: int = 6, now: datetime | None = None) -> list[JobCard]:
    """The newest open jobs that are not featured (those have their own list beside them)."""
    now = now or utcnow()
    query = (
        select(Job, Company)
        .join(Company, Company.id == Job.company_id)
        .where(*_open(now), or_(Job.featured_until.is_(None), Job.featured_until <= now))
        .order_by(Job.published_at.desc(), Job.id.desc())
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return await load_cards(session, [(job, company) for job, company in rows])
