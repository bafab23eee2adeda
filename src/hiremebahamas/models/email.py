"""The sent log of the emails the product sends on its own initiative (billing reminders,
welcome steps, digests, newsletters): one row per (person, email), claimed before the email is
handed to SMTP, so a run that crashes and starts again never sends one twice."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, str_enum, utcnow


class SendStatus(StrEnum):
    CLAIMED = "claimed"  # being sent; a crash leaves it so, and it is not sent again
    SENT = "sent"
    FAILED = "failed"  # SMTP refused it
    SKIPPED = "skipped"  # its goal was met, or the person may not be emailed


class EmailSend(IdMixin, Base):
    __tablename__ = "email_sends"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_email_sends_user_key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Which email: "dunning:<invoice>:3", "welcome:seeker:profile", "digest:2026-W49", ...
    key: Mapped[str] = mapped_column(String(120))
    status: Mapped[SendStatus] = mapped_column(str_enum(SendStatus), default=SendStatus.CLAIMED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
