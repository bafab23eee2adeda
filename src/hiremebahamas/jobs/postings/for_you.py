"""“Jobs for you”: open jobs ranked by how many of the seeker's skills they ask for, and
whether they are on the seeker's island (a shared skill counts twice as much as the island)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.remembered import Memory, personal_choice, remembered_ids
from hiremebahamas.jobs.postings.cards import JobCard, cards_of
from hiremebahamas.models import (
    CompanyMember,
    Job,
    JobApplication,
    JobSkill,
    JobStatus,
    Profile,
    ProfileSkill,
    User,
)
from hiremebahamas.models.base import utcnow

# How many of the best matches are remembered; pages show the first 5, 10 or 20 still open.
CHOSEN = 20
# Candidates: the newest jobs per skill (for up to MAX_SKILLS skills) and on the island.
PER_SKILL = 200
MAX_SKILLS = 10
SAME_ISLAND = 100
CHOICE = personal_choice("jobs-for-you")


def _still_suitable(user: User, now: datetime) -> list[ColumnElement[bool]]:
    applied = select(JobApplication.job_id).where(JobApplication.applicant_id == user.id)
    own_companies = select(CompanyMember.company_id).where(CompanyMember.user_id == user.id)
    return [
        Job.status == JobStatus.OPEN,
        Job.valid_through > now,
        Job.id.not_in(applied),
        Job.company_id.not_in(own_companies),
    ]


async def jobs_for_you(
    session: AsyncSession, memory: Memory, user: User, limit: int = 10, now: datetime | None = None
) -> list[JobCard]:
    """The ranking (see `_choose`) is remembered per person for CACHE_DEFAULT_TTL; the jobs are
    loaded fresh, without those closed or applied to since."""
    now = now or utcnow()
    ids = await remembered_ids(memory, CHOICE.key(user.id), lambda: _choose(session, user, now))
    return await cards_of(session, ids, _still_suitable(user, now), limit)


async def _choose(session: AsyncSession, user: User, now: datetime) -> list[uuid.UUID]:
    """The best matches among bounded candidates: the newest PER_SKILL jobs asking for each of
    the seeker's skills and the newest SAME_ISLAND open jobs on their island. Ranking every
    open job took a scan of jobs and job_skills (about 200 ms at 50,000 jobs)."""
    mine = select(ProfileSkill.skill_id).where(ProfileSkill.user_id == user.id).limit(MAX_SKILLS)
    skill_ids = list((await session.execute(mine)).scalars())
    island = (await session.execute(select(Profile.island).where(Profile.user_id == user.id))).scalar_one_or_none()
    samples = [
        select(JobSkill.job_id.label("job_id"))
        .where(JobSkill.skill_id == skill_id)
        .order_by(JobSkill.job_id.desc())  # ids are time-ordered: the newest jobs
        .limit(PER_SKILL)
        .subquery()
        for skill_id in skill_ids
    ]
    if island is not None:
        on_island = select(Job.id.label("job_id")).where(Job.island == island, Job.status == JobStatus.OPEN)
        samples.append(on_island.order_by(Job.published_at.desc(), Job.id.desc()).limit(SAME_ISLAND).subquery())
    if not samples:
        return []
    candidates = select(union_all(*(select(sample.c.job_id) for sample in samples)).subquery().c.job_id)
    overlap = (
        select(JobSkill.job_id.label("job_id"), func.count().label("shared"))
        .where(JobSkill.job_id.in_(candidates), JobSkill.skill_id.in_(skill_ids))
        .group_by(JobSkill.job_id)
        .subquery()
    )
    same_island = case((and_(Job.island.is_not(None), Job.island == island), 1), else_=0)
    score = func.coalesce(overlap.c.shared, 0) * 2 + same_island
    query = (
        select(Job.id)
        .outerjoin(overlap, overlap.c.job_id == Job.id)
        .where(Job.id.in_(candidates), or_(overlap.c.shared > 0, same_island == 1), *_still_suitable(user, now))
        .order_by(score.desc(), Job.published_at.desc(), Job.id.desc())
        .limit(CHOSEN)
    )
    return list((await session.execute(query)).scalars())
