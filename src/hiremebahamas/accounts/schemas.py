from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from hiremebahamas.core.text import InputModel, Verbatim
from hiremebahamas.models import AccountType

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Password = Annotated[Verbatim, Field(min_length=1, max_length=1024)]
Token = Annotated[str, Field(min_length=1, max_length=512)]


class RegisterIn(InputModel):
    email: EmailStr
    password: Password
    first_name: Name
    last_name: Name
    account_type: AccountType


class LoginIn(InputModel):
    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: Password


class TokenIn(InputModel):
    token: Token


class RefreshIn(InputModel):
    refresh_token: Token


class PasswordResetRequestIn(InputModel):
    email: Annotated[str, Field(min_length=1, max_length=320)]


class PasswordResetConfirmIn(InputModel):
    token: Token
    new_password: Password


class ChangePasswordIn(InputModel):
    current_password: Password
    new_password: Password


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
    created_at: datetime


class UserEnvelope(BaseModel):
    user: UserOut


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    user: UserOut
