"""The employer dashboard page (/employer): the same service call as the API's."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hiremebahamas.accounts.deps import CurrentAuth
from hiremebahamas.jobs.dashboard import service
from hiremebahamas.jobs.postings.forms import PAGE_DEPENDENCIES
from hiremebahamas.jobs.postings.labels import APPLICATION_STATUS_LABELS
from hiremebahamas.models import ApplicationStatus
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.rendering import render

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

# The stages a job's row counts, in pipeline order (withdrawn ones are left out of the row).
SHOWN_STAGES = [
    (stage, APPLICATION_STATUS_LABELS[stage]) for stage in ApplicationStatus if stage != ApplicationStatus.WITHDRAWN
]


def dashboard_context(found: service.Dashboard) -> dict[str, object]:
    """What `jobs/dashboard.html` and the employer's home page summary show."""
    return {"dashboard": found, "stages": SHOWN_STAGES}


@router.get("/employer")
async def dashboard_page(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    found = await service.dashboard(db, auth.user)
    return render(request, "jobs/dashboard.html", dashboard_context(found))
