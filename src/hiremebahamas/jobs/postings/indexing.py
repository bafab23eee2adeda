"""What full-text search indexes for a job besides its title and description: the company's
name and the job's skills, kept in `Job.search_keywords` (the database's search index follows
that column: a generated tsvector on PostgreSQL, FTS5 triggers on SQLite)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import Job, JobSkill
from hiremebahamas.profiles.skills import skill_names


def search_keywords(company_name: str, skills: list[str]) -> str:
    return " ".join([company_name, *skills]).strip()


async def skills_by_job(session: AsyncSession, job_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    return await skill_names(session, JobSkill.job_id, JobSkill.skill_id, job_ids)


async def reindex_company_jobs(session: AsyncSession, company_id: uuid.UUID, company_name: str) -> None:
    """After a company is renamed, its jobs are found by the new name."""
    jobs = list((await session.execute(select(Job).where(Job.company_id == company_id))).scalars())
    skills = await skills_by_job(session, [job.id for job in jobs])
    for job in jobs:
        job.search_keywords = search_keywords(company_name, skills.get(job.id, []))
