"""Quarantined uploads: files a re-scan found a virus signature in (uploads/rescan.py), hidden
from everyone but staff. Staff look at each and release it (a false alarm: that signature no
longer holds it back) or delete it (file and record); both go in the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast as cast_column

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hiremebahamas.core import audit
from hiremebahamas.core.errors import Conflict, NotFound
from hiremebahamas.core.pagination import Position, newest_first_after, next_cursor
from hiremebahamas.core.storage import Storage
from hiremebahamas.models import ScanStatus, Upload, User


async def quarantined_uploads(
    session: AsyncSession, position: Position | None, limit: int
) -> tuple[list[tuple[Upload, User]], str | None]:
    """Quarantined uploads with their owners, most recently quarantined first, and the next
    page's cursor."""
    query = (
        select(Upload, User).join(User, User.id == Upload.owner_id).where(Upload.scan_status == ScanStatus.QUARANTINED)
    )
    at = cast_column(InstrumentedAttribute[datetime], Upload.quarantined_at)  # set on every quarantined row
    if (after := newest_first_after(at, Upload.id, position)) is not None:
        query = query.where(after)
    query = query.order_by(Upload.quarantined_at.desc(), Upload.id.desc()).limit(limit + 1)
    found = [(upload, owner) for upload, owner in await session.execute(query)]
    return found[:limit], next_cursor([upload for upload, _ in found], limit, at="quarantined_at")


async def _quarantined(session: AsyncSession, upload_id: uuid.UUID) -> Upload:
    upload = await session.get(Upload, upload_id)
    if upload is None:
        raise NotFound("There is no such upload.")
    if upload.scan_status is not ScanStatus.QUARANTINED:
        raise Conflict("This upload is not quarantined.")
    return upload


def _state(upload: Upload) -> dict[str, str | None]:
    return {"scan_status": upload.scan_status.value, "signature": upload.signature}


async def release_upload(session: AsyncSession, actor: User, upload_id: uuid.UUID, reason: str) -> tuple[Upload, User]:
    """A false alarm: the file is readable again as before, and later scans let the same
    signature pass (another one quarantines it again). Returns it with its owner."""
    upload = await _quarantined(session, upload_id)
    before = _state(upload)
    upload.scan_status, upload.quarantined_at = ScanStatus.CLEAN, None
    after = _state(upload)
    audit.record(session, actor, "upload.release", "upload", upload.id, reason=reason, before=before, after=after)
    await session.flush()
    owner = await session.get(User, upload.owner_id)
    assert owner is not None  # uploads go with their owner (ON DELETE CASCADE)
    return upload, owner


async def delete_upload(
    session: AsyncSession, storage: Storage, actor: User, upload_id: uuid.UUID, reason: str
) -> uuid.UUID:
    """Delete the file and its record (what used it loses it: the foreign keys set NULL). The
    files go first: a record whose file is gone is better than a file nothing records."""
    upload = await _quarantined(session, upload_id)
    audit.record(session, actor, "upload.delete", "upload", upload.id, reason=reason, before=_state(upload), after=None)
    for key in (upload.storage_key, upload.thumbnail_key):
        if key:
            await storage.delete(key)
    await session.delete(upload)
    await session.flush()
    return upload_id
