"""“Jobs for you”: open jobs ranked by how many of the seeker's skills they ask for, and
whether they are on the seeker's island (a shared skill counts twice as much as the island)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.jobs.cards import JobCard, load_cards
from hiremebahamas.models import (
    Company,
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


async def jobs_for_you(
    session: AsyncSession, user: User, limit: int = 10, now: datetime | None = None
) -> list[JobCard]:
    now = now or utcnow()
    my_skills = select(ProfileSkill.skill_id).where(ProfileSkill.user_id == user.id)
    overlap = (
        select(JobSkill.job_id.label("job_id"), func.count().label("shared"))
        .where(JobSkill.skill_id.in_(my_skills))
        .group_by(JobSkill.job_id)
        .subquery()
    )
    my_island = select(Profile.island).where(Profile.user_id == user.id).scalar_subquery()
    same_island = case((and_(Job.island.is_not(None), Job.island == my_island), 1), else_=0)
    score = func.coalesce(overlap.c.shared, 0) * 2 + same_island
    applied = select(JobApplication.job_id).where(JobApplication.applicant_id == user.id)
    own_companies = select(CompanyMember.company_id).where(CompanyMember.user_id == user.id)
    query = (
        select(Job, Company)
        .join(Company, Company.id == Job.company_id)
        .outerjoin(overlap, overlap.c.job_id == Job.id)
        .where(
            Job.status == JobStatus.OPEN,
            Job.valid_through > now,
            or_(overlap.c.shared > 0, same_island == 1),
            Job.id.not_in(applied),
            Job.company_id.not_in(own_companies),
        )
        .order_by(score.desc(), Job.published_at.desc(), Job.id.desc())
        .limit(limit)
    )
    rows = list(await session.execute(query))
    return await load_cards(session, rows)
