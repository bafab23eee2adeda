"""What full-text search indexes for a job besides its title and description: the company's
name and the job's skills, kept in `Job.search_keywords` (the database's search index follows
that column: a generated tsvector on PostgreSQL, FTS5 triggers on SQLite)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import Job, JobSkill, Skill


def search_keywords(company_name: str, skills: list[str]) -> str:
    return " ".join([company_name, *skills]).strip()


async def skills_by_job(session: AsyncSession, job_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Skill names of many jobs in one query, alphabetical."""
    if not job_ids:
        return {}
    query = (
        select(JobSkill.job_id, Skill.name)
        .join(Skill, Skill.id == JobSkill.skill_id)
        .where(JobSkill.job_id.in_(job_ids))
        .order_by(Skill.name)
    )
    result: dict[uuid.UUID, list[str]] = defaultdict(list)
    for job_id, name in await session.execute(query):
        result[job_id].append(name)
    return dict(result)


async def reindex_company_jobs(session: AsyncSession, company_id: uuid.UUID, company_name: str) -> None:
    """After a company is renamed, its jobs are found by the new name."""
    jobs = list((await session.execute(select(Job).where(Job.company_id == company_id))).scalars())
    skills = await skills_by_job(session, [job.id for job in jobs])
    for job in jobs:
        job.search_keywords = search_keywords(company_name, skills.get(job.id, []))
