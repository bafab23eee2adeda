"""Pages: asking for a copy of one's data and downloading it from the emailed link, deleting
one's account from the account settings, and restoring it from the login."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse

from hiremebahamas.accounts import service as accounts
from hiremebahamas.accounts.api import client_info
from hiremebahamas.accounts.cookies import clear_session_cookie
from hiremebahamas.accounts.deps import CurrentAuth, optional_auth
from hiremebahamas.accounts.views import account_settings_page, signed_in
from hiremebahamas.core.errors import AppError, RateLimited
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.privacy import archive, service
from hiremebahamas.privacy.pages import restore_page
from hiremebahamas.uploads.service import PRIVATE_CACHE_CONTROL, attachment_disposition
from hiremebahamas.web.deps import AppRuntime, DbSession, limit_auth, request_ip
from hiremebahamas.web.forms import FormPassword, FormStr, refused_form
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)


@router.post("/account/export")
async def request_export(request: Request, db: DbSession, runtime: AppRuntime, auth: CurrentAuth) -> Response:
    user = auth.user
    try:
        await runtime.limiter.hit(LimitScope.EXPORT_ARCHIVE, "user", str(user.id))
    except RateLimited as error:
        minutes = -(-error.retry_after // 60)
        message = f"You asked for a copy of your data a short while ago. You can ask again in {minutes} minutes."
        return await account_settings_page(request, db, auth, error.status_code, error=message)
    await archive.request_archive(db, runtime.settings, user)
    notice = f"We are preparing a copy of your data. We will email a download link to {user.email}."
    return redirect(request, "/account", flash=("success", notice))


@router.get("/account/export/{token}")
async def download_export(
    token: str, request: Request, db: DbSession, runtime: AppRuntime, auth: CurrentAuth
) -> Response:
    settings = runtime.settings
    try:
        export = await archive.archive_to_download(db, settings, auth.user, token)
    except AppError as error:
        # Answered here rather than raised, as /media does: nothing was written, and an escaping
        # error would roll back the unit of work, expiring the user the error page shows.
        context = {"status": error.status_code, "message": error.message, "code": error.code}
        return render(request, "errors/error.html", context, status_code=error.status_code)
    assert export.storage_key is not None
    headers = {"Cache-Control": PRIVATE_CACHE_CONTROL}
    direct = await runtime.storage.presigned_url(export.storage_key, settings.storage_presign_ttl_seconds)
    if direct is not None:
        return RedirectResponse(direct, status_code=307, headers=headers)
    stored = await runtime.storage.open(export.storage_key)
    built = export.ready_at or export.created_at
    headers["Content-Disposition"] = attachment_disposition(archive.export_filename(auth.user, built, "zip"))
    if stored.size is not None:
        headers["Content-Length"] = str(stored.size)
    return StreamingResponse(stored.chunks, media_type="application/zip", headers=headers)


@router.post("/account/delete", dependencies=[Depends(limit_auth)])
async def delete_account(
    request: Request, db: DbSession, runtime: AppRuntime, auth: CurrentAuth, password: FormPassword = ""
) -> Response:
    settings = runtime.settings
    try:
        user = await service.request_own_deletion(db, settings, runtime.store, auth.user, password)
    except AppError as error:
        fields, message, status = await refused_form(request, db, error)
        return await account_settings_page(request, db, auth, status, errors=fields, error=message)
    # Signed out: the confirmation page is the last one this browser sees signed in.
    request.state.viewer = None
    due = user.deletion_due_at
    assert due is not None
    context = {"due": due}
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
