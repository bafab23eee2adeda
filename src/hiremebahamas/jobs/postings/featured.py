"""Featured jobs: the open jobs employers pinned, shown first in search and beside the feed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.remembered import Memory, remembered_ids
from hiremebahamas.jobs.postings.cards import JobCard, cards_of
from hiremebahamas.models import Job, JobStatus
from hiremebahamas.models.base import utcnow

MEMORY_KEY = "featured-jobs"
# Jobs remembered beyond the few shown, so one that closes or stops being featured leaves a
# place that the next one fills without choosing again.
CHOSEN = 10


def _live(now: datetime) -> list[ColumnElement[bool]]:
    return [Job.status == JobStatus.OPEN, Job.valid_through > now, Job.featured_until > now]


async def featured_jobs(
    session: AsyncSession, memory: Memory, limit: int = 3, now: datetime | None = None
) -> list[JobCard]:
    """Shown beside every signed-in feed: the choice is remembered (and forgotten when a job is
    featured, see service.py); the jobs are loaded fresh."""
    now = now or utcnow()
    ids = await remembered_ids(memory, MEMORY_KEY, lambda: _choose(session, now))
    return await cards_of(session, ids, _live(now), limit)


async def _choose(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    query = select(Job.id).where(*_live(now)).order_by(Job.featured_until.desc(), Job.id.desc()).limit(CHOSEN)
    return list((await session.execute(query)).scalars())
