"""JSON API: GET /api/users/me/export (all of one's data), DELETE /api/users/me (delete one's
account) and POST /api/users/me/restore (take it back during the grace period). Staff
deletions are in staff/api.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import StreamingResponse

from hiremebahamas.accounts.cookies import clear_session_cookie
from hiremebahamas.accounts.deps import CurrentAuth
from hiremebahamas.accounts.schemas import LoginIn, UserEnvelope, UserOut
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.models.base import utcnow
from hiremebahamas.privacy import service
from hiremebahamas.privacy.archive import export_filename
from hiremebahamas.privacy.export import FORMAT_VERSION, SECTIONS, Single, export_document
from hiremebahamas.privacy.schemas import DeletionIn, DeletionOut
from hiremebahamas.uploads.service import PRIVATE_CACHE_CONTROL, attachment_disposition
from hiremebahamas.web.csrf import not_cookie_authenticated
from hiremebahamas.web.deps import AppRuntime, DbSession, limit_auth, request_ip
from hiremebahamas.web.openapi import CREDENTIALS_REFUSED

router = APIRouter(prefix="/users", tags=["privacy"])


def _section_schema(section: object) -> dict[str, Any]:
    """A single record (or null), or a list of records."""
    if isinstance(section, Single):
        return {"anyOf": [{"type": "object"}, {"type": "null"}]}
    return {"type": "array", "items": {"type": "object"}}


_EXPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format_version", "exported_at", *(name for name, _section in SECTIONS)],
    "properties": {
        "format_version": {"type": "integer", "const": FORMAT_VERSION},
        "exported_at": {"type": "string", "format": "date-time"},
        **{name: _section_schema(section) for name, section in SECTIONS},
    },
}
_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the document, as an attachment (docs/privacy.md lists its sections)",
        "content": {"application/json": {"schema": _EXPORT_SCHEMA}},
    }
}


@router.get("/me/export", response_class=StreamingResponse, responses=_EXPORT_RESPONSES)
async def export_my_data(auth: CurrentAuth, runtime: AppRuntime) -> StreamingResponse:
    """Everything you gave or generated, as one JSON document streamed in pieces: account,
    profile, experience, education, skills, posts, comments, likes, follows, followers, blocks,
    conversations and their messages, applications with their history, saved searches,
    notifications, the companies you are on the team of and their jobs, subscription, invoices
    and your uploads' details. RATE_LIMIT_EXPORT a user (429 with Retry-After past it)."""
    user = auth.user
    await runtime.limiter.hit(LimitScope.EXPORT, "user", str(user.id))
    document = export_document(runtime.database.sessionmaker, user.id)
    headers = {
        "Content-Disposition": attachment_disposition(export_filename(user, utcnow(), "json")),
        "Cache-Control": PRIVATE_CACHE_CONTROL,
    }
    return StreamingResponse(document, media_type="application/json", headers=headers)


@router.delete("/me", status_code=status.HTTP_202_ACCEPTED, dependencies=[Depends(limit_auth)])
async def delete_account(
    body: DeletionIn, response: Response, auth: CurrentAuth, db: DbSession, runtime: AppRuntime
) -> DeletionOut:
    """Delete your account, confirmed with your password: signed out everywhere and hidden at
    once, erased when `deletion_due_at` comes (ACCOUNT_DELETION_GRACE_DAYS). Until then, signing
    in answers 409 `account_pending_deletion` and POST /api/users/me/restore takes it back."""
    user = await service.request_own_deletion(db, runtime.settings, runtime.store, auth.user, body.password)
    if auth.via_cookie:
        clear_session_cookie(response, runtime.settings)
    assert user.deletion_due_at is not None
    return DeletionOut.of(user.deletion_due_at)


@router.post("/me/restore", responses=CREDENTIALS_REFUSED, dependencies=[Depends(limit_auth)])
@not_cookie_authenticated
async def restore_account(body: LoginIn, request: Request, db: DbSession, runtime: AppRuntime) -> UserEnvelope:
    """Take back your own deletion before it is final, with the login's credentials (and
    `totp` where two-step verification is on); then log in as usual. 403 when staff deleted the
    account, 409 when it is not being deleted or its deletion is final."""
    user = await service.restore(
        db, runtime.settings, runtime.store, body.email, body.password, request_ip(request), body.totp
    )
    return UserEnvelope(user=UserOut.model_validate(user))
