"""Profile pictures: who may see them and where they are served from. Storing one sent by the
edit page is the page's part (profiles/views.py): only it handles the form's file."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import Profile, ProfileVisibility, Upload, UploadPurpose, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles.cache import forget_after_commit
from hiremebahamas.social import graph
from hiremebahamas.uploads.service import Reach, Variant, owned_upload, register_picture_rule, upload_url


def avatar_url(upload_id: uuid.UUID | None) -> str | None:
    """The square thumbnail (256 px): enough for every size a page shows an avatar at.
    Needs only the id, so lists never load upload rows."""
    if upload_id is None:
        return None
    return upload_url(upload_id, Variant.THUMB)


@register_picture_rule(UploadPurpose.AVATAR)
async def avatar_reach(session: AsyncSession, viewer: User | None, upload: Upload) -> Reach | None:
    """A profile picture goes as far as its owner's profile: to anyone while it is public, to
    signed-in members while it is members-only, and never across a block, either way (the owner
    and admins are let in by the uploads rule). Decided by the owner, not by the picture being
    the current one, so an earlier picture whose URL was handed around is as hidden."""
    if viewer is not None and await graph.is_blocked_between(session, viewer.id, upload.owner_id):
        return None
    query = select(Profile.visibility).where(Profile.user_id == upload.owner_id)
    # No profile row yet: the defaults, which are public.
    visibility = (await session.execute(query)).scalar_one_or_none() or ProfileVisibility.PUBLIC
    if visibility == ProfileVisibility.PUBLIC:
        return Reach.PUBLIC_FOR_NOW
    return None if viewer is None else Reach.RESTRICTED


async def check_avatar(session: AsyncSession, user: User, upload_id: uuid.UUID) -> uuid.UUID:
    """Only your own upload made as a profile picture (re-encoded, EXIF stripped) will do."""
    upload = await owned_upload(session, {user.id}, upload_id, UploadPurpose.AVATAR, "avatar_upload_id")
    return upload.id


async def set_avatar(session: AsyncSession, user: User, profile: Profile, upload: Upload) -> None:
    """Make a stored upload the user's current profile picture."""
    profile.avatar_upload_id = upload.id
    profile.updated_at = utcnow()
    await session.flush()
    forget_after_commit(session, user.username)
