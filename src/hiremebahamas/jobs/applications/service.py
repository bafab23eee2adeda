"""Applications and the hiring pipeline.

A seeker applies once per job, to an open job of a company they are not on the team of, with a
cover letter and/or a CV. The company's team moves the application along

    applied → reviewing → interview → offer → hired

to any later stage in one move (straight from applied to interview: one change, one email), or
rejects it from any open step; the seeker may withdraw it until it is decided. Moving to the
stage it is at already changes nothing and tells nobody. Every change is recorded
(`ApplicationEvent`: who, from, to, when) and told to the other side: the team hears of each
new application, the seeker of each move (in-app notification and email; the email goes
through `notify`, which honours each person's email preferences).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.companies import service as companies
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import Conflict, EmailUnverified, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.pagination import PageParams, newest_first_after, next_cursor
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.jobs import emails
from hiremebahamas.jobs.applications.schemas import ApplicationIn
from hiremebahamas.jobs.postings.cards import effective_status
from hiremebahamas.jobs.postings.labels import APPLICATION_STATUS_LABELS
from hiremebahamas.jobs.postings.repository import get_job
from hiremebahamas.models import (
    ApplicationEvent,
    ApplicationStatus,
    Company,
    CompanyMember,
    Job,
    JobApplication,
    JobStatus,
    Profile,
    Upload,
    UploadPurpose,
    User,
)
from hiremebahamas.models.base import new_id, utcnow
from hiremebahamas.notifications.service import notify
from hiremebahamas.profiles.people import PersonCard, card
from hiremebahamas.profiles.skills import skills_by_user
from hiremebahamas.uploads.service import owned_upload, register_read_grantor

S = ApplicationStatus
# The road an application takes when nothing stops it.
PIPELINE = (S.APPLIED, S.REVIEWING, S.INTERVIEW, S.OFFER, S.HIRED)
# The moves the company's team may make from each open status: any later stage, or rejection.
EMPLOYER_MOVES: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    stage: frozenset({*PIPELINE[index + 1 :], S.REJECTED}) for index, stage in enumerate(PIPELINE[:-1])
}
WITHDRAWABLE = frozenset({S.APPLIED, S.REVIEWING, S.INTERVIEW, S.OFFER})
CLOSED_STATUSES = frozenset({S.HIRED, S.REJECTED, S.WITHDRAWN})


@dataclass(frozen=True)
class ApplicationView:
    """An application with what lists and pages show about it."""

    application: JobApplication
    job: Job
    company: Company
    applicant: User
    cv: Upload | None
    profile: Profile | None = None
    skills: tuple[str, ...] = ()

    @property
    def person(self) -> PersonCard:
        """The applicant as their card shows them (photo, headline, island)."""
        return card(self.applicant, self.profile)

    @property
    def status_label(self) -> str:
        return APPLICATION_STATUS_LABELS[self.application.status]

    @property
    def next_moves(self) -> list[ApplicationStatus]:
        """The statuses the team can move this application to, in pipeline order."""
        allowed = EMPLOYER_MOVES.get(self.application.status, frozenset())
        return [status for status in ApplicationStatus if status in allowed]

    @property
    def move_choices(self) -> list[tuple[str, str]]:
        return [(status.value, APPLICATION_STATUS_LABELS[status]) for status in self.next_moves]


@dataclass(frozen=True)
class HistoryEntry:
    event: ApplicationEvent
    actor: User | None


ViewQuery = Select[JobApplication, Job, Company, User, Upload, Profile]


def view_query() -> ViewQuery:
    """Applications with their job, company, applicant, CV and the applicant's profile."""
    return (
        select(JobApplication, Job, Company, User, Upload, Profile)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Company, Company.id == Job.company_id)
        .join(User, User.id == JobApplication.applicant_id)
        .outerjoin(Upload, Upload.id == JobApplication.cv_upload_id)
        .outerjoin(Profile, Profile.user_id == JobApplication.applicant_id)
    )


_ViewRow = Row[JobApplication, Job, Company, User, Upload, Profile]


def _view(row: _ViewRow) -> ApplicationView:
    application, job, company, applicant, cv, profile = row
    return ApplicationView(application, job, company, applicant, cv, profile)


def views_of(rows: list[_ViewRow]) -> list[ApplicationView]:
    return [_view(row) for row in rows]


async def _team_ids(session: AsyncSession, company_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(CompanyMember.user_id).where(CompanyMember.company_id == company_id)
    return list((await session.execute(query)).scalars())


async def apply_to_job(
    session: AsyncSession, settings: Settings, actor: User, job_id: uuid.UUID, data: ApplicationIn
) -> ApplicationView:
    if not actor.email_verified:
        raise EmailUnverified()
    job, company = await get_job(session, job_id)
    team = await _team_ids(session, company.id)
    if job.status == JobStatus.DRAFT and actor.id not in team:
        raise NotFound("We could not find that job.")
    if actor.id in team:
        raise Forbidden("You are on the team of this company, so you cannot apply to its jobs.")
    status = effective_status(job)
    if status != JobStatus.OPEN:
        raise Conflict(f"This job is {status.value} and no longer takes applications.")
    cv: Upload | None = None
    if data.cv_upload_id is not None:
        cv = await owned_upload(session, {actor.id}, data.cv_upload_id, UploadPurpose.CV, "cv_upload_id")
    if not data.cover_letter and cv is None:
        message = "Add a cover letter or a CV (or both)."
        raise ValidationFailed(message, fields={"cover_letter": message})
    application_id = new_id()
    inserted = await insert_ignoring_conflicts(
        session,
        JobApplication,
        id=application_id,
        job_id=job.id,
        applicant_id=actor.id,
        cover_letter=data.cover_letter,
        cv_upload_id=cv.id if cv else None,
        status=ApplicationStatus.APPLIED,
    )
    if not inserted:
        raise Conflict("You have already applied to this job. See it under My applications.")
    session.add(ApplicationEvent(application_id=application_id, actor_id=actor.id, to_status=S.APPLIED))
    record(session, Event.JOB_APPLIED, actor.id, job=str(job.id))
    application = await session.get_one(JobApplication, application_id)
    await _tell_team(session, settings, actor, job, company, team, application)
    await session.flush()
    return ApplicationView(application, job, company, actor, cv)


async def _tell_team(
    session: AsyncSession,
    settings: Settings,
    applicant: User,
    job: Job,
    company: Company,
    team: list[uuid.UUID],
    application: JobApplication,
) -> None:
    data = {"job_id": str(job.id), "job_title": job.title, "application_id": str(application.id)}
    members = list((await session.execute(select(User).where(User.id.in_(team), User.is_active))).scalars())
    for member in members:
        # The email goes with the notification: sent after the commit unless they turned it off.
        email = emails.application_received(settings, member, applicant, job, company, application)
        await notify(session, member.id, "application.created", actor_id=applicant.id, data=data, email=email)


async def _load(session: AsyncSession, application_id: uuid.UUID) -> ApplicationView:
    row = (await session.execute(view_query().where(JobApplication.id == application_id))).one_or_none()
    if row is None:
        raise NotFound("We could not find that application.")
    return _view(row)


async def view_application(session: AsyncSession, actor: User, application_id: uuid.UUID) -> ApplicationView:
    """An application, for its applicant or the company's team only."""
    view = await _load(session, application_id)
    if view.applicant.id != actor.id and await companies.membership(session, view.company.id, actor.id) is None:
        raise NotFound("We could not find that application.")
    return view


async def history(session: AsyncSession, application_id: uuid.UUID) -> list[HistoryEntry]:
    actor = aliased(User)
    query = (
        select(ApplicationEvent, actor)
        .outerjoin(actor, actor.id == ApplicationEvent.actor_id)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
    )
    return [HistoryEntry(event, user) for event, user in (await session.execute(query))]


def _refuse(current: ApplicationStatus, target: ApplicationStatus, allowed: frozenset[ApplicationStatus]) -> Conflict:
    label = APPLICATION_STATUS_LABELS
    if current in CLOSED_STATUSES:
        return Conflict(f"This application is already {label[current].lower()}; it cannot change any more.")
    if not allowed:
        return Conflict(f"You cannot move this application to {label[target].lower()}.")
    choices = " or ".join(label[status].lower() for status in ApplicationStatus if status in allowed)
    return Conflict(
        f"An application at {label[current].lower()} can move to {choices}, not to {label[target].lower()}."
    )


def _allowed_moves(view: ApplicationView, actor: User, target: ApplicationStatus) -> frozenset[ApplicationStatus]:
    current = view.application.status
    if view.applicant.id == actor.id:
        if target != S.WITHDRAWN:
            raise Forbidden("Only the company's team moves an application through its pipeline; you may withdraw it.")
        return frozenset({S.WITHDRAWN}) if current in WITHDRAWABLE else frozenset()
    if target == S.WITHDRAWN:
        raise Forbidden("Only the applicant can withdraw an application.")
    return EMPLOYER_MOVES.get(current, frozenset())


async def _move(
    session: AsyncSession, settings: Settings, actor: User, view: ApplicationView, target: ApplicationStatus
) -> None:
    """Record one real change of status and tell the other side of it (once)."""
    application = view.application
    current = application.status
    application.status = target
    application.updated_at = utcnow()
    if target == S.HIRED:
        record(session, Event.CANDIDATE_HIRED, actor.id, job=str(view.job.id))
    session.add(
        ApplicationEvent(application_id=application.id, actor_id=actor.id, from_status=current, to_status=target)
    )
    data = {"job_id": str(view.job.id), "job_title": view.job.title, "application_id": str(application.id)}
    if view.applicant.id == actor.id:
        for member_id in await _team_ids(session, view.company.id):
            await notify(session, member_id, "application.withdrawn", actor_id=actor.id, data=data)
    else:
        email = emails.application_status_changed(settings, view.applicant, view.job, view.company, target)
        # The label travels with the notification: its text reads "Interview", not "interview".
        status_data = {**data, "status": target.value, "status_label": APPLICATION_STATUS_LABELS[target]}
        await notify(
            session, view.applicant.id, "application.status_changed", actor_id=actor.id, data=status_data, email=email
        )


async def change_status(
    session: AsyncSession, settings: Settings, actor: User, application_id: uuid.UUID, target: ApplicationStatus
) -> ApplicationView:
    view = await view_application(session, actor, application_id)
    allowed = _allowed_moves(view, actor, target)
    current = view.application.status
    if target == current:
        return view  # asked twice, or already there: nothing changed, nobody is told
    if target not in allowed:
        raise _refuse(current, target, allowed)
    await _move(session, settings, actor, view, target)
    await session.flush()
    return view


async def change_statuses(
    session: AsyncSession,
    settings: Settings,
    actor: User,
    application_ids: list[uuid.UUID],
    target: ApplicationStatus,
) -> list[ApplicationView]:
    """Move several applications to one status, all or none: when one of them cannot move (not
    the actor's company's, a move backwards, already decided), nothing changes and the error
    names the applicant. Those already at `target` stay as they are and their applicants hear
    nothing, so sending the same request twice changes nothing the second time."""
    if target == S.WITHDRAWN:
        raise Forbidden("Only the applicant can withdraw an application.")
    wanted = list(dict.fromkeys(application_ids))
    rows = list(await session.execute(view_query().where(JobApplication.id.in_(wanted))))
    views = {view.application.id: view for view in views_of(rows)}
    teams = await _companies_on_team(session, actor, {view.company.id for view in views.values()})
    for application_id in wanted:
        found = views.get(application_id)
        if found is None or found.company.id not in teams:
            raise NotFound("We could not find one of those applications.", application_id=str(application_id))
    ordered = [views[application_id] for application_id in wanted]
    for view in ordered:
        current = view.application.status
        allowed = EMPLOYER_MOVES.get(current, frozenset())
        if current != target and target not in allowed:
            error = _refuse(current, target, allowed)
            message = f"{view.applicant.full_name}: {error.message}"
            raise Conflict(message, application_id=str(view.application.id))
    for view in ordered:
        if view.application.status != target:
            await _move(session, settings, actor, view, target)
    await session.flush()
    return ordered


async def _companies_on_team(session: AsyncSession, actor: User, company_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    query = select(CompanyMember.company_id).where(
        CompanyMember.user_id == actor.id, CompanyMember.company_id.in_(company_ids)
    )
    return set((await session.execute(query)).scalars())


async def list_for_job(
    session: AsyncSession, actor: User, job_id: uuid.UUID, status: ApplicationStatus | None, page: PageParams
) -> tuple[list[ApplicationView], str | None]:
    """Applicants of a job, newest first, for the company's team only."""
    job, company = await get_job(session, job_id)
    if await companies.membership(session, company.id, actor.id) is None:
        if job.status == JobStatus.DRAFT:
            raise NotFound("We could not find that job.")
        raise Forbidden(f"Only the team of {company.name} can see who applied.")
    query = view_query().where(JobApplication.job_id == job.id)
    if status is not None:
        query = query.where(JobApplication.status == status)
    views, cursor = await _newest_first_page(session, query, page)
    return await with_skills(session, views), cursor


async def with_skills(session: AsyncSession, views: list[ApplicationView]) -> list[ApplicationView]:
    """The applicants' skills on their cards, in one query for the whole list."""
    skills = await skills_by_user(session, {view.applicant.id for view in views})
    return [replace(view, skills=tuple(skills.get(view.applicant.id, ()))) for view in views]


async def counts_by_stage(session: AsyncSession, job_id: uuid.UUID) -> dict[ApplicationStatus, int]:
    """How many applications of a job are at each status (the applicants page's tabs)."""
    query = (
        select(JobApplication.status, func.count())
        .where(JobApplication.job_id == job_id)
        .group_by(JobApplication.status)
    )
    found: dict[ApplicationStatus, int] = dict((await session.execute(query)).all())
    return {status: found.get(status, 0) for status in ApplicationStatus}


async def list_mine(session: AsyncSession, actor: User, page: PageParams) -> tuple[list[ApplicationView], str | None]:
    return await _newest_first_page(session, view_query().where(JobApplication.applicant_id == actor.id), page)


async def _newest_first_page(
    session: AsyncSession, query: ViewQuery, page: PageParams
) -> tuple[list[ApplicationView], str | None]:
    after = newest_first_after(JobApplication.created_at, JobApplication.id, page.cursor)
    if after is not None:
        query = query.where(after)
    query = query.order_by(JobApplication.created_at.desc(), JobApplication.id.desc()).limit(page.limit + 1)
    rows = list(await session.execute(query))
    return views_of(rows[: page.limit]), next_cursor([row[0] for row in rows], page.limit)


async def counts_by_job(session: AsyncSession, job_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many applied to each job, in one query (the team's job list)."""
    if not job_ids:
        return {}
    query = (
        select(JobApplication.job_id, func.count())
        .where(JobApplication.job_id.in_(job_ids))
        .group_by(JobApplication.job_id)
    )
    return {row[0]: row[1] for row in await session.execute(query)}


@register_read_grantor
async def can_read_cv(session: AsyncSession, user: User, upload: Upload) -> bool:
    """True when `user` is on the team of a company that `upload` was sent to as a CV.

    Registered with the uploads service, which asks it when its own rule (owners and admins)
    says no: so the team of the company can download an applicant's CV, and nobody else can.
    """
    if upload.purpose != UploadPurpose.CV:
        return False
    query = (
        select(JobApplication.id)
        .join(Job, Job.id == JobApplication.job_id)
        .join(CompanyMember, CompanyMember.company_id == Job.company_id)
        .where(JobApplication.cv_upload_id == upload.id, CompanyMember.user_id == user.id)
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def my_application_for(session: AsyncSession, user: User | None, job_id: uuid.UUID) -> JobApplication | None:
    if user is None:
        return None
    query = select(JobApplication).where(JobApplication.job_id == job_id, JobApplication.applicant_id == user.id)
    return (await session.execute(query)).scalar_one_or_none()
