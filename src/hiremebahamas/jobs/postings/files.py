"""The files the marketplace uses — company logos and CVs — through the uploads service.

The bytes, who may read them and whether an upload someone names is theirs belong to the
uploads domain; here we find "the CV on file" and say where a file is served from.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import Upload, UploadPurpose
from hiremebahamas.uploads.service import Variant
from hiremebahamas.uploads.service import upload_url as media_url


def upload_url(upload_id: uuid.UUID | None) -> str | None:
    """Where the file is served (`/media/<id>/original`); access is checked there."""
    return media_url(upload_id) if upload_id is not None else None


def logo_url(upload_id: uuid.UUID | None) -> str | None:
    """A company logo at list and page size (its 256-pixel thumbnail)."""
    return media_url(upload_id, Variant.THUMB) if upload_id is not None else None


async def latest_cv(session: AsyncSession, user_id: uuid.UUID) -> Upload | None:
    """The CV someone uploaded most recently: "the CV on file" the apply form offers."""
    query = (
        select(Upload)
        .where(Upload.owner_id == user_id, Upload.purpose == UploadPurpose.CV)
        .order_by(Upload.created_at.desc(), Upload.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
