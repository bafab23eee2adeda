"""Pages: deleting one's account from the account settings, and restoring it from the login."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from hiremebahamas.accounts import service as accounts
from hiremebahamas.accounts.api import client_info
from hiremebahamas.accounts.cookies import clear_session_cookie
from hiremebahamas.accounts.deps import CurrentAuth, optional_auth
from hiremebahamas.accounts.views import account_settings_page, signed_in
from hiremebahamas.core.errors import AppError
from hiremebahamas.core.times import NASSAU
from hiremebahamas.privacy import service
from hiremebahamas.privacy.pages import restore_page
from hiremebahamas.web.deps import AppRuntime, DbSession, limit_auth, request_ip
from hiremebahamas.web.forms import FormPassword, FormStr, refused_form
from hiremebahamas.web.rendering import render

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)


@router.post("/account/delete", dependencies=[Depends(limit_auth)])
async def delete_account(
    request: Request, db: DbSession, runtime: AppRuntime, auth: CurrentAuth, password: FormPassword = ""
) -> Response:
    settings = runtime.settings
    try:
        user = await service.request_own_deletion(db, settings, runtime.store, auth.user, password, request_ip(request))
    except AppError as error:
        fields, message, status = await refused_form(request, db, error)
        return await account_settings_page(request, db, auth, status, errors=fields, error=message)
    # Signed out: the confirmation page is the last one this browser sees signed in.
    request.state.viewer = None
    due = user.deletion_due_at
    assert due is not None
    context = {"due": due, "final": f"{due.astimezone(NASSAU):%d %B %Y}"}
    response = render(request, "privacy/deletion_requested.html", context)
    clear_session_cookie(response, settings)
    return response


@router.post("/account/restore", dependencies=[Depends(limit_auth)])
async def restore_account(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    email: FormStr = "",
    password: FormPassword = "",
    code: FormStr = "",
) -> Response:
    settings = runtime.settings
    try:
        user = await service.restore(
            db, settings, runtime.store, email, password, request_ip(request), code.strip() or None
        )
    except AppError as error:
        _fields, message, status = await refused_form(request, db, error)
        return restore_page(request, email, error=message, status_code=status)
    login = await accounts.start_session(db, settings, user, client_info(request), second_factor=user.has_second_factor)
    return signed_in(request, settings, login, user, "/")
