"""Featured jobs: the open jobs employers pinned, shown first in search and beside the feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.jobs.cards import JobCard, load_cards
from hiremebahamas.models import Company, Job, JobStatus
from hiremebahamas.models.base import utcnow


async def featured_jobs(session: AsyncSession, limit: int = 3, now: datetime | None = None) -> list[JobCard]:
    now = now or utcnow()
    query = (
        select(Job, Company)
        .join(Company, Company.id == Job.company_id)
        .where(Job.status == JobStatus.OPEN, Job.valid_through > now, Job.featured_until > now)
        .order_by(Job.featured_until.desc(), Job.id.desc())
        .limit(limit)
    )
    return await load_cards(session, list(await session.execute(query)))
