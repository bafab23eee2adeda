"""Pages: setting up and switching off two-step verification (/account/two-factor)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from hiremebahamas.accounts import second_factor
from hiremebahamas.accounts.deps import Auth, CurrentAuth, optional_auth
from hiremebahamas.core.errors import AppError
from hiremebahamas.web.deps import AppSettings, DbSession, limit_auth
from hiremebahamas.web.forms import FormPassword, FormStr, refused_form
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(prefix="/account/two-factor", dependencies=[Depends(optional_auth)], include_in_schema=False)
PAGE = "accounts/two_factor.html"


async def _page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    auth: Auth,
    *,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    recovery_codes: list[str] | None = None,
) -> Response:
    user = auth.user
    context = {
        "enabled": user.has_second_factor,
        "enrolment": None if user.has_second_factor else second_factor.pending(settings, user),
        "codes_left": await second_factor.recovery_codes_left(db, user) if user.has_second_factor else 0,
        "recovery_codes": recovery_codes,
        "confirmed_here": auth.session.second_factor_at is not None,
        "error": error,
        "errors": errors or {},
    }
    return render(request, PAGE, context, status_code=status_code)


@router.get("")
async def two_factor_page(request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth) -> Response:
    return await _page(request, db, settings, auth)


@router.post("/setup")
async def setup(request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth) -> Response:
    try:
        second_factor.start(settings, auth.user)
    except AppError as exc:
        _, message, status = await refused_form(request, db, exc)
        return await _page(request, db, settings, auth, error=message, status_code=status)
    return redirect(request, "/account/two-factor")


@router.post("/enable", dependencies=[Depends(limit_auth)])
async def enable(
    request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth, code: FormStr = ""
) -> Response:
    try:
        codes = await second_factor.confirm(db, settings, auth.user, code, auth.session)
    except AppError as exc:
        errors, message, status = await refused_form(request, db, exc)
        return await _page(request, db, settings, auth, error=message, errors=errors, status_code=status)
    # Shown this once: only their hashes are kept.
    return await _page(request, db, settings, auth, recovery_codes=codes)


@router.post("/disable", dependencies=[Depends(limit_auth)])
async def disable(
    request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth, password: FormPassword = ""
) -> Response:
    try:
        await second_factor.switch_off(db, auth.user, password)
    except AppError as exc:
        errors, message, status = await refused_form(request, db, exc)
        return await _page(request, db, settings, auth, error=message, errors=errors, status_code=status)
    return redirect(request, "/account", flash=("success", "Two-step verification is off."))
