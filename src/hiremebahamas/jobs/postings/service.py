"""Job posting rules: who may post and manage jobs, what a valid posting is, how its status moves.

Posting needs an employer account with a verified email on the company's team, and the plan
to cover it (`billing.entitlements.ensure_can_post_job`, asked whenever a job opens).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.billing import entitlements
from hiremebahamas.companies import service as companies
from hiremebahamas.companies.slugs import slugify
from hiremebahamas.core import response_areas, tasks
from hiremebahamas.core.errors import Conflict, EmailUnverified, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.remembered import forget_after_commit
from hiremebahamas.core.sql import affected_rows, insert_ignoring_conflicts
from hiremebahamas.jobs.alerts import service as alerts
from hiremebahamas.jobs.postings import featured, screening
from hiremebahamas.jobs.postings.cards import JobCard, effective_status, is_featured
from hiremebahamas.jobs.postings.indexing import search_keywords, skills_by_job
from hiremebahamas.jobs.postings.markdown import plain_text, render_markdown
from hiremebahamas.jobs.postings.repository import get_job
from hiremebahamas.jobs.postings.schemas import MAX_JOB_SKILLS, JobIn, JobUpdateIn
from hiremebahamas.models import (
    AccountType,
    Company,
    Island,
    Job,
    JobApplication,
    JobSkill,
    JobStatus,
    SalaryPeriod,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles.skills import normalise_skills, skill_ids

DEFAULT_VALIDITY = timedelta(days=30)
MAX_VALIDITY = timedelta(days=365)
# Hours and months in a working year, to rank hourly, monthly and yearly pay together.
_YEARLY_FACTOR = {SalaryPeriod.HOUR: 2080, SalaryPeriod.MONTH: 12, SalaryPeriod.YEAR: 1}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message})


def _check_employer(user: User) -> None:
    if user.account_type != AccountType.EMPLOYER:
        raise Forbidden("Only employer accounts can post jobs.")
    if not user.email_verified:
        raise EmailUnverified()


async def is_team_member(session: AsyncSession, job: Job, user: User | None) -> bool:
    return user is not None and await companies.membership(session, job.company_id, user.id) is not None


async def view_job(session: AsyncSession, job_id: uuid.UUID, viewer: User | None) -> JobCard:
    """A job as `viewer` may see it: drafts, and jobs moderators took down, exist only for the
    company's team."""
    job, company = await get_job(session, job_id)
    hidden = job.status == JobStatus.DRAFT or job.taken_down_at is not None
    if hidden and not await is_team_member(session, job, viewer):
        raise NotFound("We could not find that job.")
    skills = await skills_by_job(session, [job.id])
    return JobCard(job, company, skills.get(job.id, []))


async def managed_job(session: AsyncSession, actor: User, job_id: uuid.UUID) -> tuple[Job, Company]:
    """A job `actor` manages (is on its company's team), or 404/403."""
    job, company = await get_job(session, job_id)
    if not await is_team_member(session, job, actor):
        if job.status == JobStatus.DRAFT:
            raise NotFound("We could not find that job.")
        raise Forbidden(f"Only the team of {company.name} can manage this job.")
    return job, company


async def _set_skills(session: AsyncSession, job: Job, company: Company, names: list[str]) -> None:
    ids = await skill_ids(session, names)
    await session.execute(delete(JobSkill).where(JobSkill.job_id == job.id))
    for name in names:
        await insert_ignoring_conflicts(session, JobSkill, job_id=job.id, skill_id=ids[name])
    job.search_keywords = search_keywords(company.name, names)


def _apply_place(job: Job, island: Island | None, remote: bool) -> None:
    if island == Island.REMOTE:
        island, remote = None, True
    if not remote and island is None:
        raise _invalid("island", "Choose the island where the job is, or mark it remote.")
    job.island, job.remote = island, remote


def _apply_salary(job: Job) -> None:
    low, high, period = job.salary_min, job.salary_max, job.salary_period
    if low is not None and high is not None and low > high:
        raise _invalid("salary_max", "The top of the salary range must not be below its bottom.")
    if (low is not None or high is not None) and period is None:
        raise _invalid("salary_period", "Say whether the salary is per hour, month or year.")
    job.salary_annual_max = yearly_salary_top(low, high, period)
    if low is None and high is None:
        job.salary_period = None


def yearly_salary_top(low: int | None, high: int | None, period: SalaryPeriod | None) -> int:
    """The top of a salary range as a yearly amount (0 without a salary): what search ranks."""
    top = high if high is not None else low
    return top * _YEARLY_FACTOR[period] if top is not None and period is not None else 0


def _apply_description(job: Job, description: str) -> None:
    job.description = description
    job.description_html = render_markdown(description)
    job.description_text = plain_text(job.description_html)
    if not job.description_text:
        raise _invalid("description", "Describe the job: what the work is and who you are looking for.")


def _check_valid_through(valid_through: datetime, now: datetime) -> datetime:
    if valid_through.tzinfo is None:
        valid_through = valid_through.replace(tzinfo=now.tzinfo)
    if valid_through <= now:
        raise _invalid("valid_through", "The closing date must be in the future.")
    if valid_through > now + MAX_VALIDITY:
        raise _invalid("valid_through", "The closing date can be at most a year ahead.")
    return valid_through.astimezone(UTC)


async def _open(session: AsyncSession, actor: User, job: Job, now: datetime) -> None:
    """Publish (or reopen) a job: the one place a job starts taking applications."""
    if job.taken_down_at is not None:
        raise Conflict(f"Moderators took this job down: {job.takedown_reason}. Contact support if this is a mistake.")
    await entitlements.ensure_can_post_job(session, actor)
    job.valid_through = _check_valid_through(job.valid_through, now)
    job.status = JobStatus.OPEN
    job.closed_at = None
    if job.published_at is None:
        job.published_at = now
        record(session, Event.JOB_POSTED, actor.id, job=str(job.id))
    # Saved searches with instant alerts hear about it once this commits.
    tasks.defer(session, alerts.send_instant_job_alerts, job_id=str(job.id))


async def create_job(session: AsyncSession, actor: User, data: JobIn) -> Job:
    _check_employer(actor)
    company = await companies.get_company(session, data.company_slug)
    await companies.require_member(session, company, actor)
    now = utcnow()
    job = Job(
        company_id=company.id,
        posted_by_id=actor.id,
        title=data.title,
        slug=slugify(data.title, max_length=80, fallback="job"),
        employment_type=data.employment_type,
        category=data.category,
        salary_min=data.salary_min,
        salary_max=data.salary_max,
        salary_period=data.salary_period,
        currency=data.currency,
        status=JobStatus.DRAFT,
        valid_through=data.valid_through or now + DEFAULT_VALIDITY,
    )
    _apply_place(job, data.island, data.remote)
    _apply_salary(job)
    _apply_description(job, data.description)
    job.valid_through = _check_valid_through(job.valid_through, now)
    skills = normalise_skills(data.skills, most=MAX_JOB_SKILLS)
    session.add(job)
    await session.flush()
    await _set_skills(session, job, company, skills)
    await screening.screen(session, job)
    if data.status == "open":
        await _open(session, actor, job, now)
    await session.flush()
    response_areas.invalidate_after_commit(session, "jobs")
    return job


async def update_job(session: AsyncSession, actor: User, job_id: uuid.UUID, data: JobUpdateIn) -> Job:
    _check_employer(actor)
    job, company = await managed_job(session, actor, job_id)
    fields = data.model_fields_set
    now = utcnow()
    if data.title is not None:
        job.title = data.title
        job.slug = slugify(data.title, max_length=80, fallback="job")
    if data.description is not None:
        _apply_description(job, data.description)
    if "island" in fields or data.remote is not None:
        island = data.island if "island" in fields else job.island
        _apply_place(job, island, data.remote if data.remote is not None else job.remote)
    for name in ("employment_type", "category", "currency"):
        if getattr(data, name) is not None:
            setattr(job, name, getattr(data, name))
    for name in ("salary_min", "salary_max", "salary_period"):
        if name in fields:
            setattr(job, name, getattr(data, name))
    _apply_salary(job)
    if data.valid_through is not None:
        job.valid_through = _check_valid_through(data.valid_through, now)
    if data.skills is not None:
        await _set_skills(session, job, company, normalise_skills(data.skills, most=MAX_JOB_SKILLS))
    await screening.screen(session, job)
    if data.status is not None:
        await _move(session, actor, job, JobStatus(data.status), now)
    await session.flush()
    response_areas.invalidate_after_commit(session, "jobs")
    return job


async def _move(session: AsyncSession, actor: User, job: Job, target: JobStatus, now: datetime) -> None:
    current = effective_status(job, now)
    if target == current:
        return
    if target == JobStatus.OPEN:
        await _open(session, actor, job, now)
    elif target == JobStatus.CLOSED and current == JobStatus.OPEN:
        job.status, job.closed_at = JobStatus.CLOSED, now
    elif target == JobStatus.DRAFT:
        raise Conflict("A published job cannot go back to draft. Close it instead.")
    else:
        raise Conflict(f"A job that is {current.value} cannot be {target.value}.")


async def set_job_status(session: AsyncSession, actor: User, job_id: uuid.UUID, target: JobStatus) -> Job:
    return await update_job(session, actor, job_id, JobUpdateIn.model_validate({"status": target.value}))


FEATURED_FOR = timedelta(days=30)


async def feature_job(session: AsyncSession, actor: User, job_id: uuid.UUID, now: datetime | None = None) -> Job:
    """Pin an open job to the top of search for 30 days (or until it closes). Counts against
    the Business plan's monthly featured jobs; featuring a job that is already featured is free."""
    now = now or utcnow()
    _check_employer(actor)
    job, _company = await managed_job(session, actor, job_id)
    if effective_status(job, now) != JobStatus.OPEN:
        raise Conflict("Only open jobs can be featured.")
    if is_featured(job, now):
        return job
    await entitlements.ensure_can_feature_job(session, actor, now)
    job.featured_until = min(now + FEATURED_FOR, job.valid_through)
    await session.flush()
    forget_after_commit(session, featured.MEMORY_KEY)  # shown beside the feed from the next page view
    response_areas.invalidate_after_commit(session, "jobs")
    return job


async def delete_job(session: AsyncSession, actor: User, job_id: uuid.UUID) -> None:
    """Delete a job nobody applied to; with applications, close it instead so applicants keep
    their history."""
    _check_employer(actor)
    job, _company = await managed_job(session, actor, job_id)
    applications = select(func.count()).where(JobApplication.job_id == job.id)
    if (await session.execute(applications)).scalar_one() > 0:
        raise Conflict("People have applied to this job, so it cannot be deleted. Close it instead.")
    await session.delete(job)
    await session.flush()
    response_areas.invalidate_after_commit(session, "jobs")


async def expire_jobs(session: AsyncSession, now: datetime | None = None) -> int:
    """Mark open jobs past their end as expired (search already hides them at query time)."""
    now = now or utcnow()
    statement = (
        update(Job)
        .where(Job.status == JobStatus.OPEN, Job.valid_through <= now)
        .values(status=JobStatus.EXPIRED, closed_at=Job.valid_through, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    expired = await affected_rows(session, statement)
    if expired:
        response_areas.invalidate_after_commit(session, "jobs")
    return expired
