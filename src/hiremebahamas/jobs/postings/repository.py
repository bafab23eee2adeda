"""Loading a job with its company: for the service, the applications and the alerts, which the
service's own task (instant alerts) imports, so it cannot live in the service."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import NotFound
from hiremebahamas.models import Company, Job


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> tuple[Job, Company]:
    row = (
        await session.execute(select(Job, Company).join(Company, Company.id == Job.company_id).where(Job.id == job_id))
    ).one_or_none()
    if row is None:
        raise NotFound("We could not find that job.")
    job, company = row
    return job, company
