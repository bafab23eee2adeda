"""Pages of the staff area (`/admin`): the dashboard, finding an account, an account's page with
its actions, and the audit log. Members who are not staff get a 404; anonymous visitors, the
login page."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from hiremebahamas.core import audit
from hiremebahamas.core.errors import AppError, ValidationFailed
from hiremebahamas.core.times import day_text
from hiremebahamas.models import (
    AccountType,
    StaffRole,
    TierCode,
    User,
)
from hiremebahamas.staff import comps, quarantine, reports, service
from hiremebahamas.staff.deps import AdminPage, ModeratorPage, SecondFactorNeeded, has_role
from hiremebahamas.staff.reports import QueueOrder
from hiremebahamas.staff.schemas import CompIn, ResolveIn, StatedReasonIn, SuspendIn, TakedownIn
from hiremebahamas.staff.service import AccountStatus, UserFilters
from hiremebahamas.web.deps import AppRuntime, DbSession
from hiremebahamas.web.errors import error_page
from hiremebahamas.web.forms import FormStr, refused_form
from hiremebahamas.web.pagination import page_cursor
from hiremebahamas.web.rendering import is_htmx, redirect, render

router = APIRouter(prefix="/admin", include_in_schema=False)

PAGE = 50


def _choice(enum: type[Any], raw: str) -> Any:
    """A filter from the query string; an unknown value is no filter."""
    try:
        return enum(raw) if raw else None
    except ValueError:
        return None


async def second_factor_needed(request: Request, error: AppError) -> Response:
    """A staff page refused for want of a sign-in confirmed with a code (STAFF_REQUIRE_TOTP): what
    to do, with the way to set it up (the error page app.py gives web/errors.py)."""
    assert isinstance(error, SecondFactorNeeded)
    if is_htmx(request):
        return error_page(request, error.status_code, error.message, error.code)
    context = {"message": error.message, "set_up": error.set_up}
    return render(request, "staff/second_factor_needed.html", context, status_code=error.status_code)


@router.get("")
async def dashboard(request: Request, auth: ModeratorPage, db: DbSession, runtime: AppRuntime) -> Response:
    figures = await service.dashboard(db)
    return render(
        request, "staff/dashboard.html", {"figures": figures, "queue_depth": await runtime.tasks.queue_depth()}
    )


@router.get("/users")
async def users(request: Request, auth: ModeratorPage, db: DbSession) -> Response:
    params = request.query_params
    filters = UserFilters(
        q=params.get("q", "")[:100],
        status=_choice(AccountStatus, params.get("status", "")),
        tier=_choice(TierCode, params.get("tier", "")),
        account_type=_choice(AccountType, params.get("account_type", "")),
    )
    rows, cursor = await service.search_users(db, filters, page_cursor(request), PAGE)
    context = {"rows": rows, "filters": filters, "next_cursor": cursor, "query": params}
    return render(request, "staff/users.html", context)


async def _user_page(
    request: Request, db: DbSession, viewer: User, username: str, *, errors: dict[str, str] | None = None,
    error: str | None = None, form: dict[str, str] | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    summary = await service.user_summary(db, username)
    trail = await audit.entries(db, audit.AuditQuery("user", str(summary.row.user.id)), None, 20)
    context = {
        "summary": summary,
        "trail": trail,
        "is_admin": has_role(viewer, StaffRole.ADMIN),
        "roles": [role.value for role in StaffRole],
        "errors": errors or {},
        "error": error,
        "form": form or {},
    }
    return render(request, "staff/user.html", context, status_code=status_code)


@router.get("/users/{username}")
async def user_page(request: Request, username: str, auth: ModeratorPage, db: DbSession) -> Response:
    return await _user_page(request, db, auth.user, username)


async def _refused(request: Request, db: DbSession, viewer: User, username: str, exc: AppError | ValidationError,
                   form: dict[str, str]) -> Response:  # fmt: skip
    refusal = await refused_form(request, db, exc)
    return await _user_page(
        request, db, viewer, username, errors=refusal.errors, error=refusal.message, form=form,
        status_code=refusal.status_code,
    )  # fmt: skip


@router.post("/users/{username}/suspend")
async def suspend(
    request: Request, username: str, auth: ModeratorPage, db: DbSession, reason: FormStr = "", until: FormStr = ""
) -> Response:
    form = {"reason": reason, "until": until}
    try:
        data = SuspendIn(reason=reason, until=until or None)
        user = await service.suspend(db, auth.user, username, data.reason, data.until)
    except (AppError, ValidationError) as exc:
        return await _refused(request, db, auth.user, username, exc, form)
    return redirect(request, f"/admin/users/{user.username}", flash=("success", f"@{user.username} is suspended."))


@router.post("/users/{username}/reinstate")
async def reinstate(
    request: Request, username: str, auth: ModeratorPage, db: DbSession, reason: FormStr = ""
) -> Response:
    try:
        user = await service.reinstate(db, auth.user, username, reason.strip() or None)
    except AppError as exc:
        return await _refused(request, db, auth.user, username, exc, {})
    return redirect(request, f"/admin/users/{user.username}", flash=("success", f"@{user.username} is reinstated."))


@router.post("/users/{username}/delete")
async def delete_user(
    request: Request, username: str, auth: AdminPage, db: DbSession, runtime: AppRuntime, reason: FormStr = ""
) -> Response:
    form = {"delete_reason": reason}
    try:
        data = StatedReasonIn(reason=reason)
        user = await service.delete_user(db, runtime.settings, auth.user, username, data.reason)
    except (AppError, ValidationError) as exc:
        return await _refused(request, db, auth.user, username, exc, form)
    final = day_text(user.deletion_due_at) if user.deletion_due_at else ""
    message = f"@{user.username} is deleted: signed out, hidden, erased on {final}."
    return redirect(request, f"/admin/users/{user.username}", flash=("success", message))


@router.post("/users/{username}/force-password-reset")
async def force_password_reset(
    request: Request, username: str, auth: ModeratorPage, db: DbSession, reason: FormStr = ""
) -> Response:
    try:
        data = StatedReasonIn(reason=reason)
        user = await service.force_password_reset(db, auth.user, username, data.reason)
    except (AppError, ValidationError) as exc:
        return await _refused(request, db, auth.user, username, exc, {"reset_reason": reason})
    said = f"@{user.username} is signed out and must reset their password; the reset email is on its way."
    return redirect(request, f"/admin/users/{user.username}", flash=("success", said))


@router.post("/users/{username}/comp")
async def comp_tier(
    request: Request, username: str, auth: AdminPage, db: DbSession, tier: FormStr = "", months: FormStr = "",
    reason: FormStr = "",
) -> Response:  # fmt: skip
    form = {"tier": tier, "months": months, "comp_reason": reason}
    try:
        data = CompIn.model_validate({"tier": tier, "months": months, "reason": reason})
        grant = await comps.comp_tier(db, auth.user, username, TierCode(data.tier), data.months, data.reason)
    except (AppError, ValidationError) as exc:
        return await _refused(request, db, auth.user, username, exc, form)
    said = f"@{username}: {grant.tier.value.capitalize()}, complimentary until {day_text(grant.ends_at)}."
    return redirect(request, f"/admin/users/{username}", flash=("success", said))


@router.post("/users/{username}/comp/end")
async def end_comp(request: Request, username: str, auth: AdminPage, db: DbSession, reason: FormStr = "") -> Response:
    try:
        data = StatedReasonIn(reason=reason)
        await comps.end_comp(db, auth.user, username, data.reason)
    except (AppError, ValidationError) as exc:
        return await _refused(request, db, auth.user, username, exc, {"end_reason": reason})
    return redirect(request, f"/admin/users/{username}", flash=("success", "The complimentary plan has ended."))


@router.post("/users/{username}/verify-email")
async def verify_email(request: Request, username: str, auth: ModeratorPage, db: DbSession) -> Response:
    try:
        user = await service.verify_email(db, auth.user, username)
    except AppError as exc:
        return await _refused(request, db, auth.user, username, exc, {})
    return redirect(request, f"/admin/users/{user.username}", flash=("success", "The email address is verified."))


@router.post("/users/{username}/role")
async def set_role(request: Request, username: str, auth: AdminPage, db: DbSession, role: FormStr = "") -> Response:
    try:
        user = await service.set_role(db, auth.user, username, _choice(StaffRole, role))
    except AppError as exc:
        return await _refused(request, db, auth.user, username, exc, {})
    shown = user.staff_role.value if user.staff_role else "no staff role"
    return redirect(request, f"/admin/users/{user.username}", flash=("success", f"@{user.username}: {shown}."))


@router.get("/companies")
async def companies(request: Request, auth: ModeratorPage, db: DbSession) -> Response:
    q = request.query_params.get("q", "")[:100]
    found, cursor = await service.find_companies(db, q, page_cursor(request), PAGE)
    return render(request, "staff/companies.html", {"companies": found, "q": q, "next_cursor": cursor})


@router.post("/companies/{slug}/verify")
async def verify_company(
    request: Request, slug: str, auth: ModeratorPage, db: DbSession, verified: FormStr = ""
) -> Response:
    try:
        company = await service.set_company_verified(db, auth.user, slug, verified=verified == "yes")
    except AppError as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, "/admin/companies", flash=("error", message))
    said = "is verified" if company.verified else "is no longer verified"
    return redirect(request, f"/admin/companies?q={company.slug}", flash=("success", f"{company.name} {said}."))


@router.get("/jobs")
async def flagged_jobs(request: Request, auth: ModeratorPage, db: DbSession) -> Response:
    found, cursor = await service.flagged_jobs(db, page_cursor(request), PAGE)
    return render(request, "staff/jobs.html", {"rows": found, "next_cursor": cursor})


@router.post("/jobs/{job_id}/takedown")
async def take_down_job(
    request: Request, job_id: uuid.UUID, auth: ModeratorPage, db: DbSession, reason: FormStr = ""
) -> Response:
    try:
        data = TakedownIn(reason=reason)
        job = await service.take_down_job(db, auth.user, job_id, data.reason)
    except (AppError, ValidationError) as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, "/admin/jobs", flash=("error", f"Not taken down: {message}"))
    return redirect(request, "/admin/jobs", flash=("success", f"“{job.title}” is taken down; its team is told why."))


@router.post("/jobs/{job_id}/clear-flags")
async def clear_job_flags(request: Request, job_id: uuid.UUID, auth: ModeratorPage, db: DbSession) -> Response:
    try:
        job = await service.clear_job_flags(db, auth.user, job_id)
    except AppError as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, "/admin/jobs", flash=("error", message))
    return redirect(request, "/admin/jobs", flash=("success", f"“{job.title}” left the queue."))


@router.get("/uploads")
async def quarantined_uploads(request: Request, auth: ModeratorPage, db: DbSession) -> Response:
    found, cursor = await quarantine.quarantined_uploads(db, page_cursor(request), PAGE)
    return render(request, "staff/uploads.html", {"rows": found, "next_cursor": cursor})


@router.post("/uploads/{upload_id}/release")
async def release_upload(
    request: Request, upload_id: uuid.UUID, auth: ModeratorPage, db: DbSession, reason: FormStr = ""
) -> Response:
    try:
        data = StatedReasonIn(reason=reason)
        upload, _owner = await quarantine.release_upload(db, auth.user, upload_id, data.reason)
    except (AppError, ValidationError) as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, "/admin/uploads", flash=("error", f"Not released: {message}"))
    name = upload.original_name or upload.purpose.value
    return redirect(request, "/admin/uploads", flash=("success", f"“{name}” is released and readable again."))


@router.post("/uploads/{upload_id}/delete")
async def delete_upload(
    request: Request,
    upload_id: uuid.UUID,
    auth: ModeratorPage,
    db: DbSession,
    runtime: AppRuntime,
    reason: FormStr = "",
) -> Response:
    try:
        data = StatedReasonIn(reason=reason)
        await quarantine.delete_upload(db, runtime.storage, auth.user, upload_id, data.reason)
    except (AppError, ValidationError) as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, "/admin/uploads", flash=("error", f"Not deleted: {message}"))
    return redirect(request, "/admin/uploads", flash=("success", "The file is deleted."))


@router.get("/reports")
async def report_queue(request: Request, auth: ModeratorPage, db: DbSession) -> Response:
    order = _choice(QueueOrder, request.query_params.get("sort", "")) or QueueOrder.NEWEST
    try:
        entries, next_cursor = await reports.queue(db, order, request.query_params.get("cursor") or None, PAGE)
    except ValidationFailed:  # a mangled cursor (an old bookmark): the first page
        entries, next_cursor = await reports.queue(db, order, None, PAGE)
    context = {"entries": entries, "next_cursor": next_cursor, "order": order.value}
    return render(request, "staff/reports.html", context)


@router.post("/reports/{report_id}/resolve")
async def resolve_report(
    request: Request, report_id: uuid.UUID, auth: ModeratorPage, db: DbSession, action: FormStr = "", note: FormStr = ""
) -> Response:
    try:
        data = ResolveIn(action=action, note=note or None)
        await reports.resolve(db, auth.user, report_id, data.action, data.note or None)
    except (AppError, ValidationError) as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, "/admin/reports", flash=("error", f"Not resolved: {message}"))
    return redirect(request, "/admin/reports", flash=("success", "Resolved; the reporters and the author are told."))


@router.get("/audit")
async def audit_log(request: Request, auth: AdminPage, db: DbSession) -> Response:
    found, cursor = await audit.page(db, audit.AuditQuery(), page_cursor(request), PAGE)
    return render(request, "staff/audit.html", {"entries": found, "next_cursor": cursor})
