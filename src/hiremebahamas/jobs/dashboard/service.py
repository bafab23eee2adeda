"""The employer dashboard: an employer's companies, their jobs by status with applicants per
stage and how many are new since this team member last looked, the latest applicants, and the
plan with what it allows.

It costs the same few queries however many jobs and applicants there are: the counts of every
job come from one grouped query. "New" is per team member and company: the applications made
after `CompanyMember.applicants_seen_at`, which the dashboard's page sets once it was seen (a
beacon, as job views are counted) and API clients set with POST /api/employer/dashboard/seen.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing import service as billing
from hiremebahamas.companies.logos import logo_url
from hiremebahamas.core.errors import Forbidden
from hiremebahamas.jobs.applications.service import ApplicationView, view_query, views_of
from hiremebahamas.jobs.postings.cards import effective_status
from hiremebahamas.models import (
    AccountType,
    ApplicationStatus,
    Company,
    CompanyMember,
    CompanyRole,
    Job,
    JobApplication,
    JobStatus,
    User,
)
from hiremebahamas.models.base import utcnow

RECENT_APPLICANTS = 8
# Closed and expired jobs shown (the latest); open jobs and drafts are all shown.
CLOSED_SHOWN = 20


@dataclass(frozen=True)
class Applicants:
    """A job's applications at each stage, and how many came since the team member's last visit."""

    by_stage: dict[ApplicationStatus, int] = field(default_factory=dict)
    new: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_stage.values())

    def at(self, stage: ApplicationStatus) -> int:
        return self.by_stage.get(stage, 0)


@dataclass(frozen=True)
class DashboardJob:
    job: Job
    company: Company
    applicants: Applicants

    @property
    def status(self) -> JobStatus:
        return effective_status(self.job)


@dataclass(frozen=True)
class DashboardCompany:
    company: Company
    role: CompanyRole
    seen_at: datetime | None

    @property
    def logo_url(self) -> str | None:
        return logo_url(self.company.logo_upload_id)


@dataclass(frozen=True)
class Dashboard:
    companies: list[DashboardCompany]
    open: list[DashboardJob]
    drafts: list[DashboardJob]
    closed: list[DashboardJob]
    recent: list[ApplicationView]
    plan: billing.Overview

    @property
    def new_applicants(self) -> int:
        return sum(item.applicants.new for item in (*self.open, *self.drafts, *self.closed))

    @property
    def seen_at(self) -> datetime | None:
        """The last visit: the earliest of the companies' (all are marked together)."""
        seen = [item.seen_at for item in self.companies if item.seen_at is not None]
        return min(seen) if seen else None


def _check_employer(user: User) -> None:
    if user.account_type != AccountType.EMPLOYER:
        raise Forbidden("The employer dashboard is for employer accounts.")


async def _memberships(session: AsyncSession, user: User) -> list[DashboardCompany]:
    query = (
        select(Company, CompanyMember.role, CompanyMember.applicants_seen_at)
        .join(CompanyMember, CompanyMember.company_id == Company.id)
        .where(CompanyMember.user_id == user.id)
        .order_by(Company.name, Company.id)
    )
    return [DashboardCompany(company, role, seen) for company, role, seen in await session.execute(query)]


async def _applicants_by_job(
    session: AsyncSession, user: User, company_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Applicants]:
    """Every job's applications per stage and the new ones, in one grouped query."""
    member = CompanyMember
    is_new = or_(member.applicants_seen_at.is_(None), JobApplication.created_at > member.applicants_seen_at)
    query = (
        select(JobApplication.job_id, JobApplication.status, func.count(), func.sum(case((is_new, 1), else_=0)))
        .join(Job, Job.id == JobApplication.job_id)
        .join(member, and_(member.company_id == Job.company_id, member.user_id == user.id))
        .where(Job.company_id.in_(company_ids))
        .group_by(JobApplication.job_id, JobApplication.status)
    )
    stages: dict[uuid.UUID, dict[ApplicationStatus, int]] = defaultdict(dict)
    new: dict[uuid.UUID, int] = defaultdict(int)
    for job_id, status, count, new_count in await session.execute(query):
        stages[job_id][status] = count
        new[job_id] += int(new_count or 0)
    return {job_id: Applicants(by_stage, new[job_id]) for job_id, by_stage in stages.items()}


async def dashboard(session: AsyncSession, user: User, now: datetime | None = None) -> Dashboard:
    _check_employer(user)
    now = now or utcnow()
    companies = await _memberships(session, user)
    by_id = {item.company.id: item.company for item in companies}
    ids = list(by_id)
    jobs: list[Job] = []
    counts: dict[uuid.UUID, Applicants] = {}
    recent: list[ApplicationView] = []
    if ids:
        query = select(Job).where(Job.company_id.in_(ids)).order_by(Job.created_at.desc(), Job.id.desc())
        jobs = list((await session.execute(query)).scalars())
        counts = await _applicants_by_job(session, user, ids)
        latest = (
            view_query()
            .where(Job.company_id.in_(ids))
            .order_by(JobApplication.created_at.desc(), JobApplication.id.desc())
            .limit(RECENT_APPLICANTS)
        )
        recent = views_of(list(await session.execute(latest)))
    rows = [DashboardJob(job, by_id[job.company_id], counts.get(job.id, Applicants())) for job in jobs]
    return Dashboard(
        companies=companies,
        open=[row for row in rows if effective_status(row.job, now) == JobStatus.OPEN],
        drafts=[row for row in rows if row.job.status == JobStatus.DRAFT],
        closed=[row for row in rows if effective_status(row.job, now) in (JobStatus.CLOSED, JobStatus.EXPIRED)][
            :CLOSED_SHOWN
        ],
        recent=recent,
        plan=await billing.overview(session, user, now),
    )


async def mark_seen(session: AsyncSession, user: User, now: datetime | None = None) -> None:
    """The employer saw the dashboard: applications until now are no longer new for them."""
    _check_employer(user)
    statement = (
        update(CompanyMember)
        .where(CompanyMember.user_id == user.id)
        .values(applicants_seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)
