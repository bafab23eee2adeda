"""JSON API for two-step verification: `/api/auth/two-factor` (status), `/setup` (a new secret
and its QR code), `/enable` (the first code switches it on; answers the recovery codes, once),
`/disable` (the password again). accounts/second_factor.py holds the rules."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from hiremebahamas.accounts import second_factor
from hiremebahamas.accounts.deps import CurrentAuth
from hiremebahamas.accounts.schemas import (
    RecoveryCodesOut,
    TwoFactorCodeIn,
    TwoFactorOffIn,
    TwoFactorSetupOut,
    TwoFactorStatusOut,
)
from hiremebahamas.web.deps import AppSettings, DbSession, limit_auth

# Rate-limited like the sign-in itself: codes are guessable one by one.
router = APIRouter(prefix="/auth/two-factor", tags=["auth"], dependencies=[Depends(limit_auth)])


@router.get("")
async def two_factor_status(auth: CurrentAuth, db: DbSession) -> TwoFactorStatusOut:
    left = await second_factor.recovery_codes_left(db, auth.user) if auth.user.has_second_factor else 0
    return TwoFactorStatusOut(enabled=auth.user.has_second_factor, recovery_codes_left=left)


@router.post("/setup")
async def two_factor_setup(auth: CurrentAuth, settings: AppSettings) -> TwoFactorSetupOut:
    """A new secret for an authenticator app; nothing changes until `/enable` gets its first code."""
    enrolment = second_factor.start(settings, auth.user)
    return TwoFactorSetupOut(secret=enrolment.secret, otpauth_uri=enrolment.uri, qr_svg=str(enrolment.qr_svg))


@router.post("/enable")
async def two_factor_enable(
    body: TwoFactorCodeIn, auth: CurrentAuth, db: DbSession, settings: AppSettings
) -> RecoveryCodesOut:
    """Switch it on with the first code the app shows; this sign-in counts as confirmed."""
    codes = await second_factor.confirm(db, settings, auth.user, body.code, auth.session)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/disable", status_code=status.HTTP_204_NO_CONTENT)
async def two_factor_disable(body: TwoFactorOffIn, auth: CurrentAuth, db: DbSession) -> Response:
    await second_factor.switch_off(db, auth.user, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
