"""What lifecycle emails show of the marketplace: open jobs that match a person's skills."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.jobs.postings.cards import job_path
from hiremebahamas.models import Island, Job, JobSkill, JobStatus, ProfileSkill
from hiremebahamas.models.base import utcnow

Item = tuple[str, str]
"""(text, absolute address): one line of an email's list."""


async def matching_jobs(
    session: AsyncSession,
    base_url: str,
    user_id: uuid.UUID,
    *,
    since: datetime | None = None,
    island: Island | None = None,
    limit: int = 5,
) -> list[Item]:
    """Open jobs sharing a skill with the person's profile, newest first; with `island`, only
    those on it or remote; with `since`, only those published after it."""
    now = utcnow()
    skills = select(ProfileSkill.skill_id).where(ProfileSkill.user_id == user_id)
    matching = select(JobSkill.job_id).where(JobSkill.skill_id.in_(skills))
    query = (
        select(Job)
        .where(Job.id.in_(matching), Job.status == JobStatus.OPEN, Job.valid_through > now)
        .order_by(Job.published_at.desc(), Job.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(Job.published_at > since)
    if island is not None:
        query = query.where(or_(Job.island == island, Job.remote.is_(True)))
    base = base_url.rstrip("/")
    return [(job.title, f"{base}{job_path(job)}") for job in (await session.execute(query)).scalars()]
