"""A job as lists and pages show it: the job, its company and its skills, loaded for a whole
page at once (the skills in one extra query), plus the labels templates need."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.companies.logos import logo_url
from hiremebahamas.jobs.postings.indexing import skills_by_job
from hiremebahamas.jobs.postings.labels import (
    CATEGORY_LABELS,
    EMPLOYMENT_TYPE_LABELS,
    JOB_STATUS_LABELS,
    SALARY_PERIOD_LABELS,
)
from hiremebahamas.jobs.postings.markdown import summary
from hiremebahamas.jobs.postings.schemas import CompanyBrief, JobOut, JobSummaryOut
from hiremebahamas.models import Company, Job, JobStatus
from hiremebahamas.models.base import utcnow


def job_path(job: Job) -> str:
    return f"/jobs/{job.id}-{job.slug}"


def effective_status(job: Job, now: datetime | None = None) -> JobStatus:
    """An open job past its end is expired even before the expiry task marks it so."""
    if job.status == JobStatus.OPEN and job.valid_through <= (now or utcnow()):
        return JobStatus.EXPIRED
    return job.status


def is_featured(job: Job, now: datetime | None = None) -> bool:
    return job.featured_until is not None and job.featured_until > (now or utcnow())


def company_brief(company: Company) -> CompanyBrief:
    return CompanyBrief(
        slug=company.slug,
        name=company.name,
        url=f"/companies/{company.slug}",
        logo_url=logo_url(company.logo_upload_id),
        verified=company.verified,
    )


@dataclass(frozen=True)
class JobCard:
    job: Job
    company: Company
    skills: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return job_path(self.job)

    @property
    def logo_url(self) -> str | None:
        return logo_url(self.company.logo_upload_id)

    @property
    def status(self) -> JobStatus:
        return effective_status(self.job)

    @property
    def is_live(self) -> bool:
        return self.status == JobStatus.OPEN

    @property
    def status_label(self) -> str:
        return JOB_STATUS_LABELS[self.status]

    @property
    def featured(self) -> bool:
        return is_featured(self.job)

    @property
    def location(self) -> str:
        job = self.job
        if job.remote:
            return f"Remote (based in {job.island.label})" if job.island else "Remote"
        return job.island.label if job.island else "The Bahamas"

    @property
    def employment_type_label(self) -> str:
        return EMPLOYMENT_TYPE_LABELS[self.job.employment_type]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.job.category]

    @property
    def salary(self) -> str | None:
        """Like "BSD 40,000 to 55,000 per year"; None when the employer gave no salary."""
        job = self.job
        low, high = job.salary_min, job.salary_max
        if low is None and high is None:
            return None
        if low is not None and high is not None and low != high:
            amount = f"{low:,} to {high:,}"
        elif low is not None and high is None:
            amount = f"from {low:,}"
        elif low is None and high is not None:
            amount = f"up to {high:,}"
        else:
            amount = f"{low:,}"
        period = f" {SALARY_PERIOD_LABELS[job.salary_period]}" if job.salary_period else ""
        return f"{job.currency} {amount}{period}"

    @property
    def summary(self) -> str:
        return summary(self.job.description_text)

    def summary_out(self) -> JobSummaryOut:
        return JobSummaryOut(**self._fields())

    def out(self) -> JobOut:
        job = self.job
        return JobOut(
            **self._fields(),
            description=job.description,
            description_html=job.description_html,
            updated_at=job.updated_at,
        )

    def _fields(self) -> dict[str, object]:
        job = self.job
        return {
            "id": job.id,
            "url": self.url,
            "title": job.title,
            "company": company_brief(self.company),
            "island": job.island,
            "island_label": job.island.label if job.island else None,
            "remote": job.remote,
            "employment_type": job.employment_type,
            "category": job.category,
            "salary_min": job.salary_min,
            "salary_max": job.salary_max,
            "salary_period": job.salary_period,
            "currency": job.currency,
            "skills": self.skills,
            "status": self.status,
            "featured": self.featured,
            "valid_through": job.valid_through,
            "published_at": job.published_at,
            "created_at": job.created_at,
            "summary": self.summary,
        }


async def cards_of(
    session: AsyncSession, ids: Sequence[uuid.UUID], conditions: Sequence[ColumnElement[bool]], limit: int
) -> list[JobCard]:
    """The first `limit` of the jobs `ids`, in that order, among those that meet `conditions`:
    remembered choices (jobs for you, featured) loaded fresh."""
    if not ids:
        return []
    query = select(Job, Company).join(Company, Company.id == Job.company_id).where(Job.id.in_(ids), *conditions)
    by_id = {job.id: (job, company) for job, company in await session.execute(query)}
    return await load_cards(session, [by_id[i] for i in ids if i in by_id][:limit])


async def load_cards(session: AsyncSession, rows: Sequence[tuple[Job, Company]]) -> list[JobCard]:
    skills = await skills_by_job(session, [job.id for job, _ in rows])
    return [JobCard(job, company, skills.get(job.id, [])) for job, company in rows]
