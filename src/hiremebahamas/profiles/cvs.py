"""The CV kept on a profile: the one the apply form offers ("use my CV") and that applying
with a new file may replace. Who may read a CV is the uploads' and applications' rule: its
owner, and the teams it was sent to."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import Profile, Upload, UploadPurpose, User
from hiremebahamas.uploads.service import owned_upload


async def check_cv(session: AsyncSession, user: User, upload_id: uuid.UUID) -> uuid.UUID:
    """Only your own upload made as a CV will do."""
    upload = await owned_upload(session, {user.id}, upload_id, UploadPurpose.CV, "cv_upload_id")
    return upload.id


async def profile_cv(session: AsyncSession, user_id: uuid.UUID) -> Upload | None:
    query = select(Upload).join(Profile, Profile.cv_upload_id == Upload.id).where(Profile.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none()
