from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, TimestampMixin, str_enum


class AccountType(StrEnum):
    JOB_SEEKER = "job_seeker"
    EMPLOYER = "employer"


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    # Stored lower-cased (see accounts.service.normalise_email), so the unique index is
    # case-insensitive on every engine.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # The public handle in URLs (/u/<username>); lower-case letters, digits and hyphens.
    username: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    account_type: Mapped[AccountType] = mapped_column(str_enum(AccountType))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
