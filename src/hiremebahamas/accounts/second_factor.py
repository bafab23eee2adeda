"""The second factor: time-based one-time passwords (RFC 6238, pyotp) from an authenticator app,
and ten single-use recovery codes for when the phone is lost.

- Setting it up: a new secret is kept aside (encrypted) and shown as a QR code drawn here, never
  by an outside service; it is switched on by the first code the app shows, which also confirms
  the sign-in in use. The recovery codes are shown once and stored as keyed hashes.
- Signing in: an account with it on gives a code (or a recovery code) after its password. A code
  is accepted within one 30-second step either side, and only once: the step of the last code
  accepted is kept, and no code of that step or before it is taken again.
- Switching it off needs the password again; it removes the recovery codes.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core import secrets_box, security
from hiremebahamas.core.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed
from hiremebahamas.models import AuthSession, RecoveryCode, User
from hiremebahamas.models.base import utcnow

ISSUER = "HireMeBahamas"
RECOVERY_CODES = 10
_PURPOSE = "totp-secret"
_RECOVERY = "recovery-code"
_STEP_SECONDS = 30
_CODE = re.compile(r"^\d{6}$")
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
WRONG_CODE = "That code is not right, or it was used already. Enter the newest code from your app."


class CodeRequired(Unauthenticated):
    code = "totp_required"
    default_message = "This account has two-step verification: send the code from its authenticator app."


class CodeRefused(Unauthenticated):
    code = "totp_invalid"
    default_message = WRONG_CODE


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str

    @property
    def qr_svg(self) -> Markup:
        # Drawn here from our own data (the app's name, the email, the secret): safe markup.
        return Markup(segno.make(self.uri, error="m").svg_inline(scale=4, dark="#111", light="#fff"))  # noqa: S704  # nosec B704


def _uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def start(settings: Settings, user: User) -> Enrolment:
    """A new secret to scan; the one set up so far (if any) stays until a code switches this on."""
    if user.has_second_factor:
        raise Conflict("Two-step verification is on already. Switch it off first to set up a new app.")
    secret = pyotp.random_base32()
    user.totp_pending_secret = secrets_box.seal(settings, _PURPOSE, secret)
    return Enrolment(secret, _uri(secret, user))


def pending(settings: Settings, user: User) -> Enrolment | None:
    if user.totp_pending_secret is None:
        return None
    secret = secrets_box.unseal(settings, _PURPOSE, user.totp_pending_secret)
    return Enrolment(secret, _uri(secret, user))


def _accepted_step(secret: str, code: str, last_step: int | None) -> int | None:
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // _STEP_SECONDS
    for step in (now_step, now_step - 1, now_step + 1):
        if (last_step is None or step > last_step) and secrets.compare_digest(totp.at(step * _STEP_SECONDS), code):
            return step
    return None


def _normalise(code: str) -> str:
    return code.strip().lower().replace(" ", "").replace("-", "")


def _new_recovery_codes() -> list[str]:
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    return [f"{code[:5]}-{code[5:]}" for code in codes]


async def confirm(
    session: AsyncSession, settings: Settings, user: User, code: str, auth_session: AuthSession
) -> list[str]:
    """Switch it on with the first code from the app; the recovery codes, to show once."""
    enrolment = pending(settings, user)
    if enrolment is None:
        raise Conflict("Start by scanning a new QR code.")
    step = _accepted_step(enrolment.secret, code.strip(), None)
    if step is None:
        raise ValidationFailed(WRONG_CODE, fields={"code": WRONG_CODE})
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_enabled_at, user.totp_last_step = utcnow(), step
    auth_session.second_factor_at = utcnow()
    codes = _new_recovery_codes()
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=secrets_box.keyed_hash(settings, _RECOVERY, _normalise(c)))
        for c in codes
    )
    await session.flush()
    return codes


async def check(session: AsyncSession, settings: Settings, user: User, code: str) -> bool:
    """A code from the app, or an unused recovery code (then used up); True when accepted."""
    if user.totp_secret is None:
        return False
    secret, current = secrets_box.unseal_current(settings, _PURPOSE, user.totp_secret)
    step = _accepted_step(secret, code.strip(), user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        user.totp_secret = current  # sealed again with the new key after a rotation
        return True
    hashes = secrets_box.keyed_hashes(settings, _RECOVERY, _normalise(code))
    used = await session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash.in_(hashes), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .returning(RecoveryCode.id)
    )
    return used.first() is not None


async def recovery_codes_left(session: AsyncSession, user: User) -> int:
    query = select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return len((await session.execute(query)).all())


async def switch_off(session: AsyncSession, user: User, password: str) -> None:
    if not user.has_second_factor:
        raise Conflict("Two-step verification is off already.")
    if not await security.verify_password_off_loop(user.password_hash, password):
        message = "That password is not right."
        raise Forbidden(message, fields={"password": message})  # as changing the password answers
    user.totp_secret = user.totp_pending_secret = None
    user.totp_enabled_at = user.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
