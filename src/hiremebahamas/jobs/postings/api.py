"""JSON API: /api/jobs, /api/applications and /api/saved-searches."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel

from hiremebahamas.accounts.deps import CurrentUser, OptionalAuth, VerifiedAuth
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.pagination import Page, PageParams
from hiremebahamas.core.text import TEXT_PATTERN
from hiremebahamas.jobs.alerts import service as alerts
from hiremebahamas.jobs.applications import service as applications
from hiremebahamas.jobs.applications.service import ApplicationView, HistoryEntry
from hiremebahamas.jobs.postings import for_you, service
from hiremebahamas.jobs.postings.cards import company_brief, job_path
from hiremebahamas.jobs.postings.labels import APPLICATION_STATUS_LABELS
from hiremebahamas.jobs.postings.schemas import (
    ApplicantOut,
    ApplicationEnvelope,
    ApplicationEventOut,
    ApplicationIn,
    ApplicationJobOut,
    ApplicationOut,
    ApplicationStatusIn,
    CvOut,
    JobEnvelope,
    JobIn,
    JobSearch,
    JobSummaryOut,
    JobUpdateIn,
    SavedSearchEnvelope,
    SavedSearchIn,
    SavedSearchOut,
    SortOrder,
)
from hiremebahamas.jobs.search.service import search_jobs
from hiremebahamas.models import ApplicationStatus, EmploymentType, Island, JobCategory, SavedSearch
from hiremebahamas.uploads.service import upload_url as media_url
from hiremebahamas.web.csrf import not_cookie_authenticated
from hiremebahamas.web.deps import AppRuntime, AppSettings, DbSession
from hiremebahamas.web.openapi import NOT_FOUND, UPGRADE_REQUIRED
from hiremebahamas.web.pagination import page_params

jobs_router = APIRouter(prefix="/jobs", tags=["jobs"])
applications_router = APIRouter(prefix="/applications", tags=["applications"])
alerts_router = APIRouter(prefix="/saved-searches", tags=["job alerts"])
router = APIRouter()

Pages = Annotated[PageParams, Depends(page_params)]


def job_search_params(
    q: Annotated[str, Query(max_length=200, pattern=TEXT_PATTERN)] = "",
    island: Island | None = None,
    employment_type: EmploymentType | None = None,
    remote: bool | None = None,
    salary_min: Annotated[int | None, Query(ge=0, le=100_000_000, description="yearly amount")] = None,
    category: JobCategory | None = None,
    company: Annotated[str | None, Query(max_length=60, pattern=TEXT_PATTERN)] = None,
    posted_within_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    sort: SortOrder = "relevance",
) -> JobSearch:
    return JobSearch(
        q=q,
        island=island,
        employment_type=employment_type,
        remote=remote,
        salary_min=salary_min,
        category=category,
        company=company,
        posted_within_days=posted_within_days,
        sort=sort,
    )


SearchParams = Annotated[JobSearch, Depends(job_search_params)]


@jobs_router.get("")
@shared_when_anonymous(area="jobs")
async def search(
    db: DbSession,
    params: SearchParams,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[JobSummaryOut]:
    """Open jobs matching the text and filters; featured jobs first. Keyset-paginated."""
    page = await search_jobs(db, params, cursor=cursor, limit=limit)
    return Page(items=[card.summary_out() for card in page.cards], next_cursor=page.next_cursor)


@jobs_router.get("/for-you")
async def jobs_for_you(db: DbSession, user: CurrentUser, runtime: AppRuntime) -> Page[JobSummaryOut]:
    """Open jobs that share skills with your profile or are on your island, best match first."""
    cards = await for_you.jobs_for_you(db, runtime.memory, user)
    return Page(items=[card.summary_out() for card in cards], next_cursor=None)


@jobs_router.post("", status_code=status.HTTP_201_CREATED, responses=UPGRADE_REQUIRED | NOT_FOUND)
async def create_job(body: JobIn, auth: VerifiedAuth, db: DbSession) -> JobEnvelope:
    job = await service.create_job(db, auth.user, body)
    return JobEnvelope(job=(await service.view_job(db, job.id, auth.user)).out())


@jobs_router.get("/{job_id:uuid}")
@shared_when_anonymous(area="jobs")
async def get_job(job_id: uuid.UUID, db: DbSession, auth: OptionalAuth) -> JobEnvelope:
    card = await service.view_job(db, job_id, auth.user if auth else None)
    return JobEnvelope(job=card.out())


@jobs_router.patch("/{job_id:uuid}", responses=UPGRADE_REQUIRED)
async def update_job(job_id: uuid.UUID, body: JobUpdateIn, auth: VerifiedAuth, db: DbSession) -> JobEnvelope:
    job = await service.update_job(db, auth.user, job_id, body)
    return JobEnvelope(job=(await service.view_job(db, job.id, auth.user)).out())


@jobs_router.post("/{job_id:uuid}/feature", responses=UPGRADE_REQUIRED)
async def feature_job(job_id: uuid.UUID, auth: VerifiedAuth, db: DbSession) -> JobEnvelope:
    """Pin the job to the top of search (Business plan: 5 a month)."""
    job = await service.feature_job(db, auth.user, job_id)
    return JobEnvelope(job=(await service.view_job(db, job.id, auth.user)).out())


@jobs_router.delete("/{job_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_job(job_id: uuid.UUID, auth: VerifiedAuth, db: DbSession) -> Response:
    await service.delete_job(db, auth.user, job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def application_out(view: ApplicationView, events: list[HistoryEntry] | None = None) -> ApplicationOut:
    application, job = view.application, view.job
    cv = view.cv
    return ApplicationOut(
        id=application.id,
        status=application.status,
        status_label=APPLICATION_STATUS_LABELS[application.status],
        cover_letter=application.cover_letter,
        cv=CvOut(id=cv.id, name=cv.original_name or "CV", url=media_url(cv)) if cv else None,
        applicant=ApplicantOut(username=view.applicant.username, name=view.applicant.full_name),
        job=ApplicationJobOut(
            id=job.id, url=job_path(job), title=job.title, company=company_brief(view.company), status=job.status
        ),
        created_at=application.created_at,
        updated_at=application.updated_at,
        events=None
        if events is None
        else [
            ApplicationEventOut(
                from_status=entry.event.from_status,
                to_status=entry.event.to_status,
                by=entry.actor.username if entry.actor else None,
                at=entry.event.created_at,
            )
            for entry in events
        ],
    )


@jobs_router.post("/{job_id:uuid}/apply", status_code=status.HTTP_201_CREATED)
async def apply(
    job_id: uuid.UUID, body: ApplicationIn, auth: VerifiedAuth, db: DbSession, settings: AppSettings
) -> ApplicationEnvelope:
    view = await applications.apply_to_job(db, settings, auth.user, job_id, body)
    return ApplicationEnvelope(application=application_out(view))


@jobs_router.get("/{job_id:uuid}/applications")
async def job_applications(
    job_id: uuid.UUID, db: DbSession, user: CurrentUser, page: Pages, status: ApplicationStatus | None = None
) -> Page[ApplicationOut]:
    """The applicants of a job, newest first: for the company's team only."""
    views, cursor = await applications.list_for_job(db, user, job_id, status, page)
    return Page(items=[application_out(view) for view in views], next_cursor=cursor)


@applications_router.get("/mine")
async def my_applications(db: DbSession, user: CurrentUser, page: Pages) -> Page[ApplicationOut]:
    views, cursor = await applications.list_mine(db, user, page)
    return Page(items=[application_out(view) for view in views], next_cursor=cursor)


@applications_router.get("/{application_id:uuid}")
async def get_application(application_id: uuid.UUID, db: DbSession, user: CurrentUser) -> ApplicationEnvelope:
    """One application with its history: for the applicant and the company's team."""
    view = await applications.view_application(db, user, application_id)
    events = await applications.history(db, application_id)
    return ApplicationEnvelope(application=application_out(view, events))


@applications_router.patch("/{application_id:uuid}")
async def change_application_status(
    application_id: uuid.UUID, body: ApplicationStatusIn, auth: VerifiedAuth, db: DbSession, settings: AppSettings
) -> ApplicationEnvelope:
    """The team moves an application along its pipeline; the applicant may withdraw it."""
    view = await applications.change_status(db, settings, auth.user, application_id, body.status)
    return ApplicationEnvelope(application=application_out(view))


def saved_search_out(saved: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(
        id=saved.id,
        query=saved.query,
        frequency=saved.frequency,
        description=alerts.describe(saved.query),
        search_url=alerts.search_url(saved.query),
        created_at=saved.created_at,
        last_sent_at=saved.last_sent_at,
    )


class UnsubscribeOut(BaseModel):
    unsubscribed: bool


@alerts_router.get("")
async def list_saved_searches(db: DbSession, user: CurrentUser) -> Page[SavedSearchOut]:
    saved = await alerts.list_saved(db, user)
    return Page(items=[saved_search_out(item) for item in saved], next_cursor=None)


@alerts_router.post("", status_code=status.HTTP_201_CREATED)
async def create_saved_search(body: SavedSearchIn, db: DbSession, user: CurrentUser) -> SavedSearchEnvelope:
    return SavedSearchEnvelope(saved_search=saved_search_out(await alerts.create_saved(db, user, body)))


# Two routes, so each method gets its own OpenAPI operation.
@alerts_router.get("/unsubscribe")
@alerts_router.post("/unsubscribe", name="unsubscribe_one_click")
@not_cookie_authenticated
async def unsubscribe(
    db: DbSession, settings: AppSettings, token: Annotated[str, Query(max_length=200)]
) -> UnsubscribeOut:
    """One-click unsubscribe (RFC 8058) with the token from an alert email; no sign-in needed."""
    return UnsubscribeOut(unsubscribed=await alerts.unsubscribe(db, settings, token))


@alerts_router.delete("/{saved_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_saved_search(saved_id: uuid.UUID, db: DbSession, user: CurrentUser) -> Response:
    await alerts.delete_saved(db, user, saved_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router.include_router(jobs_router)
router.include_router(applications_router)
router.include_router(alerts_router)
