"""Virus scanning of uploads with clamd (core/clamd.py), when CLAMAV_URL is set.

- At upload, the bytes as sent are scanned before anything is decoded or stored. A signature
  found: 422, nothing stored, a log line and `hmb_uploads_infected_total`.
- clamd unreachable (or timing out): CLAMAV_UNAVAILABLE_DOCUMENTS / _PICTURES decide. "refuse"
  answers 503 `scanner_unavailable`; "hold" stores the file as `pending`, which only its owner
  and staff may read until a scan passes (the scan is queued, and the periodic re-scan retries).
- Stored files are scanned again whenever clamd's version string (which names its signature
  database) is not the one they were last scanned with (`rescan.py`); one found infected then
  is quarantined: only staff may read it, and they release or delete it (staff area).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from hiremebahamas.config import Settings
from hiremebahamas.core import metrics
from hiremebahamas.core.clamd import ClamdUnavailable, create_clamd
from hiremebahamas.core.errors import ScannerUnavailable, ValidationFailed
from hiremebahamas.models import ScanStatus, Upload, UploadPurpose
from hiremebahamas.models.base import utcnow

logger = logging.getLogger(__name__)

DOCUMENT_PURPOSES = frozenset({UploadPurpose.CV})


@dataclass(frozen=True)
class Scan:
    status: ScanStatus
    scanned_with: str | None = None


def infected(signature: str) -> ValidationFailed:
    message = f"This file was not saved: our virus scanner found {signature} in it."
    return ValidationFailed(message, fields={"file": message})


def _policy(settings: Settings, purpose: UploadPurpose) -> str:
    if purpose in DOCUMENT_PURPOSES:
        return settings.clamav_unavailable_documents
    return settings.clamav_unavailable_pictures


async def scan_new_upload(settings: Settings, owner_id: uuid.UUID, purpose: UploadPurpose, data: bytes) -> Scan:
    """Scan a file about to be stored: its status to store it with. Raises ValidationFailed when
    it is infected, ScannerUnavailable when clamd is down and `purpose` must not wait."""
    scanner = create_clamd(settings)
    if scanner is None:
        return Scan(ScanStatus.UNSCANNED)
    try:
        # Asked first: should the signatures change in between, the file counts as scanned
        # with the older ones and the re-scan covers it again.
        version = await scanner.version()
        found = await scanner.scan(data)
    except ClamdUnavailable as exc:
        outcome = "refused" if _policy(settings, purpose) == "refuse" else "held"
        metrics.SCANNER_UNAVAILABLE.labels(purpose=purpose.value, outcome=outcome).inc()
        logger.warning(
            "virus scanner unavailable", extra={"purpose": purpose.value, "outcome": outcome, "error": str(exc)}
        )
        if outcome == "refused":
            raise ScannerUnavailable() from exc
        return Scan(ScanStatus.PENDING)
    if found is not None:
        metrics.UPLOADS_INFECTED.labels(purpose=purpose.value, stage="upload").inc()
        logger.warning(
            "infected upload refused",
            extra={"owner_id": str(owner_id), "purpose": purpose.value, "size": len(data), "signature": found},
        )
        raise infected(found)
    return Scan(ScanStatus.CLEAN, version)


def record_verdict(upload: Upload, found: str | None, version: str) -> bool:
    """Apply a later scan's result to a stored upload; True when it was quarantined now. A
    signature staff released for this file lets it pass; another one quarantines it again."""
    upload.scanned_with = version
    if found is None:
        if upload.scan_status is not ScanStatus.QUARANTINED:
            upload.scan_status = ScanStatus.CLEAN
        return False
    if upload.scan_status is ScanStatus.CLEAN and upload.signature == found:
        return False
    upload.scan_status = ScanStatus.QUARANTINED
    upload.signature = found
    upload.quarantined_at = utcnow()
    metrics.UPLOADS_INFECTED.labels(purpose=upload.purpose.value, stage="rescan").inc()
    logger.warning(
        "stored upload quarantined",
        extra={
            "upload_id": str(upload.id),
            "owner_id": str(upload.owner_id),
            "purpose": upload.purpose.value,
            "signature": found,
        },
    )
    return True
