"""JSON API: /api/jobs, the job postings (the search is in search/api.py, applying in
applications/api.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from hiremebahamas.accounts.deps import CurrentUser, OptionalAuth, VerifiedAuth
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.pagination import Page
from hiremebahamas.jobs.postings import for_you, service, stats
from hiremebahamas.jobs.postings.schemas import (
    JobDayStatsOut,
    JobEnvelope,
    JobIn,
    JobStatsOut,
    JobSummaryOut,
    JobUpdateIn,
)
from hiremebahamas.web.deps import AppRuntime, DbSession, request_ip
from hiremebahamas.web.openapi import NOT_FOUND, UPGRADE_REQUIRED

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("/for-you")
async def jobs_for_you(db: DbSession, user: CurrentUser, runtime: AppRuntime) -> Page[JobSummaryOut]:
    """Open jobs that share skills with your profile or are on your island, best match first."""
    cards = await for_you.jobs_for_you(db, runtime.memory, user)
    return Page(items=[card.summary_out() for card in cards], next_cursor=None)


@router.post("", status_code=status.HTTP_201_CREATED, responses=UPGRADE_REQUIRED | NOT_FOUND)
async def create_job(body: JobIn, auth: VerifiedAuth, db: DbSession) -> JobEnvelope:
    job = await service.create_job(db, auth.user, body)
    return JobEnvelope(job=(await service.view_job(db, job.id, auth.user)).out())


@router.get("/{job_id:uuid}")
@shared_when_anonymous(area="jobs")
async def get_job(job_id: uuid.UUID, db: DbSession, auth: OptionalAuth) -> JobEnvelope:
    card = await service.view_job(db, job_id, auth.user if auth else None)
    return JobEnvelope(job=card.out())


@router.patch("/{job_id:uuid}", responses=UPGRADE_REQUIRED)
async def update_job(job_id: uuid.UUID, body: JobUpdateIn, auth: VerifiedAuth, db: DbSession) -> JobEnvelope:
    job = await service.update_job(db, auth.user, job_id, body)
    return JobEnvelope(job=(await service.view_job(db, job.id, auth.user)).out())


@router.post("/{job_id:uuid}/feature", responses=UPGRADE_REQUIRED)
async def feature_job(job_id: uuid.UUID, auth: VerifiedAuth, db: DbSession) -> JobEnvelope:
    """Pin the job to the top of search (Business plan: 5 a month)."""
    job = await service.feature_job(db, auth.user, job_id)
    return JobEnvelope(job=(await service.view_job(db, job.id, auth.user)).out())


@router.post("/{job_id:uuid}/views", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def count_job_view(
    job_id: uuid.UUID, request: Request, db: DbSession, auth: OptionalAuth, runtime: AppRuntime
) -> Response:
    """The job page's beacon: one view of the job (the employer's statistics). Nothing to send."""
    client = f"{request_ip(request)} {request.headers.get('user-agent', '')}"
    await stats.count_view(db, runtime.store, runtime.settings, job_id, auth.user if auth else None, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{job_id:uuid}/stats", responses=UPGRADE_REQUIRED | NOT_FOUND)
async def job_stats(
    job_id: uuid.UUID, auth: VerifiedAuth, db: DbSession, days: Annotated[int, Query(ge=1, le=90)] = 30
) -> JobStatsOut:
    """Views, different viewers (once a day each), applications and the view-to-apply rate of a
    job, for its company's team on the Business plan."""
    found = await stats.job_stats(db, auth.user, job_id, days)
    return JobStatsOut(
        views=found.views,
        unique_viewers=found.unique_viewers,
        applications=found.applications,
        conversion_rate=found.conversion_rate,
        by_day=[
            JobDayStatsOut(date=d.day, views=d.views, unique_viewers=d.unique_viewers, applications=d.applications)
            for d in found.by_day
        ],
    )


@router.delete("/{job_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_job(job_id: uuid.UUID, auth: VerifiedAuth, db: DbSession) -> Response:
    await service.delete_job(db, auth.user, job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
