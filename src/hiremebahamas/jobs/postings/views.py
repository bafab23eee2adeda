"""Posting pages: posting and editing a job, publishing, closing and featuring it, and "jobs for
you". The job page itself (/jobs/<id>-<slug>) is job_page.py."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from hiremebahamas.accounts.deps import CurrentAuth, VerifiedAuth
from hiremebahamas.billing import entitlements
from hiremebahamas.billing.tiers import format_money, load_tiers, tier_by_code
from hiremebahamas.companies import service as companies
from hiremebahamas.core.errors import AppError, ValidationFailed
from hiremebahamas.jobs.postings import for_you, publishing, service, stats
from hiremebahamas.jobs.postings.forms import (
    PAGE_DEPENDENCIES,
    category_choices,
    employment_type_choices,
    end_of_day,
    island_choices,
    job_form,
    optional_int,
    salary_period_choices,
    split_skills,
)
from hiremebahamas.jobs.postings.schemas import JobIn, JobUpdateIn
from hiremebahamas.models import JobStatus, TierCode
from hiremebahamas.web.deps import AppRuntime, AppSettings, DbSession
from hiremebahamas.web.forms import FormStr, Refusal, refused_form, render_form
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


@router.get("/jobs/for-you")
async def for_you_page(request: Request, db: DbSession, auth: CurrentAuth, runtime: AppRuntime) -> Response:
    cards = await for_you.jobs_for_you(db, runtime.memory, auth.user, limit=20)
    return render(request, "jobs/for_you.html", {"jobs_for_you": cards})


async def _form_page(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    *,
    form: dict[str, Any],
    refusal: Refusal | None = None,
    job_id: uuid.UUID | None = None,
) -> Response:
    own = await companies.companies_of(db, auth.user.id)
    context = {
        "job_id": job_id,
        # Said before Publish is pressed: on a plan without jobs, Publish saves a draft and pays first.
        "can_publish": await entitlements.can_post_jobs(db, auth.user),
        "companies": [(company.slug, company.name) for company in own],
        "islands": island_choices("Choose an island"),
        "employment_types": employment_type_choices("Choose a type"),
        "categories": category_choices("Choose a category"),
        "periods": salary_period_choices(),
        "currencies": [("BSD", "BSD"), ("USD", "USD")],
    }
    return render_form(request, "jobs/form.html", context, form, refusal)


@router.get("/jobs/new")
async def new_job_page(request: Request, db: DbSession, auth: CurrentAuth, company: str = "") -> Response:
    form = {"company_slug": company, "currency": "BSD", "employment_type": "full_time"}
    return await _form_page(request, db, auth, form=form)


def _submitted(form: dict[str, Any]) -> dict[str, Any]:
    """Form fields as the API's JSON would carry them."""
    return {
        **form,
        "island": form["island"] or None,
        "remote": bool(form["remote"]),
        "employment_type": form["employment_type"] or None,
        "category": form["category"] or None,
        "salary_min": optional_int(form["salary_min"], "salary_min"),
        "salary_max": optional_int(form["salary_max"], "salary_max"),
        "salary_period": form["salary_period"] or None,
        "valid_through": end_of_day(form["valid_through"]),
        "skills": split_skills(form["skills"]),
    }


def _job_form_dependency(
    title: FormStr = "",
    description: FormStr = "",
    company_slug: FormStr = "",
    island: FormStr = "",
    remote: FormStr = "",
    employment_type: FormStr = "",
    category: FormStr = "",
    salary_min: FormStr = "",
    salary_max: FormStr = "",
    salary_period: FormStr = "",
    currency: FormStr = "BSD",
    valid_through: FormStr = "",
    skills: FormStr = "",
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "company_slug": company_slug,
        "island": island,
        "remote": remote,
        "employment_type": employment_type,
        "category": category,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "salary_period": salary_period,
        "currency": currency or "BSD",
        "valid_through": valid_through,
        "skills": skills,
    }


SubmittedJob = Annotated[dict[str, Any], Depends(_job_form_dependency)]


_SAVED_FOR_CHECKOUT = (
    "Your job is saved as a draft. Choose how to pay for Business and it goes live once you have paid."
)


@router.post("/jobs/new")
async def create_job(
    request: Request, db: DbSession, auth: VerifiedAuth, form: SubmittedJob, action: FormStr = "open"
) -> Response:
    # Publish on a plan without jobs: keep everything typed as a draft, then go to pay.
    needs_plan = action != "draft" and not await entitlements.can_post_jobs(db, auth.user)
    status = "draft" if action == "draft" or needs_plan else "open"
    try:
        data = JobIn.model_validate({**_submitted(form), "status": status})
        job = await service.create_job(db, auth.user, data)
    except (ValidationError, AppError) as error:
        refusal = await refused_form(request, db, error, upgrade_page=True)
        return await _form_page(request, db, auth, form=form, refusal=refusal)
    if needs_plan:
        return redirect(request, publishing.publish_page(job.id), flash=("info", _SAVED_FOR_CHECKOUT))
    message = "Your job is live." if job.status == JobStatus.OPEN else "Your draft was saved."
    return redirect(request, f"/jobs/{job.id}-{job.slug}", flash=("success", message))


@router.get("/jobs/{job_id}/publish")
async def publish_page(
    request: Request, db: DbSession, auth: CurrentAuth, settings: AppSettings, job_id: uuid.UUID, paid: str = ""
) -> Response:
    """A draft's way to going live: Publish on a plan with jobs, else the Business plan's
    checkout, which comes back here (`paid`) and publishes it."""
    job, _company = await service.managed_job(db, auth.user, job_id)
    can_publish = await entitlements.can_post_jobs(db, auth.user)
    returned = publishing.is_return_from_checkout(settings, auth.user.id, job.id, paid)
    if job.status == JobStatus.DRAFT and can_publish and returned:
        job = await service.set_job_status(db, auth.user, job.id, JobStatus.OPEN)
        return redirect(request, f"/jobs/{job.id}-{job.slug}", flash=("success", "Your job is live."))
    if job.status != JobStatus.DRAFT:
        return redirect(request, f"/jobs/{job.id}-{job.slug}")
    context = {
        "job": job,
        "can_publish": can_publish,
        # Back from paying before the payment reached us (Stripe's webhook): Publish again soon.
        "awaiting_payment": returned,
        "tier": tier_by_code(await load_tiers(db), TierCode.BUSINESS),
        "return_to": publishing.return_path(settings, auth.user.id, job.id),
        "format_money": format_money,
    }
    return render(request, "jobs/publish.html", context)


@router.get("/jobs/{job_id}/edit")
async def edit_job_page(request: Request, db: DbSession, auth: CurrentAuth, job_id: uuid.UUID) -> Response:
    job, company = await service.managed_job(db, auth.user, job_id)
    card = await service.view_job(db, job.id, auth.user)
    form = job_form(job, card.skills, company.slug)
    return await _form_page(request, db, auth, form=form, job_id=job.id)


@router.get("/jobs/{job_id}/stats")
async def job_stats_page(request: Request, db: DbSession, auth: CurrentAuth, job_id: uuid.UUID) -> Response:
    found = await stats.job_stats(db, auth.user, job_id, days=30)
    card = await service.view_job(db, job_id, auth.user)
    return render(request, "jobs/stats.html", {"card": card, "stats": found})


@router.post("/jobs/{job_id}/edit")
async def update_job(
    request: Request, db: DbSession, auth: VerifiedAuth, job_id: uuid.UUID, form: SubmittedJob
) -> Response:
    try:
        values = _submitted(form)
        values.pop("company_slug")
        job = await service.update_job(db, auth.user, job_id, JobUpdateIn.model_validate(values))
    except (ValidationError, AppError) as error:
        refusal = await refused_form(request, db, error, upgrade_page=True)
        return await _form_page(request, db, auth, form=form, refusal=refusal, job_id=job_id)
    return redirect(request, f"/jobs/{job.id}-{job.slug}", flash=("success", "The job was saved."))


@router.post("/jobs/{job_id}/status")
async def change_job_status(
    request: Request, db: DbSession, auth: VerifiedAuth, job_id: uuid.UUID, status: FormStr = ""
) -> Response:
    if status not in ("open", "closed"):
        raise ValidationFailed(fields={"status": "Choose to publish or to close the job."})
    if status == "open" and not await entitlements.can_post_jobs(db, auth.user):
        job, _company = await service.managed_job(db, auth.user, job_id)
        if job.status == JobStatus.DRAFT:
            return redirect(request, publishing.publish_page(job.id))
    job = await service.set_job_status(db, auth.user, job_id, JobStatus(status))
    message = "The job is open for applications." if job.status == JobStatus.OPEN else "The job is closed."
    return redirect(request, f"/jobs/{job.id}-{job.slug}", flash=("success", message))


@router.post("/jobs/{job_id}/feature")
async def feature_job(request: Request, db: DbSession, auth: VerifiedAuth, job_id: uuid.UUID) -> Response:
    job = await service.feature_job(db, auth.user, job_id)
    message = "The job is featured: it is pinned to the top of search results."
    return redirect(request, f"/jobs/{job.id}-{job.slug}", flash=("success", message))
