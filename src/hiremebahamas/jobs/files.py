"""The files the marketplace uses — company logos and CVs — through the uploads service.

The bytes and who may read them belong to the uploads domain; here we check that an upload
someone names is of the right kind and theirs (or their team's, for a logo), find "the CV on
file", and say where a file is served from.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.models import Upload, UploadPurpose
from hiremebahamas.uploads.service import Variant
from hiremebahamas.uploads.service import upload_url as media_url


def upload_url(upload_id: uuid.UUID | None) -> str | None:
    """Where the file is served (`/media/<id>/original`); access is checked there."""
    return media_url(upload_id) if upload_id is not None else None


def logo_url(upload_id: uuid.UUID | None) -> str | None:
    """A company logo at list and page size (its 256-pixel thumbnail)."""
    return media_url(upload_id, Variant.THUMB) if upload_id is not None else None


async def owned_upload(
    session: AsyncSession,
    upload_id: uuid.UUID,
    purpose: UploadPurpose,
    owner_ids: Collection[uuid.UUID],
    field: str,
) -> Upload:
    """The upload `upload_id`, when it has `purpose` and one of `owner_ids` uploaded it (a
    company logo may be any team member's). A missing upload and someone else's read the same."""
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.owner_id not in owner_ids:
        message = "That file was not found among your uploads."
        raise ValidationFailed(message, fields={field: message})
    if upload.purpose != purpose:
        kind, wanted = upload.purpose.value.replace("_", " "), purpose.value.replace("_", " ")
        message = f"That file was uploaded as {kind}, not as {wanted}."
        raise ValidationFailed(message, fields={field: message})
    return upload


async def latest_cv(session: AsyncSession, user_id: uuid.UUID) -> Upload | None:
    """The CV someone uploaded most recently: "the CV on file" the apply form offers."""
    query = (
        select(Upload)
        .where(Upload.owner_id == user_id, Upload.purpose == UploadPurpose.CV)
        .order_by(Upload.created_at.desc(), Upload.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
