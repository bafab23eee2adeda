"""Files people upload. The bytes live in storage (a local directory or an S3 bucket); this
row records what they are and who owns them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, str_enum, utcnow


class UploadPurpose(StrEnum):
    AVATAR = "avatar"
    POST_IMAGE = "post_image"
    CV = "cv"
    COMPANY_LOGO = "company_logo"

    @property
    def label(self) -> str:
        """What the file is, for a page: "CV", "Company logo"."""
        return PURPOSE_LABELS[self]


PURPOSE_LABELS: dict[UploadPurpose, str] = {
    UploadPurpose.AVATAR: "Profile photo",
    UploadPurpose.POST_IMAGE: "Post picture",
    UploadPurpose.CV: "CV",
    UploadPurpose.COMPANY_LOGO: "Company logo",
}


class ScanStatus(StrEnum):
    """What the virus scanner (uploads/scanning.py) made of the file."""

    UNSCANNED = "unscanned"  # stored while no scanner was configured
    PENDING = "pending"  # clamd could not be reached: only its owner and staff see it until a scan passes
    CLEAN = "clean"
    QUARANTINED = "quarantined"  # a later scan found a signature: only staff see it


class Upload(IdMixin, Base):
    __tablename__ = "uploads"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[UploadPurpose] = mapped_column(str_enum(UploadPurpose))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(255), default=None)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    scan_status: Mapped[ScanStatus] = mapped_column(str_enum(ScanStatus), default=ScanStatus.UNSCANNED, index=True)
    # clamd's version string (with its signature database's) at the last scan: the re-scan
    # after freshclam brings new signatures looks for uploads scanned with another one.
    scanned_with: Mapped[str | None] = mapped_column(String(200), default=None)
    # The signature a scan found: why it is quarantined, or, once staff released it as a false
    # alarm, the one later scans let pass.
    signature: Mapped[str | None] = mapped_column(String(200), default=None)
    quarantined_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
