"""Pages: a company (/companies/<slug>), creating and editing one, managing its team."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import ValidationError
from sqlalchemy import select

from hiremebahamas.accounts.deps import CurrentAuth, OptionalAuth, VerifiedAuth
from hiremebahamas.companies import service
from hiremebahamas.companies.logos import logo_url
from hiremebahamas.companies.schemas import CompanyIn, CompanyUpdateIn, TeamMemberIn
from hiremebahamas.core.errors import AppError
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.jobs.applications.service import counts_by_job
from hiremebahamas.jobs.postings.cards import JobCard, load_cards
from hiremebahamas.jobs.postings.forms import PAGE_DEPENDENCIES, island_choices
from hiremebahamas.models import Company, CompanyRole, Job, JobStatus, UploadPurpose, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.uploads.forms import upload_from_form
from hiremebahamas.web.deps import AppRuntime, DbSession, request_ip
from hiremebahamas.web.forms import FormStr, Refusal, form_text, refused_form, render_form
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


def _form(company: Company) -> dict[str, Any]:
    return {
        "name": company.name,
        "website": company.website,
        "island": company.island.value if company.island else "",
        "about": company.about,
    }


async def _logo(
    request: Request, db: DbSession, runtime: AppRuntime, user: User, file: UploadFile | None
) -> uuid.UUID | None:
    """Store a logo chosen in the form (checked and resized by the uploads service)."""
    ip = request_ip(request)
    upload = await upload_from_form(db, runtime, user, UploadPurpose.COMPANY_LOGO, file, field="logo", ip=ip)
    return upload.id if upload else None


# What the new and edit forms show again as they were filled in.
_FIELDS = ("name", "website", "island", "about")


@router.get("/companies/new")
async def new_company_page(request: Request, auth: CurrentAuth) -> Response:
    return render_form(request, "companies/new.html", {"islands": island_choices("Choose an island")}, {})


@router.post("/companies/new")
async def create_company(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    auth: VerifiedAuth,
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    form = await form_text(request, *_FIELDS)
    try:
        data = CompanyIn.model_validate({**form, "island": form["island"] or None})
        uploaded = await _logo(request, db, runtime, auth.user, logo)
        company = await service.create_company(db, auth.user, data.model_copy(update={"logo_upload_id": uploaded}))
    except (ValidationError, AppError) as error:
        refusal = await refused_form(request, db, error)
        context = {"islands": island_choices("Choose an island")}
        return render_form(request, "companies/new.html", context, form, refusal)
    return redirect(request, f"/companies/{company.slug}", flash=("success", f"{company.name} is on HireMeBahamas."))


async def _team_jobs(db: DbSession, company: Company) -> tuple[list[JobCard], dict[Any, int]]:
    """Every job of the company, newest first, with applicant counts (what its team manages)."""
    query = (
        select(Job, Company)
        .join(Company, Company.id == Job.company_id)
        .where(Job.company_id == company.id)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(200)
    )
    cards = await load_cards(db, list(await db.execute(query)))
    return cards, await counts_by_job(db, [card.job.id for card in cards])


async def _open_jobs(db: DbSession, company: Company) -> list[JobCard]:
    query = (
        select(Job, Company)
        .join(Company, Company.id == Job.company_id)
        .where(Job.company_id == company.id, Job.status == JobStatus.OPEN, Job.valid_through > utcnow())
        .order_by(Job.published_at.desc(), Job.id.desc())
        .limit(100)
    )
    return await load_cards(db, list(await db.execute(query)))


@router.get("/companies/{slug}")
@shared_when_anonymous(area="jobs")
async def company_page(request: Request, db: DbSession, auth: OptionalAuth, slug: str) -> Response:
    company = await service.get_company(db, slug)
    team = await service.team(db, company.id)
    viewer = auth.user if auth else None
    role = next((member.role for member in team if viewer and member.user.id == viewer.id), None)
    context: dict[str, Any] = {
        "company": company,
        "logo_url": logo_url(company.logo_upload_id),
        "team": team,
        "role": role,
        "jobs": [],
        "team_jobs": [],
        "applicant_counts": {},
    }
    # One Jobs section: the team's every job, or the open ones for everyone else.
    if role is not None:
        context["team_jobs"], context["applicant_counts"] = await _team_jobs(db, company)
    else:
        context["jobs"] = await _open_jobs(db, company)
    return render(request, "companies/company.html", context)


async def _edit_page(
    request: Request,
    db: DbSession,
    company: Company,
    *,
    form: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
) -> Response:
    context = {
        "company": company,
        "logo_url": logo_url(company.logo_upload_id),
        "team": await service.team(db, company.id),
        "islands": island_choices("Choose an island"),
        "roles": [(CompanyRole.MEMBER.value, "Member"), (CompanyRole.OWNER.value, "Owner")],
    }
    return render_form(request, "companies/edit.html", context, form or _form(company), refusal)


@router.get("/companies/{slug}/edit")
async def edit_company_page(request: Request, db: DbSession, auth: CurrentAuth, slug: str) -> Response:
    company = await service.get_company(db, slug)
    await service.require_owner(db, company, auth.user)
    return await _edit_page(request, db, company)


@router.post("/companies/{slug}/edit")
async def update_company(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    auth: VerifiedAuth,
    slug: str,
    remove_logo: FormStr = "",
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    company = await service.get_company(db, slug)
    form = await form_text(request, *_FIELDS)
    try:
        await service.require_owner(db, company, auth.user)
        changes = {**form, "island": form["island"] or None, "remove_logo": bool(remove_logo)}
        data = CompanyUpdateIn.model_validate(changes)
        uploaded = await _logo(request, db, runtime, auth.user, logo)
        await service.update_company(db, auth.user, company, data.model_copy(update={"logo_upload_id": uploaded}))
    except (ValidationError, AppError) as error:
        refusal = await refused_form(request, db, error)
        await db.refresh(company)
        return await _edit_page(request, db, company, form=form, refusal=refusal)
    return redirect(request, f"/companies/{company.slug}", flash=("success", "The company page was saved."))


@router.post("/companies/{slug}/members")
async def add_member(
    request: Request, db: DbSession, auth: VerifiedAuth, slug: str, username: FormStr = "", role: FormStr = "member"
) -> Response:
    company = await service.get_company(db, slug)
    try:
        data = TeamMemberIn.model_validate({"username": username.lstrip("@"), "role": role})
        member = await service.add_member(db, auth.user, company, data.username, data.role)
    except (ValidationError, AppError) as error:
        refusal = await refused_form(request, db, error, upgrade_page=True)
        await db.refresh(company)
        return await _edit_page(request, db, company, refusal=refusal)
    message = f"{member.user.full_name} joined the team."
    return redirect(request, f"/companies/{company.slug}/edit", flash=("success", message))


@router.post("/companies/{slug}/members/{username}/remove")
async def remove_member(request: Request, db: DbSession, auth: VerifiedAuth, slug: str, username: str) -> Response:
    company = await service.get_company(db, slug)
    await service.remove_member(db, auth.user, company, username)
    if username == auth.user.username:
        return redirect(request, f"/companies/{company.slug}", flash=("success", f"You left {company.name}."))
    return redirect(request, f"/companies/{company.slug}/edit", flash=("success", "They were removed from the team."))
