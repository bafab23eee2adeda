"""JSON API: DELETE /api/users/me (delete one's account) and POST /api/users/me/restore (take it
back during the grace period). Staff deletions are in staff/api.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from hiremebahamas.accounts.cookies import clear_session_cookie
from hiremebahamas.accounts.deps import CurrentAuth
from hiremebahamas.accounts.schemas import LoginIn, UserEnvelope, UserOut
from hiremebahamas.privacy import service
from hiremebahamas.privacy.schemas import DeletionIn, DeletionOut
from hiremebahamas.web.csrf import not_cookie_authenticated
from hiremebahamas.web.deps import AppRuntime, DbSession, limit_auth, request_ip
from hiremebahamas.web.openapi import CREDENTIALS_REFUSED

router = APIRouter(prefix="/users", tags=["privacy"], dependencies=[Depends(limit_auth)])


@router.delete("/me", status_code=status.HTTP_202_ACCEPTED)
async def delete_account(
    body: DeletionIn, request: Request, response: Response, auth: CurrentAuth, db: DbSession, runtime: AppRuntime
) -> DeletionOut:
    """Delete your account, confirmed with your password: signed out everywhere and hidden at
    once, erased when `deletion_due_at` comes (ACCOUNT_DELETION_GRACE_DAYS). Until then, signing
    in answers 409 `account_pending_deletion` and POST /api/users/me/restore takes it back."""
    user = await service.request_own_deletion(
        db, runtime.settings, runtime.store, auth.user, body.password, request_ip(request)
    )
    if auth.via_cookie:
        clear_session_cookie(response, runtime.settings)
    assert user.deletion_due_at is not None
    return DeletionOut.of(user.deletion_due_at)


@router.post("/me/restore", responses=CREDENTIALS_REFUSED)
@not_cookie_authenticated
async def restore_account(body: LoginIn, request: Request, db: DbSession, runtime: AppRuntime) -> UserEnvelope:
    """Take back your own deletion before it is final, with the login's credentials (and
    `totp` where two-step verification is on); then log in as usual. 403 when staff deleted the
    account, 409 when it is not being deleted or its deletion is final."""
    user = await service.restore(
        db, runtime.settings, runtime.store, body.email, body.password, request_ip(request), body.totp
    )
    return UserEnvelope(user=UserOut.model_validate(user))
