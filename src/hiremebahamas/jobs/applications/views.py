"""Application pages: applying from the job page, the team's applicants page per job with its
status filter and pipeline forms, the seeker's "My applications", and CV downloads."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from hiremebahamas.accounts.deps import CurrentAuth, VerifiedAuth
from hiremebahamas.core.errors import AppError, NotFound, ValidationFailed
from hiremebahamas.core.pagination import PageParams, Position
from hiremebahamas.jobs.applications import notes
from hiremebahamas.jobs.applications import service as applications
from hiremebahamas.jobs.applications.schemas import ApplicationIn, BulkStatusIn, NoteIn
from hiremebahamas.jobs.applications.service import EMPLOYER_MOVES, WITHDRAWABLE
from hiremebahamas.jobs.postings import service
from hiremebahamas.jobs.postings.cards import job_path
from hiremebahamas.jobs.postings.forms import PAGE_DEPENDENCIES
from hiremebahamas.jobs.postings.job_page import job_page_context
from hiremebahamas.jobs.postings.labels import APPLICATION_STATUS_LABELS
from hiremebahamas.models import ApplicationStatus, UploadPurpose
from hiremebahamas.profiles import service as profiles
from hiremebahamas.profiles.cvs import profile_cv
from hiremebahamas.profiles.schemas import ProfileUpdateIn
from hiremebahamas.uploads.forms import upload_from_form
from hiremebahamas.uploads.service import VIEWABLE_IN_BROWSER, upload_url
from hiremebahamas.web.deps import AppRuntime, DbSession, request_ip
from hiremebahamas.web.forms import FormStr, field_errors, refused_form
from hiremebahamas.web.rendering import redirect, render, safe_next

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

PAGE_SIZE = 25


def _page(cursor: str | None) -> PageParams:
    try:
        return PageParams(Position.decode(cursor) if cursor else None, PAGE_SIZE)
    except ValidationFailed:
        return PageParams(None, PAGE_SIZE)


@router.post("/jobs/{job_id}/apply")
async def apply(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    auth: VerifiedAuth,
    job_id: uuid.UUID,
    cover_letter: FormStr = "",
    cv_choice: FormStr = "none",
    cv: Annotated[UploadFile | None, File()] = None,
    save_cv: FormStr = "",
) -> Response:
    """With a new CV file, `save_cv` keeps it on the profile (replacing the one there) for the
    next application."""
    settings = runtime.settings
    form = {"cover_letter": cover_letter, "cv_choice": cv_choice, "save_cv": save_cv}
    try:
        cv_upload_id: uuid.UUID | None = None
        if cv_choice == "on_file":
            on_file = await profile_cv(db, auth.user.id)
            cv_upload_id = on_file.id if on_file else None
        elif cv_choice == "upload":
            ip = request_ip(request)
            stored = await upload_from_form(db, runtime, auth.user, UploadPurpose.CV, cv, field="cv", ip=ip)
            if stored is None:
                raise ValidationFailed(fields={"cv": "Choose the file of your CV."})
            cv_upload_id = stored.id
            if save_cv:
                await profiles.update_profile(db, auth.user, ProfileUpdateIn(cv_upload_id=stored.id))
        data = ApplicationIn(cover_letter=cover_letter, cv_upload_id=cv_upload_id)
        view = await applications.apply_to_job(db, settings, auth.user, job_id, data)
    except AppError as error:
        errors, message, status = await refused_form(request, db, error)
        if "cv_upload_id" in errors:
            errors["cv"] = errors.pop("cv_upload_id")
        card = await service.view_job(db, job_id, auth.user)
        context = await job_page_context(db, settings, card, auth.user, form=form, errors=errors, error=message)
        return render(request, "jobs/job.html", context, status_code=status)
    message = f"You applied for {view.job.title}. Follow its progress here or under My applications."
    return redirect(request, job_path(view.job), flash=("success", message))


# Where the bulk actions can move applicants: every stage after applied, and rejection.
_BULK_TARGETS = sorted(set().union(*EMPLOYER_MOVES.values()), key=list(ApplicationStatus).index)


@router.get("/jobs/{job_id}/applicants")
async def applicants_page(
    request: Request, db: DbSession, auth: CurrentAuth, job_id: uuid.UUID, status: str = "", cursor: str | None = None
) -> Response:
    wanted = ApplicationStatus(status) if status in ApplicationStatus.__members__.values() else None
    views, next_cursor = await applications.list_for_job(db, auth.user, job_id, wanted, _page(cursor))
    card = await service.view_job(db, job_id, auth.user)
    counts = await applications.counts_by_stage(db, job_id)
    here = f"/jobs/{job_id}/applicants" + (f"?status={wanted.value}" if wanted else "")
    next_url = None
    if next_cursor:
        next_url = f"{here}{'&' if wanted else '?'}cursor={next_cursor}"
    context = {
        "card": card,
        "views": views,
        "notes": await notes.notes_by_application(db, [view.application.id for view in views]),
        "status": wanted.value if wanted else "",
        "stages": [(stage.value, APPLICATION_STATUS_LABELS[stage], counts[stage]) for stage in ApplicationStatus],
        "total": sum(counts.values()),
        "bulk_targets": [(stage.value, APPLICATION_STATUS_LABELS[stage]) for stage in _BULK_TARGETS],
        "here": here,
        "next_url": next_url,
    }
    return render(request, "jobs/applicants.html", context)


@router.post("/applications/{application_id}/status")
async def change_status(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    auth: VerifiedAuth,
    application_id: uuid.UUID,
    status: FormStr = "",
    next: FormStr = "",
) -> Response:
    if status not in ApplicationStatus.__members__.values():
        raise ValidationFailed(fields={"status": "Choose the new status."})
    view = await applications.change_status(db, runtime.settings, auth.user, application_id, ApplicationStatus(status))
    back = safe_next(next, f"/jobs/{view.job.id}/applicants")
    message = f"{view.applicant.full_name}: {view.status_label}."
    return redirect(request, back, flash=("success", message))


@router.post("/applications/bulk-status")
async def change_statuses(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    auth: VerifiedAuth,
    application_ids: Annotated[list[str], Form()] = [],  # noqa: B006
    status: FormStr = "",
    next: FormStr = "",
) -> Response:
    """The applicants page's bulk action: the ticked applicants to one status."""
    back = safe_next(next, "/employer")
    try:
        body = BulkStatusIn.model_validate({"application_ids": application_ids, "status": status})
    except ValidationError as error:
        problems = field_errors(error)
        message = "Tick the applicants to move." if "application_ids" in problems else "Choose the new status."
        return redirect(request, back, flash=("error", message))
    views = await applications.change_statuses(db, runtime.settings, auth.user, body.application_ids, body.status)
    label = APPLICATION_STATUS_LABELS[body.status]
    moved = "1 applicant" if len(views) == 1 else f"{len(views)} applicants"
    return redirect(request, back, flash=("success", f"{moved}: {label}."))


@router.post("/applications/{application_id}/notes")
async def add_note(
    request: Request,
    db: DbSession,
    auth: VerifiedAuth,
    application_id: uuid.UUID,
    body: FormStr = "",
    next: FormStr = "",
) -> Response:
    back = safe_next(next, "/employer")
    try:
        note = NoteIn.model_validate({"body": body})
    except ValidationError:
        return redirect(request, f"{back}#applicant-{application_id}", flash=("error", "Write the note first."))
    await notes.add_note(db, auth.user, application_id, note.body)
    return redirect(request, f"{back}#applicant-{application_id}", flash=("success", "Note added for your team."))


@router.post("/applications/{application_id}/withdraw")
async def withdraw(
    request: Request, db: DbSession, runtime: AppRuntime, auth: VerifiedAuth, application_id: uuid.UUID
) -> Response:
    view = await applications.change_status(
        db, runtime.settings, auth.user, application_id, ApplicationStatus.WITHDRAWN
    )
    return redirect(request, "/applications", flash=("success", f"You withdrew your application for {view.job.title}."))


@router.get("/applications")
async def my_applications_page(
    request: Request, db: DbSession, auth: CurrentAuth, cursor: str | None = None
) -> Response:
    views, next_cursor = await applications.list_mine(db, auth.user, _page(cursor))
    context = {
        "views": views,
        "withdrawable": WITHDRAWABLE,
        "next_url": f"/applications?cursor={next_cursor}" if next_cursor else None,
    }
    return render(request, "jobs/my_applications.html", context)


@router.get("/applications/{application_id}/cv")
async def download_cv(db: DbSession, auth: CurrentAuth, application_id: uuid.UUID) -> Response:
    """The CV sent with an application: for its applicant and the company's team only."""
    view = await applications.view_application(db, auth.user, application_id)
    if view.cv is None:
        raise NotFound("This application has no CV.")
    url = upload_url(view.cv.id)
    assert url is not None
    # A PDF opens in the browser's viewer (the media route checks who may read it again).
    inline = "?inline=1" if view.cv.content_type in VIEWABLE_IN_BROWSER else ""
    return RedirectResponse(url + inline, status_code=303)
