from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, TimestampMixin, str_enum


class AccountType(StrEnum):
    JOB_SEEKER = "job_seeker"
    EMPLOYER = "employer"


class StaffRole(StrEnum):
    """Who runs the site. A moderator handles reports, content and suspensions; an admin does
    everything, billing and staff roles included."""

    MODERATOR = "moderator"
    ADMIN = "admin"


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # The erasure run's "whose grace period is over" (privacy/erasure.py): only the accounts
        # being deleted are in it, a handful at any time.
        Index(
            "ix_users_deletion_due",
            "deletion_due_at",
            postgresql_where=text("deletion_due_at IS NOT NULL"),
            sqlite_where=text("deletion_due_at IS NOT NULL"),
        ),
        # The welcome sequence's "who joined in this window" (lifecycle/sequences.py), in keyset order.
        Index("ix_users_created_at_id", "created_at", "id"),
    )

    # Stored lower-cased (see accounts.service.normalise_email), so the unique index is
    # case-insensitive on every engine.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # The public handle in URLs (/u/<username>); lower-case letters, digits and hyphens.
    username: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    account_type: Mapped[AccountType] = mapped_column(str_enum(AccountType))
    staff_role: Mapped[StaffRole | None] = mapped_column(str_enum(StaffRole), default=None)
    # False while suspended: the account cannot sign in and what it wrote is hidden.
    is_active: Mapped[bool] = mapped_column(default=True)
    suspended_until: Mapped[datetime | None] = mapped_column(default=None)
    """The end of a suspension for a time; None with is_active False: until reinstated."""
    suspension_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    # Set when staff force a password reset: sign-in is refused until the emailed link is used.
    password_reset_required_at: Mapped[datetime | None] = mapped_column(default=None)
    # The second factor (accounts/second_factor.py): the TOTP secret, encrypted with a key made
    # from SECRET_KEY; one being set up until its first code is entered; the time step of the last
    # code accepted, so that a code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    totp_pending_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # Account deletion (privacy/): while it is pending the account is inactive, as a suspended
    # one is, and its owner may restore it until `deletion_due_at` unless staff deleted it.
    # The erasure clears `deletion_due_at` and sets `erased_at`: the row stays as a nameless
    # tombstone so that the messages it sent keep their place in the other person's inbox.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(default=None)
    deletion_due_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_by_staff: Mapped[bool] = mapped_column(default=False)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # The Terms of Service version this member last accepted (legal/): written at registration,
    # and again when a newer version is accepted. None for accounts made before versions existed.
    terms_accepted_version: Mapped[str | None] = mapped_column(String(40), default=None)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_admin(self) -> bool:
        return self.staff_role is StaffRole.ADMIN

    @property
    def is_staff(self) -> bool:
        """Admins and moderators: may remove anyone's content."""
        return self.staff_role is not None

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def deletion_pending(self) -> bool:
        return self.deletion_requested_at is not None and self.erased_at is None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
