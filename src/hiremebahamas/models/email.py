"""The sent log of the emails the product sends on its own initiative (billing reminders,
welcome steps, digests, newsletters): one row per (person, email), claimed before the email is
handed to SMTP, so a run that crashes and starts again never sends one twice. And the campaigns:
an email to many (a week's digest, a newsletter), sent in chunks from a cursor."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, str_enum, utcnow


class SendStatus(StrEnum):
    CLAIMED = "claimed"  # being sent; a crash leaves it so, and it is not sent again
    SENT = "sent"
    FAILED = "failed"  # SMTP refused it
    SKIPPED = "skipped"  # its goal was met, or the person may not be emailed


class EmailSend(IdMixin, Base):
    __tablename__ = "email_sends"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_email_sends_user_key"),
        # A campaign's counts: its key's rows by status.
        Index("ix_email_sends_key_status", "key", "status"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Which email: "dunning:<invoice>:3", "welcome:seeker:profile", "digest:2026-W49", ...
    key: Mapped[str] = mapped_column(String(120))
    status: Mapped[SendStatus] = mapped_column(str_enum(SendStatus), default=SendStatus.CLAIMED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CampaignKind(StrEnum):
    DIGEST = "digest"
    NEWSLETTER = "newsletter"
    ANNOUNCEMENT = "announcement"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"


class Audience(StrEnum):
    """Whom a newsletter is for (all of them: only those who opted in to marketing email)."""

    ALL = "all"
    SEEKERS = "seekers"
    EMPLOYERS = "employers"
    TIER = "tier"  # `audience_value`: a tier code
    ISLAND = "island"  # `audience_value`: an island


class EmailCampaign(IdMixin, Base):
    """One email to many people, sent in chunks of the users' id order: `cursor` is the last id
    a finished chunk reached, so a chunk that dies is taken up again from there (lifecycle/
    campaigns.py); the sent log keeps those it had reached from a second email."""

    __tablename__ = "email_campaigns"
    __table_args__ = (Index("ix_email_campaigns_status_updated", "status", "updated_at"),)

    # The sent log's key of its emails: "digest:2026-W49", "newsletter:<id>".
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[CampaignKind] = mapped_column(str_enum(CampaignKind))
    status: Mapped[CampaignStatus] = mapped_column(str_enum(CampaignStatus), default=CampaignStatus.SENDING)
    cursor: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # Newsletters and announcements: what staff wrote (Markdown), for whom, and when it goes.
    subject: Mapped[str] = mapped_column(String(200), default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), default=Audience.ALL)
    audience_value: Mapped[str | None] = mapped_column(String(30), default=None)
    scheduled_for: Mapped[datetime | None] = mapped_column(default=None)
    # Kept when the author's account goes: the audit log names them anyway.
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a chunk last finished: a campaign still sending long after it has stalled.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class SuppressionReason(StrEnum):
    BOUNCE = "bounce"  # a hard bounce: the address does not exist
    COMPLAINT = "complaint"  # the person marked an email as spam


class EmailSuppression(Base):
    """An address the relay reported (lifecycle/deliverability.py): nothing that can be turned
    off is sent to it any more."""

    __tablename__ = "email_suppressions"

    # Lower-cased, as users' addresses are stored.
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[SuppressionReason] = mapped_column(str_enum(SuppressionReason))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
