from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool

from hiremebahamas.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from hiremebahamas.core.text import InputModel, Verbatim
from hiremebahamas.models import AccountType, StaffRole

Name = Annotated[str, Field(min_length=1, max_length=100)]
# What a login compares; a new password states the rules a new one must meet (passwords.py)
# that a schema can state: its length. Not being common or the email is checked by the service.
Password = Annotated[Verbatim, Field(min_length=1, max_length=1024)]
NewPassword = Annotated[Verbatim, Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]
Token = Annotated[str, Field(min_length=1, max_length=512)]


class RegisterIn(InputModel):
    email: EmailStr
    password: NewPassword
    first_name: Name
    last_name: Name
    account_type: AccountType
    accept_terms: bool | None = None
    """The Terms of Service and Privacy Policy (/terms, /privacy) are accepted by registering:
    the account records the version in force. `false` refuses the registration; leaving it out
    (older clients) accepts, as before."""
    marketing_email: StrictBool = False
    """Product news and announcements by email: only with `true` (the sign-up form's checkbox,
    unticked unless the person ticks it); changed later in the email preferences."""


class LoginIn(InputModel):
    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: Password
    totp: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    """For an account with two-step verification: the code from its app, or a recovery code.
    Without it such an account gets 401 `totp_required`; a wrong one, 401 `totp_invalid`."""


class TwoFactorCodeIn(InputModel):
    code: Annotated[str, Field(min_length=1, max_length=20)]


class TwoFactorOffIn(InputModel):
    password: Password


class TwoFactorSetupOut(BaseModel):
    secret: str
    """Base32, for typing into an app that cannot scan."""
    otpauth_uri: str
    qr_svg: str
    """The same URI as an SVG QR code, drawn by the server."""


class TwoFactorStatusOut(BaseModel):
    enabled: bool
    recovery_codes_left: int


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]
    """Shown once: each signs in once in place of a code."""


class TokenIn(InputModel):
    token: Token


class RefreshIn(InputModel):
    refresh_token: Token


class PasswordResetRequestIn(InputModel):
    email: Annotated[str, Field(min_length=1, max_length=320)]


class PasswordResetConfirmIn(InputModel):
    token: Token
    new_password: NewPassword


class ChangePasswordIn(InputModel):
    current_password: Password
    new_password: NewPassword


class UserUpdateIn(InputModel):
    first_name: Name | None = None
    last_name: Name | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    username: str
    first_name: str
    last_name: str
    account_type: AccountType
    email_verified: bool
    is_admin: bool
    staff_role: StaffRole | None = None
    """"admin" or "moderator" for the site's staff."""
    created_at: datetime


class UserEnvelope(BaseModel):
    user: UserOut


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    user: UserOut
