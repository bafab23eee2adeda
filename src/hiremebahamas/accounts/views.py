"""Pages: register, verify, log in/out, forgot/reset password, account settings."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from hiremebahamas.accounts import second_factor, service
from hiremebahamas.accounts.api import client_info
from hiremebahamas.accounts.cookies import (
    clear_registered_mark,
    clear_session_cookie,
    mark_registered_here,
    registered_here,
    set_session_cookie,
)
from hiremebahamas.accounts.deps import CurrentAuth, OptionalAuth, optional_auth
from hiremebahamas.accounts.devices import device_name
from hiremebahamas.accounts.schemas import RegisterIn, UserUpdateIn
from hiremebahamas.accounts.service import NewLogin
from hiremebahamas.config import Settings
from hiremebahamas.core import security
from hiremebahamas.core.errors import AccountPendingDeletion, AppError, Forbidden, NotFound, ValidationFailed
from hiremebahamas.models import Profile, User
from hiremebahamas.privacy.pages import restore_page
from hiremebahamas.privacy.service import deletion_due
from hiremebahamas.web.csrf import rotate_csrf_cookie
from hiremebahamas.web.deps import (
    AppRuntime,
    AppSettings,
    DbSession,
    discard_attempt,
    get_settings,
    limit_auth,
    request_ip,
)
from hiremebahamas.web.forms import FormPassword, FormStr, field_errors, form_text, refused_form
from hiremebahamas.web.rendering import redirect, render, safe_next

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)


async def _form_failed(
    request: Request, db: DbSession, template: str, error: AppError | ValidationError, context: dict[str, Any]
) -> Response:
    """Re-show a form with its errors; nothing the failed attempt staged is kept."""
    errors, message, status = await refused_form(request, db, error)
    return render(request, template, {**context, "errors": errors, "error": message}, status_code=status)


@router.get("/register")
async def register_page(request: Request, auth: OptionalAuth, account_type: str = "") -> Response:
    """`?account_type=employer` (the employers' call to action) starts on "Hire people"."""
    if auth is not None:
        return redirect(request, "/")
    form = {"account_type": "employer"} if account_type == "employer" else {}
    return render(request, "accounts/register.html", {"form": form, "errors": {}, "error": None})


@router.post("/register", dependencies=[Depends(limit_auth)])
async def register_submit(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    password: FormPassword = "",
) -> Response:
    form = await form_text(
        request, "email", "first_name", "last_name", "account_type", "accept_terms", "marketing_email"
    )
    try:
        checks = {"accept_terms": bool(form["accept_terms"]), "marketing_email": bool(form["marketing_email"])}
        data = RegisterIn.model_validate({**form, "password": password, **checks})
        user = await service.register(db, runtime.settings, runtime.store, data)
    except (ValidationError, AppError) as error:
        return await _form_failed(request, db, "accounts/register.html", error, {"form": form})
    response = render(request, "accounts/check_inbox.html", {"email": user.email}, status_code=201)
    mark_registered_here(response, runtime.settings, user.id)
    return response


@router.get("/verify-email")
async def verify_email(
    request: Request, db: DbSession, settings: AppSettings, auth: OptionalAuth, token: str = ""
) -> Response:
    """Confirming signs the new account in, the first time and in the browser it was registered in."""
    try:
        confirmation = await service.verify_email(db, token)
    except AppError as error:
        await discard_attempt(request, db)
        context = {"ok": False, "already": False, "email": None, "message": error.message}
        return render(request, "accounts/verify_result.html", context, status_code=400)
    user = confirmation.user
    sign_in = (
        confirmation.newly
        and auth is None
        and registered_here(request, settings, user.id)
        and service.may_sign_in_by_link(user)
    )
    if not sign_in:
        context = {"ok": True, "already": not confirmation.newly, "email": user.email, "message": None}
        return render(request, "accounts/verify_result.html", context)
    login = await service.start_session(db, settings, user, client_info(request))
    rotate_csrf_cookie(request)
    welcome = f"{user.email} is confirmed. Welcome, {user.first_name}!"
    response = redirect(request, "/", flash=("success", welcome))
    set_session_cookie(response, settings, login.cookie_value)
    clear_registered_mark(response, settings)
    return response


@router.post("/account/resend-verification")
async def resend_verification(request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth) -> Response:
    await service.send_verification_email(db, settings, auth.user)
    return redirect(request, "/", flash=("success", f"We sent a new link to {auth.user.email}."))


@router.get("/login")
async def login_page(request: Request, auth: OptionalAuth, next: str = "/") -> Response:
    if auth is not None:
        return redirect(request, safe_next(next))
    return render(request, "accounts/login.html", {"form": {}, "errors": {}, "error": None, "next": safe_next(next)})


@router.post("/login", dependencies=[Depends(limit_auth)])
async def login_submit(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    email: FormStr = "",
    password: FormPassword = "",
    next: FormStr = "/",
) -> Response:
    settings = runtime.settings
    try:
        user = await service.authenticate(db, settings, runtime.store, email, password, request_ip(request))
    except second_factor.CodeRequired:
        # The password was right: ask for the code, carrying a signed proof of that, not the password.
        await db.rollback()
        challenge = security.encode_login_challenge(settings, service.normalise_email(email))
        return _code_page(request, challenge, next)
    except AccountPendingDeletion as error:
        # Not refused like a wrong password: the owner is offered to restore the account.
        await discard_attempt(request, db)
        notice, restorable = error.message, bool(error.extra["restorable"])
        return restore_page(request, email, notice=notice, restorable=restorable, status_code=error.status_code)
    except AppError as error:
        context = {"form": {"email": email}, "next": safe_next(next)}
        return await _form_failed(request, db, "accounts/login.html", error, context)
    return signed_in(
        request, settings, await service.start_session(db, settings, user, client_info(request)), user, next
    )


def _code_page(
    request: Request, challenge: str, next: str, *, error: str | None = None, status_code: int = 200
) -> Response:
    context = {
        "challenge": challenge,
        "next": safe_next(next),
        "errors": {"code": error} if error else {},
        "error": error,
    }
    return render(request, "accounts/login_code.html", context, status_code=status_code)


def signed_in(request: Request, settings: Settings, login: NewLogin, user: User, next: str) -> Response:
    rotate_csrf_cookie(request)
    greeting = "Welcome" if login.first else "Welcome back"
    response = redirect(request, safe_next(next), flash=("success", f"{greeting}, {user.first_name}."))
    set_session_cookie(response, settings, login.cookie_value)
    return response


@router.post("/login/code", dependencies=[Depends(limit_auth)])
async def login_code_submit(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    challenge: FormStr = "",
    code: FormStr = "",
    next: FormStr = "/",
) -> Response:
    """The second step of signing in to an account with two-step verification."""
    settings = runtime.settings
    try:
        email = security.decode_login_challenge(settings, challenge)
    except security.InvalidToken:
        return redirect(request, "/login", flash=("error", "That sign-in took too long. Please log in again."))
    try:
        user = await service.authenticate_code(db, settings, runtime.store, email, code, request_ip(request))
    except AppError as error:
        _errors, message, status = await refused_form(request, db, error)
        return _code_page(request, challenge, next, error=message, status_code=status)
    login = await service.start_session(db, settings, user, client_info(request), second_factor=True)
    return signed_in(request, settings, login, user, next)


@router.post("/logout")
async def logout(request: Request, db: DbSession, settings: AppSettings, auth: OptionalAuth) -> Response:
    if auth is not None:
        await service.revoke_session_by_id(db, auth.session.id)
    response = redirect(request, "/", flash=("info", "You are logged out."))
    clear_session_cookie(response, settings)
    return response


@router.get("/forgot-password")
async def forgot_password_page(request: Request) -> Response:
    return render(request, "accounts/forgot_password.html", {"sent": False, "form": {}, "errors": {}, "error": None})


@router.post("/forgot-password", dependencies=[Depends(limit_auth)])
async def forgot_password_submit(request: Request, db: DbSession, email: FormStr = "") -> Response:
    if not email.strip():
        errors = {"email": "Enter the email address of your account."}
        context = {"sent": False, "form": {}, "errors": errors, "error": None}
        return render(request, "accounts/forgot_password.html", context, status_code=422)
    service.request_password_reset(db, email)
    return render(request, "accounts/forgot_password.html", {"sent": True, "form": {}, "errors": {}, "error": None})


@router.get("/reset-password")
async def reset_password_page(request: Request, token: str = "") -> Response:
    return render(request, "accounts/reset_password.html", {"token": token, "errors": {}, "error": None})


@router.post("/reset-password", dependencies=[Depends(limit_auth)])
async def reset_password_submit(
    request: Request, db: DbSession, runtime: AppRuntime, token: FormStr = "", new_password: FormPassword = ""
) -> Response:
    settings = runtime.settings
    try:
        await service.reset_password(db, settings, runtime.store, token, new_password)
    except AppError as error:
        return await _form_failed(request, db, "accounts/reset_password.html", error, {"token": token})
    response = redirect(request, "/login", flash=("success", "Your password was changed. Log in with the new one."))
    clear_session_cookie(response, settings)
    return response


async def account_settings_page(
    request: Request, db: DbSession, auth: CurrentAuth, status_code: int = 200, **context: Any
) -> Response:
    sessions = await service.list_sessions(db, auth.user.id)
    base: dict[str, Any] = {"sessions": sessions, "this_session": auth.session.id, "errors": {}, "error": None}
    base["devices"] = {item.id: device_name(item.user_agent) for item in sessions}
    base["current_user_two_factor"] = auth.user.has_second_factor
    base["deletion_due"] = deletion_due(get_settings(request))
    base["privacy"] = await db.get(Profile, auth.user.id)  # None: never edited, the defaults
    base["export_ttl_days"] = get_settings(request).data_export_ttl_days
    return render(request, "accounts/account.html", {**base, **context}, status_code=status_code)


@router.get("/account")
async def account_page(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    return await account_settings_page(request, db, auth)


@router.post("/account/profile")
async def account_profile(
    request: Request, db: DbSession, auth: CurrentAuth, first_name: FormStr = "", last_name: FormStr = ""
) -> Response:
    try:
        data = UserUpdateIn(first_name=first_name, last_name=last_name)
    except ValidationError as error:
        return await account_settings_page(request, db, auth, 422, errors=field_errors(error), error="Check your name.")
    await service.update_user(db, auth.user, data)
    return redirect(request, "/account", flash=("success", "Your details were saved."))


@router.post("/account/password")
async def account_password(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    auth: CurrentAuth,
    current_password: FormPassword = "",
    new_password: FormPassword = "",
) -> Response:
    try:
        await service.change_password(db, settings, auth.user, current_password, new_password)
    except (ValidationFailed, Forbidden) as error:
        fields, message, status = await refused_form(request, db, error)
        return await account_settings_page(request, db, auth, status, errors=fields, error=message)
    login = await service.start_session(db, settings, auth.user, client_info(request))
    response = redirect(request, "/account", flash=("success", "Password changed. Other devices were signed out."))
    set_session_cookie(response, settings, login.cookie_value)
    return response


@router.post("/account/sessions/{session_id}/revoke")
async def revoke_session(request: Request, db: DbSession, auth: CurrentAuth, session_id: uuid.UUID) -> Response:
    sessions = {s.id for s in await service.list_sessions(db, auth.user.id)}
    if session_id not in sessions:
        # Someone else's session (or none): do not claim a device was signed out.
        raise NotFound("That device is not signed in to your account.")
    await service.revoke_session_by_id(db, session_id)
    return redirect(request, "/account", flash=("success", "That device was signed out."))
