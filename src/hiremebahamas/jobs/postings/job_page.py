"""The job page, /jobs/<id>-<slug>: the posting, its JSON-LD while it is live, and the apply
form (or, for the company's team, the way to its applicants)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts.deps import OptionalAuth
from hiremebahamas.companies.logos import logo_url
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.jobs.applications.service import my_application_for
from hiremebahamas.jobs.emails import absolute
from hiremebahamas.jobs.postings import service
from hiremebahamas.jobs.postings.cards import JobCard
from hiremebahamas.jobs.postings.forms import PAGE_DEPENDENCIES
from hiremebahamas.jobs.postings.labels import APPLICATION_STATUS_LABELS
from hiremebahamas.jobs.seo import markup as seo
from hiremebahamas.models import User
from hiremebahamas.profiles.cvs import profile_cv
from hiremebahamas.uploads.service import upload_url
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.rendering import render

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


def parse_job_ref(ref: str) -> tuple[uuid.UUID, str]:
    """`<uuid>-<slug>` (or just the uuid) from a job page's path."""
    try:
        job_id = uuid.UUID(ref[:36])
    except ValueError as exc:
        raise NotFound("We could not find that job.") from exc
    if len(ref) > 36 and ref[36] != "-":
        raise NotFound("We could not find that job.")
    return job_id, ref[37:]


async def job_page_context(
    db: AsyncSession, settings: Settings, card: JobCard, viewer: User | None, **form: Any
) -> dict[str, Any]:
    is_team = await service.is_team_member(db, card.job, viewer)
    applicant = viewer if viewer is not None and not is_team else None
    logo = card.company.logo_upload_id
    return {
        "card": card,
        "is_team": is_team,
        "logo_url": logo_url(logo),
        # Only a live job is offered to search engines as a job posting.
        "jsonld": seo.json_ld(seo.job_posting(settings, card, upload_url(logo))) if card.is_live else None,
        "canonical": absolute(settings, card.url),
        "application": await my_application_for(db, applicant, card.job.id) if applicant else None,
        "status_labels": APPLICATION_STATUS_LABELS,
        "cv_on_file": await profile_cv(db, applicant.id) if applicant else None,
        "form": form.get("form", {}),
        "errors": form.get("errors", {}),
        "error": form.get("error"),
    }


@router.get("/jobs/{ref}")
@shared_when_anonymous(area="jobs")
async def job_page(request: Request, db: DbSession, auth: OptionalAuth, settings: AppSettings, ref: str) -> Response:
    job_id, slug = parse_job_ref(ref)
    viewer = auth.user if auth else None
    card = await service.view_job(db, job_id, viewer)
    if slug != card.job.slug:
        return RedirectResponse(card.url, status_code=301)
    return render(request, "jobs/job.html", await job_page_context(db, settings, card, viewer))
