"""Data exports ("Download my data"): the ZIP of a person's data built by the worker, kept in
private storage until its emailed link expires."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, str_enum, utcnow


class DataExportStatus(StrEnum):
    PENDING = "pending"  # asked for; the worker is building the file
    READY = "ready"  # in storage under `storage_key`, its link emailed


class DataExport(IdMixin, Base):
    __tablename__ = "data_exports"
    # The periodic clean-up reads the expired ones, oldest first.
    __table_args__ = (Index("ix_data_exports_expires_at", "expires_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[DataExportStatus] = mapped_column(str_enum(DataExportStatus), default=DataExportStatus.PENDING)
    storage_key: Mapped[str | None] = mapped_column(String(255), default=None)
    size: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when it is asked for: the link stops working then, and the file and row are deleted.
    expires_at: Mapped[datetime]
