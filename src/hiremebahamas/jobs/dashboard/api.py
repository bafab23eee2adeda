"""JSON API: the employer dashboard (/api/employer/dashboard)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from hiremebahamas.accounts.deps import CurrentUser
from hiremebahamas.billing.schemas import SubscriptionOut
from hiremebahamas.jobs.applications.api import application_out
from hiremebahamas.jobs.dashboard import service
from hiremebahamas.jobs.dashboard.schemas import (
    ApplicantCountsOut,
    DashboardCompanyOut,
    DashboardJobOut,
    DashboardJobsOut,
    DashboardOut,
)
from hiremebahamas.jobs.dashboard.service import Dashboard, DashboardJob
from hiremebahamas.jobs.postings.cards import company_brief, job_path
from hiremebahamas.web.deps import DbSession

router = APIRouter(prefix="/employer", tags=["employer"])


def _job_out(row: DashboardJob) -> DashboardJobOut:
    job, applicants = row.job, row.applicants
    return DashboardJobOut(
        id=job.id,
        url=job_path(job),
        title=job.title,
        status=row.status,
        company=company_brief(row.company),
        published_at=job.published_at,
        valid_through=job.valid_through,
        applicants=ApplicantCountsOut(total=applicants.total, new=applicants.new, by_stage=applicants.by_stage),
    )


def dashboard_out(found: Dashboard) -> DashboardOut:
    return DashboardOut(
        companies=[
            DashboardCompanyOut(company=company_brief(item.company), role=item.role) for item in found.companies
        ],
        jobs=DashboardJobsOut(
            open=[_job_out(row) for row in found.open],
            draft=[_job_out(row) for row in found.drafts],
            closed=[_job_out(row) for row in found.closed],
        ),
        new_applicants=found.new_applicants,
        last_visit_at=found.seen_at,
        recent_applicants=[application_out(view) for view in found.recent],
        plan=SubscriptionOut.of(found.plan),
    )


@router.get("/dashboard")
async def employer_dashboard(db: DbSession, user: CurrentUser) -> DashboardOut:
    """Your companies, their jobs by status with applicants per stage and the new ones since
    your last visit, the latest applicants, and your plan: for employer accounts."""
    return dashboard_out(await service.dashboard(db, user))


@router.post("/dashboard/seen", status_code=status.HTTP_204_NO_CONTENT)
async def dashboard_seen(db: DbSession, user: CurrentUser) -> Response:
    """You saw the dashboard: the applicants until now are no longer counted as new."""
    await service.mark_seen(db, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
