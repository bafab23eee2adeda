"""The ZIP of a person's data ("Download my data" on the account page): asked for, built by the
worker (the JSON document of export.py and every file the person uploaded, both written into a
ZIP on disk as they are read), stored under a private key, and offered through an emailed link
that only its owner, signed in, can use until it expires. Expired ones are deleted by the
periodic run.

The link's token is `<export id>.<expiry>.<signature>`: the signature (HMAC with SECRET_KEY)
covers the id, the expiry and the owner's user id, so a token changed in any part, used after
its time or by anyone signed in as someone else is refused alike (404: nothing says whether
the export exists).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import tempfile
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core import tasks
from hiremebahamas.core.email import defer_email
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.storage import ObjectMeta, Storage
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.models import DataExport, DataExportStatus, ScanStatus, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.privacy import emails
from hiremebahamas.privacy.export import Sessions, archive_name, export_document, uploads_of
from hiremebahamas.privacy.tasks import build_data_export
from hiremebahamas.uploads.service import PRIVATE_CACHE_CONTROL, attachment_disposition

logger = logging.getLogger(__name__)

LINK_GONE = "This download link is not valid or has expired. Ask for a new copy of your data from your account page."
CLEANUP_BATCH = 50
"""Expired exports one periodic run deletes at most; the rest wait for the next run."""


def export_filename(user: User, now: datetime, extension: str) -> str:
    return f"hiremebahamas-{user.username}-{now:%Y-%m-%d}.{extension}"


async def request_archive(
    session: AsyncSession, settings: Settings, user: User, now: datetime | None = None
) -> DataExport:
    """Record the request and have the worker build it once this unit of work commits."""
    now = now or utcnow()
    export = DataExport(user_id=user.id, created_at=now, expires_at=now + timedelta(days=settings.data_export_ttl_days))
    session.add(export)
    await session.flush()
    tasks.defer(session, build_data_export, export_id=str(export.id))
    return export


def _signature(settings: Settings, export_id: uuid.UUID, user_id: uuid.UUID, expires: int) -> str:
    message = f"data-export:{export_id.hex}:{user_id.hex}:{expires}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def download_token(settings: Settings, export: DataExport) -> str:
    expires = int(export.expires_at.timestamp())
    return f"{export.id.hex}.{expires}.{_signature(settings, export.id, export.user_id, expires)}"


def _read_token(settings: Settings, user: User, token: str, now: datetime) -> uuid.UUID:
    raw_id, _, rest = token.partition(".")
    raw_expires, _, signature = rest.partition(".")
    try:
        export_id, expires = uuid.UUID(hex=raw_id), int(raw_expires)
    except ValueError as exc:
        raise NotFound(LINK_GONE) from exc
    if not hmac.compare_digest(signature, _signature(settings, export_id, user.id, expires)):
        raise NotFound(LINK_GONE)
    if expires <= now.timestamp():
        raise NotFound(LINK_GONE)
    return export_id


async def archive_to_download(
    session: AsyncSession, settings: Settings, user: User, token: str, now: datetime | None = None
) -> DataExport:
    """The ready export a link names, for its owner only, until it expires."""
    now = now or utcnow()
    export = await session.get(DataExport, _read_token(settings, user, token, now))
    if export is None or export.user_id != user.id or export.storage_key is None or export.expires_at <= now:
        raise NotFound(LINK_GONE)
    return export


def _storage_key(export: DataExport) -> str:
    return f"exports/{export.user_id.hex}/{export.id.hex}.zip"


async def build_archive(context: TaskContext, storage: Storage, export_id: uuid.UUID) -> None:
    """Build, store and email one export. A second run of a built one does nothing; an export
    erased with its account meanwhile leaves no file behind."""
    sessions = context.database.sessionmaker
    async with sessions() as session:
        found = (await session.execute(
            select(DataExport, User).join(User, User.id == DataExport.user_id).where(DataExport.id == export_id)
        )).first()  # fmt: skip
    if found is None or found[0].status is DataExportStatus.READY:
        return
    export, user = found
    now = utcnow()
    key = _storage_key(export)
    with tempfile.TemporaryDirectory(prefix="hmb-export-") as folder:
        path = Path(folder) / "export.zip"
        await _write_zip(path, sessions, storage, user, now)
        size = path.stat().st_size
        meta = ObjectMeta(
            "application/zip", PRIVATE_CACHE_CONTROL, attachment_disposition(export_filename(user, now, "zip"))
        )
        await storage.put_file(key, path, meta)
    async with tasks.unit_of_work(context) as session:
        export_now = await session.get(DataExport, export_id, with_for_update=True)
        if export_now is None:
            await storage.delete(key)
            return
        export_now.status, export_now.storage_key, export_now.size, export_now.ready_at = (
            DataExportStatus.READY, key, size, now
        )  # fmt: skip
        defer_email(
            session,
            emails.data_export_ready(context.settings, user, export_now, download_token(context.settings, export_now)),
        )
    logger.info("data export built", extra={"export_id": str(export_id), "size": size})


async def _write_zip(path: Path, sessions: Sessions, storage: Storage, user: User, now: datetime) -> None:
    """The document, then each upload's file, written in pieces as they are read; the writes (and
    their compression) run on a worker thread, off the event loop."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entry = await anyio.to_thread.run_sync(_open_entry, archive, export_filename(user, now, "json"))
        with entry:
            async for piece in export_document(sessions, user.id, now):
                await anyio.to_thread.run_sync(entry.write, piece.encode())
        async for rows in uploads_of(sessions, user.id):
            for (upload,) in rows:
                if upload.scan_status is ScanStatus.QUARANTINED:
                    continue  # a virus scan found a signature in it: it is listed, never sent out
                try:
                    stored = await storage.open(upload.storage_key)
                except NotFound:  # a file already gone from storage: the others still go in
                    logger.warning("uploaded file missing from storage", extra={"upload_id": str(upload.id)})
                    continue
                entry = await anyio.to_thread.run_sync(_open_entry, archive, archive_name(upload))
                with entry:
                    async for chunk in stored.chunks:
                        await anyio.to_thread.run_sync(entry.write, chunk)


def _open_entry(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    # The size is not known in advance: ZIP64 headers, so an entry may pass 4 GiB.
    return archive.open(name, "w", force_zip64=True)


async def delete_expired(session: AsyncSession, storage: Storage, now: datetime | None = None) -> int:
    """Delete up to CLEANUP_BATCH expired exports, files first (deleting a missing file is no
    error, so a run cut short is simply done again); how many went."""
    query = select(DataExport).where(DataExport.expires_at <= (now or utcnow()))
    expired = list((await session.execute(query.order_by(DataExport.expires_at).limit(CLEANUP_BATCH))).scalars())
    for export in expired:
        await delete_export(session, storage, export)
    await session.flush()
    return len(expired)


async def delete_export(session: AsyncSession, storage: Storage, export: DataExport) -> None:
    if export.storage_key is not None:
        await storage.delete(export.storage_key)
    await session.delete(export)
