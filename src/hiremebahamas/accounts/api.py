"""JSON API: /api/auth/*. (GET/PATCH /api/users/me, account and profile, are in profiles/api.py.)"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from hiremebahamas.accounts import service
from hiremebahamas.accounts.cookies import clear_session_cookie, set_session_cookie
from hiremebahamas.accounts.deps import CurrentAuth, CurrentUser
from hiremebahamas.accounts.schemas import (
    ChangePasswordIn,
    LoginIn,
    PasswordResetConfirmIn,
    PasswordResetRequestIn,
    RefreshIn,
    RegisterIn,
    TokenIn,
    TokenPairOut,
    UserEnvelope,
    UserOut,
)
from hiremebahamas.web.csrf import csrf_token, not_cookie_authenticated, rotate_csrf_cookie, set_csrf_cookie_if_new
from hiremebahamas.web.deps import AppRuntime, AppSettings, DbSession, limit_auth, request_ip
from hiremebahamas.web.openapi import CREDENTIALS_REFUSED

auth_router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[Depends(limit_auth)])
# Account-level /api/users/me actions; reading and editing the account with its profile is
# in profiles/api.py.
users_router = APIRouter(prefix="/users", tags=["users"])
# Outside auth_router: fetching a token is not a sign-in attempt and must not use that budget.
csrf_router = APIRouter(prefix="/auth", tags=["auth"])


def client_info(request: Request) -> service.ClientInfo:
    return service.ClientInfo(user_agent=request.headers.get("user-agent", ""), ip_address=request_ip(request))


def _token_pair(tokens: service.IssuedTokens, user: UserOut) -> TokenPairOut:
    return TokenPairOut(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in, user=user
    )


@auth_router.post("/register", status_code=status.HTTP_201_CREATED)
@not_cookie_authenticated
async def register(body: RegisterIn, db: DbSession, runtime: AppRuntime) -> UserEnvelope:
    user = await service.register(db, runtime.settings, runtime.store, body)
    return UserEnvelope(user=UserOut.model_validate(user))


@auth_router.post("/verify-email")
@not_cookie_authenticated
async def verify_email(body: TokenIn, db: DbSession) -> UserEnvelope:
    """Also 200 for a link opened again once the address is confirmed."""
    confirmation = await service.verify_email(db, body.token)
    return UserEnvelope(user=UserOut.model_validate(confirmation.user))


@auth_router.post("/resend-verification", status_code=status.HTTP_202_ACCEPTED)
async def resend_verification(db: DbSession, settings: AppSettings, user: CurrentUser) -> dict[str, str]:
    await service.send_verification_email(db, settings, user)
    return {"status": "sent"}


@auth_router.post("/login", responses=CREDENTIALS_REFUSED)
@not_cookie_authenticated
async def login(
    body: LoginIn, request: Request, response: Response, db: DbSession, runtime: AppRuntime
) -> TokenPairOut:
    settings = runtime.settings
    user = await service.authenticate(
        db, settings, runtime.store, body.email, body.password, request_ip(request), code=body.totp
    )
    login = await service.start_session(db, settings, user, client_info(request), second_factor=user.has_second_factor)
    set_session_cookie(response, settings, login.cookie_value)
    rotate_csrf_cookie(request)
    set_csrf_cookie_if_new(request, response, settings)
    response.headers["X-CSRF-Token"] = csrf_token(request)
    return _token_pair(login.tokens, UserOut.model_validate(user))


@auth_router.post("/refresh", responses=CREDENTIALS_REFUSED)
@not_cookie_authenticated
async def refresh(body: RefreshIn, db: DbSession, settings: AppSettings) -> TokenPairOut:
    tokens, user = await service.refresh(db, settings, body.refresh_token)
    return _token_pair(tokens, UserOut.model_validate(user))


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(auth: CurrentAuth, db: DbSession, settings: AppSettings) -> Response:
    await service.revoke_session_by_id(db, auth.session.id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, settings)
    return response


@auth_router.post("/password-reset/request", status_code=status.HTTP_202_ACCEPTED)
@not_cookie_authenticated
async def password_reset_request(body: PasswordResetRequestIn, db: DbSession) -> dict[str, str]:
    service.request_password_reset(db, body.email)
    return {"status": "accepted", "message": "If an account uses that email, a reset link is on its way."}


@auth_router.post("/password-reset/confirm")
@not_cookie_authenticated
async def password_reset_confirm(body: PasswordResetConfirmIn, db: DbSession, runtime: AppRuntime) -> UserEnvelope:
    user = await service.reset_password(db, runtime.settings, runtime.store, body.token, body.new_password)
    return UserEnvelope(user=UserOut.model_validate(user))


@auth_router.post("/change-password")
async def change_password(
    body: ChangePasswordIn,
    request: Request,
    response: Response,
    auth: CurrentAuth,
    db: DbSession,
    settings: AppSettings,
) -> TokenPairOut:
    """Every session is signed out; the caller gets a fresh one so this device stays signed in."""
    await service.change_password(db, settings, auth.user, body.current_password, body.new_password)
    login = await service.start_session(db, settings, auth.user, client_info(request))
    if auth.via_cookie:
        set_session_cookie(response, settings, login.cookie_value)
    return _token_pair(login.tokens, UserOut.model_validate(auth.user))


@csrf_router.get("/csrf")
async def get_csrf_token(request: Request, response: Response, settings: AppSettings) -> dict[str, str]:
    """For browser scripts calling the API with the session cookie."""
    token = csrf_token(request)
    set_csrf_cookie_if_new(request, response, settings)
    return {"csrf_token": token}
