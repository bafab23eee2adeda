"""Profile pictures: where they are served from, and storing one sent by the edit page."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Profile, UploadPurpose, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles.cache import forget_after_commit
from hiremebahamas.uploads.forms import upload_from_form
from hiremebahamas.uploads.service import Variant, owned_upload, upload_url


def avatar_url(upload_id: uuid.UUID | None) -> str | None:
    """The square thumbnail (256 px): enough for every size a page shows an avatar at.
    Needs only the id, so lists never load upload rows."""
    if upload_id is None:
        return None
    return upload_url(upload_id, Variant.THUMB)


async def check_avatar(session: AsyncSession, user: User, upload_id: uuid.UUID) -> uuid.UUID:
    """Only your own upload made as a profile picture (re-encoded, EXIF stripped) will do."""
    upload = await owned_upload(session, user, upload_id, UploadPurpose.AVATAR, "avatar_upload_id")
    return upload.id


async def replace_avatar(
    session: AsyncSession, runtime: Runtime, user: User, profile: Profile, file: UploadFile | str | None, ip: str
) -> None:
    """Store the edit page's file as the user's new profile picture."""
    upload = await upload_from_form(session, runtime, user, UploadPurpose.AVATAR, file, field="avatar", ip=ip)
    if upload is None:
        message = "Choose a picture to upload."
        raise ValidationFailed(message, fields={"avatar": message})
    profile.avatar_upload_id = upload.id
    profile.updated_at = utcnow()
    await session.flush()
    forget_after_commit(session, user.username)
