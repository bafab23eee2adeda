"""Scanning stored uploads again (scanning.py says when and why).

- A file held while clamd was down (`pending`) is scanned by a task queued at upload, and by
  every periodic run until a scan passes.
- When clamd's version string (its signature database's) is one no complete pass has used
  yet, the periodic run scans every stored upload last scanned with another one, in keyset
  batches by id: read a batch, scan it with no transaction open (a scan is a network call per
  file), then write the batch's verdicts on freshly read rows (so a release by staff in the
  meantime is not undone). A pass cut short (clamd gone, a restart) goes on where it stopped:
  what it scanned carries the new version. The finished pass is recorded in `scheduled_runs`,
  so later runs with the same signatures only look at held files.
- A file found infected is quarantined (scanning.record_verdict).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.clamd import Clamd, ClamdUnavailable, create_clamd
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.core.storage import Storage, create_storage
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.models import ScanStatus, ScheduledRun, Upload
from hiremebahamas.uploads import scanning

logger = logging.getLogger(__name__)

BATCH = 100
RUN_NAME = "upload_rescan"

Verdicts = dict[uuid.UUID, str | None]


def _pass_period(version: str) -> str:
    """The `scheduled_runs` period of a pass with these signatures (a version string is longer
    than the column)."""
    return hashlib.sha256(version.encode()).hexdigest()[:30]


def _not_scanned_with(version: str) -> ColumnElement[bool]:
    return (Upload.scan_status != ScanStatus.QUARANTINED) & or_(
        Upload.scanned_with.is_(None), Upload.scanned_with != version
    )


async def _scan_files(storage: Storage, scanner: Clamd, uploads: Sequence[tuple[uuid.UUID, str]]) -> Verdicts:
    """The signature each file matches (None: none). Stops at the first file clamd cannot scan,
    returning what it has: the rest wait for the next run."""
    verdicts: Verdicts = {}
    for upload_id, key in uploads:
        try:
            stored = await storage.open(key)
        except NotFound:
            logger.warning("uploaded file missing from storage", extra={"upload_id": str(upload_id)})
            verdicts[upload_id] = None
            continue
        try:
            verdicts[upload_id] = await scanner.scan(stored.chunks)
        except ClamdUnavailable:
            logger.warning("virus scanner unavailable; re-scan stopped", exc_info=True)
            break
    return verdicts


async def _record(session: AsyncSession, verdicts: Verdicts, version: str) -> int:
    if not verdicts:
        return 0
    rows = (await session.execute(select(Upload).where(Upload.id.in_(verdicts)))).scalars()
    quarantined = sum(scanning.record_verdict(upload, verdicts[upload.id], version) for upload in rows)
    await session.flush()
    return quarantined


async def _scan_batches(
    context: TaskContext, storage: Storage, scanner: Clamd, version: str, condition: ColumnElement[bool]
) -> tuple[int, bool]:
    """Scan every upload matching `condition`; (how many were quarantined, whether all were scanned)."""
    quarantined, after = 0, None
    sessions = context.database.sessionmaker
    while True:
        query = select(Upload.id, Upload.storage_key).where(condition).order_by(Upload.id).limit(BATCH)
        if after is not None:
            query = query.where(Upload.id > after)
        async with sessions() as session:
            batch = [(row.id, row.storage_key) for row in await session.execute(query)]
        verdicts = await _scan_files(storage, scanner, batch)
        async with sessions.begin() as session:
            quarantined += await _record(session, verdicts, version)
        if len(verdicts) < len(batch):
            return quarantined, False
        if len(batch) < BATCH:
            return quarantined, True
        after = batch[-1][0]


async def rescan_uploads(context: TaskContext) -> int:
    """The periodic run: held files, and everything after the signatures changed. Returns how
    many uploads it quarantined."""
    scanner = create_clamd(context.settings)
    if scanner is None:
        return 0
    try:
        version = await scanner.version()
    except ClamdUnavailable:
        logger.warning("virus scanner unavailable; re-scan skipped", exc_info=True)
        return 0
    period = _pass_period(version)
    async with context.database.sessionmaker() as session:
        passed = await session.get(ScheduledRun, (RUN_NAME, period)) is not None
    condition = Upload.scan_status == ScanStatus.PENDING if passed else _not_scanned_with(version)
    storage = create_storage(context.settings)
    try:
        quarantined, complete = await _scan_batches(context, storage, scanner, version, condition)
    finally:
        await storage.close()
    if complete and not passed:
        async with context.database.sessionmaker.begin() as session:
            await insert_ignoring_conflicts(session, ScheduledRun, name=RUN_NAME, period=period)
        logger.info("uploads re-scanned", extra={"signatures": version, "quarantined": quarantined})
    return quarantined


async def scan_held(context: TaskContext, upload_id: uuid.UUID) -> None:
    """Scan one upload held at upload time; raises ClamdUnavailable so a worker tries again."""
    scanner = create_clamd(context.settings)
    if scanner is None:
        return
    version = await scanner.version()
    async with context.database.sessionmaker() as session:
        upload = await session.get(Upload, upload_id)
        if upload is None or upload.scan_status is not ScanStatus.PENDING:
            return
        key = upload.storage_key
    storage = create_storage(context.settings)
    try:
        stored = await storage.open(key)
        found = await scanner.scan(stored.chunks)
    finally:
        await storage.close()
    async with context.database.sessionmaker.begin() as session:
        await _record(session, {upload_id: found}, version)
