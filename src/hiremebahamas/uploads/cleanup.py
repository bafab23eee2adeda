"""Removing uploads nothing uses: a picture uploaded for a post that was never made, an avatar
that was replaced. CVs are kept: the newest one is the applicant's "CV on file"."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import CompoundSelect, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.db import Database
from hiremebahamas.core.storage import Storage, create_storage
from hiremebahamas.models import Company, JobApplication, Post, Profile, Upload, UploadPurpose
from hiremebahamas.models.base import utcnow

logger = logging.getLogger(__name__)

# Long enough for a half-filled form to be sent, short enough that orphans do not pile up.
GRACE = timedelta(hours=24)


def _attached_ids() -> CompoundSelect[tuple[uuid.UUID | None]]:
    return union_all(
        select(Profile.avatar_upload_id).where(Profile.avatar_upload_id.is_not(None)),
        select(Post.image_upload_id).where(Post.image_upload_id.is_not(None)),
        select(Company.logo_upload_id).where(Company.logo_upload_id.is_not(None)),
        select(JobApplication.cv_upload_id).where(JobApplication.cv_upload_id.is_not(None)),
    )


async def delete_unattached_uploads(
    session: AsyncSession, storage: Storage, *, now: datetime | None = None, limit: int = 500
) -> int:
    """Delete up to `limit` pictures older than GRACE that no profile, post or company uses;
    returns how many went. Files go first: a row whose file is gone is worse than the reverse."""
    cutoff = (now or utcnow()) - GRACE
    query = (
        select(Upload)
        .where(Upload.created_at < cutoff, Upload.purpose != UploadPurpose.CV, Upload.id.not_in(_attached_ids()))
        .order_by(Upload.created_at)
        .limit(limit)
    )
    orphans = list((await session.execute(query)).scalars())
    for upload in orphans:
        for key in (upload.storage_key, upload.thumbnail_key):
            if key:
                await storage.delete(key)
        await session.delete(upload)
    await session.flush()
    if orphans:
        logger.info("deleted unattached uploads", extra={"count": len(orphans)})
    return len(orphans)


async def clean_uploads(settings: Settings, database: Database) -> int:
    """One clean-up run with its own storage client: for the worker's cron and the CLI."""
    storage = create_storage(settings)
    try:
        async with database.sessionmaker.begin() as session:
            return await delete_unattached_uploads(session, storage)
    finally:
        await storage.close()
