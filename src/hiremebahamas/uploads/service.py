"""Uploads: check a file by its content, store it, and decide who may read it.

Pictures (avatars, post images, company logos) are re-encoded and get a thumbnail; CVs are
stored as sent. The bytes go to storage first and the `Upload` row is added only once they are
there, so a storage outage leaves no row pointing at nothing.

Every upload is scanned for viruses first when CLAMAV_URL is set (scanning.py); a file held for
a scan, or quarantined by a later one, is readable only by staff (and, while held, its owner).

Pictures never attached to a profile, post, company or application are deleted after a day by
the periodic clean-up (cleanup.py); CVs are kept.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import overload
from urllib.parse import quote

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.errors import NotFound, PayloadTooLarge, Unauthenticated, ValidationFailed
from hiremebahamas.core.storage import ObjectMeta, Storage
from hiremebahamas.core.tasks import defer
from hiremebahamas.models import ScanStatus, Upload, UploadPurpose, User
from hiremebahamas.models.base import new_id
from hiremebahamas.uploads import documents, images, scanning
from hiremebahamas.uploads.tasks import scan_held_upload

logger = logging.getLogger(__name__)

# Longest side of the stored picture, and of its thumbnail.
_MAX_EDGE = {UploadPurpose.AVATAR: 1024, UploadPurpose.COMPANY_LOGO: 1024, UploadPurpose.POST_IMAGE: 2048}
_THUMBNAIL_EDGE = {UploadPurpose.AVATAR: 256, UploadPurpose.COMPANY_LOGO: 256, UploadPurpose.POST_IMAGE: 640}
IMAGE_PURPOSES = frozenset(_MAX_EDGE)
# Readable by anyone, for good. Post images too: posts are shown to signed-in members only, but
# a feed full of pictures that browsers and CDNs may not keep would be slow on every visit, and
# a member who sees a post can keep its picture anyway. Avatars are not here: they go as far as
# their owner's profile, which the profiles domain decides (`register_picture_rule`).
PUBLIC_PURPOSES = frozenset({UploadPurpose.COMPANY_LOGO, UploadPurpose.POST_IMAGE})
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE_CACHE_CONTROL = "private, no-store"
# Kept from everyone but staff (and, while pending, the owner) whatever the purpose.
HELD_STATUSES = frozenset({ScanStatus.PENDING, ScanStatus.QUARANTINED})
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class Variant(StrEnum):
    ORIGINAL = "original"
    THUMB = "thumb"


class Reach(StrEnum):
    """Who may read an upload that one viewer may read: it decides what caches may keep."""

    PUBLIC = "public"  # anyone, for good (company logos, post images)
    PUBLIC_FOR_NOW = "public_for_now"  # anyone, until its owner narrows it (a public profile's avatar)
    RESTRICTED = "restricted"  # some signed-in people only (a members-only profile's avatar, CVs)


@dataclass(frozen=True)
class UploadIn:
    purpose: UploadPurpose
    data: bytes
    filename: str = ""


@dataclass(frozen=True)
class _Checked:
    content_type: str
    extension: str
    data: bytes
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def size_label(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def too_large(settings: Settings) -> PayloadTooLarge:
    return PayloadTooLarge(f"Files can be at most {size_label(settings.upload_max_bytes)}.")


def _rejected(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": message})


@functools.cache
def decode_slots(count: int) -> anyio.CapacityLimiter:
    """The process's bound on pictures decoded at once (UPLOAD_DECODE_SLOTS): concurrent
    uploads beyond it wait their turn instead of all holding their pixels in memory at once."""
    return anyio.CapacityLimiter(count)


def _check_size(settings: Settings, new: UploadIn) -> None:
    if not new.data:
        raise _rejected("The file is empty.")
    if len(new.data) > settings.upload_max_bytes:
        raise too_large(settings)


async def _check_content(settings: Settings, new: UploadIn) -> _Checked:
    if new.purpose in IMAGE_PURPOSES:
        work = functools.partial(
            images.clean_image,
            new.data,
            max_pixels=settings.upload_max_pixels,
            max_edge=_MAX_EDGE[new.purpose],
            thumbnail_edge=_THUMBNAIL_EDGE[new.purpose],
        )
        try:
            # Waiting for a slot happens here on the event loop, holding no thread.
            image = await anyio.to_thread.run_sync(work, limiter=decode_slots(settings.upload_decode_slots))
        except images.ImageRejected as exc:
            raise _rejected(exc.message) from exc
        kind = image.kind
        return _Checked(kind.content_type, kind.extension, image.data, image.width, image.height, image.thumbnail)
    try:
        document = documents.check_document(new.data)
    except documents.DocumentRejected as exc:
        raise _rejected(exc.message) from exc
    return _Checked(document.content_type, document.extension, new.data)


def clean_filename(filename: str) -> str:
    """The name a browser sent, reduced to its last path segment and printable characters."""
    name = re.split(r"[\\/]", filename)[-1]
    name = _CONTROL_CHARACTERS.sub("", unicodedata.normalize("NFC", name)).strip().strip(".")
    return name[-200:]


def download_name(upload: Upload) -> str:
    """`<original name>.<real extension>`: the name says what the content is."""
    extension = _extension_of(upload.storage_key)
    stem = PurePosixPath(upload.original_name).stem if upload.original_name else ""
    return f"{stem or upload.purpose.value}.{extension}"


def attachment_disposition(filename: str, kind: str = "attachment") -> str:
    """`attachment` (or `inline`) with an ASCII fallback name and the exact name for browsers
    that read RFC 5987."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r'["\\;]', "", fallback).strip() or "download"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# Files the browser shows itself when asked to open them (a CV read on the applicants page);
# the others are always downloaded.
VIEWABLE_IN_BROWSER = frozenset({"application/pdf"})


def _extension_of(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _object_meta(upload: Upload) -> ObjectMeta:
    # The stored Cache-Control is only a fallback: /media signs each link with the one its
    # reader gets. The strictest is stored wherever who may read can change.
    if upload.purpose in PUBLIC_PURPOSES:
        return ObjectMeta(upload.content_type, cache_control=PUBLIC_CACHE_CONTROL)
    if upload.purpose in IMAGE_PURPOSES:
        return ObjectMeta(upload.content_type, cache_control=PRIVATE_CACHE_CONTROL)
    return ObjectMeta(
        upload.content_type,
        cache_control=PRIVATE_CACHE_CONTROL,
        content_disposition=attachment_disposition(download_name(upload)),
    )


async def create_upload(
    session: AsyncSession, storage: Storage, settings: Settings, owner: User, new: UploadIn
) -> Upload:
    """Check `new` by its content, store it (and a thumbnail for pictures), record it for `owner`.

    Raises ValidationFailed (wrong kind of file, damaged, too many pixels, a virus),
    PayloadTooLarge, ScannerUnavailable when clamd cannot be reached for a file that must not
    wait for it, or StorageUnavailable when the store cannot be reached (then nothing is recorded).
    """
    _check_size(settings, new)
    # Before decoding: a file made to break an image decoder meets the scanner first.
    scan = await scanning.scan_new_upload(settings, owner.id, new.purpose, new.data)
    checked = await _check_content(settings, new)
    upload_id = new_id()
    prefix = f"{owner.id}/{upload_id}"
    upload = Upload(
        id=upload_id,
        owner_id=owner.id,
        purpose=new.purpose,
        content_type=checked.content_type,
        size=len(checked.data),
        storage_key=f"{prefix}/original.{checked.extension}",
        thumbnail_key=f"{prefix}/thumb.webp" if checked.thumbnail is not None else None,
        width=checked.width,
        height=checked.height,
        original_name=clean_filename(new.filename),
        scan_status=scan.status,
        scanned_with=scan.scanned_with,
    )
    stored: list[str] = []
    try:
        await storage.put(upload.storage_key, checked.data, _object_meta(upload))
        stored.append(upload.storage_key)
        if upload.thumbnail_key is not None and checked.thumbnail is not None:
            meta = ObjectMeta(images.THUMBNAIL_CONTENT_TYPE, cache_control=_object_meta(upload).cache_control)
            await storage.put(upload.thumbnail_key, checked.thumbnail, meta)
            stored.append(upload.thumbnail_key)
        session.add(upload)
        await session.flush()
    except BaseException:
        await _forget(storage, stored)
        raise
    if upload.scan_status is ScanStatus.PENDING:
        defer(session, scan_held_upload, upload_id=str(upload.id))
    return upload


async def _forget(storage: Storage, keys: list[str]) -> None:
    """Best effort: remove what an upload that failed half-way had stored."""
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:
            logger.warning("could not remove an orphaned object", extra={"key": key}, exc_info=True)


# --- who may read an upload -------------------------------------------------------------------

ReadGrantor = Callable[[AsyncSession, User, Upload], Awaitable[bool]]
_READ_GRANTORS: list[ReadGrantor] = []
PictureRule = Callable[[AsyncSession, User | None, Upload], Awaitable[Reach | None]]
_PICTURE_RULES: dict[UploadPurpose, PictureRule] = {}


def register_read_grantor(grantor: ReadGrantor) -> ReadGrantor:
    """Let another domain open private uploads (CVs) to people besides their owner and admins.

    A grantor answers "may `viewer` read `upload`?" and is asked only when the owner/admin rule
    said no. For example, in the jobs domain, next to the query it needs:

        from hiremebahamas.uploads.service import register_read_grantor

        @register_read_grantor
        async def can_read_cv(session, viewer, upload) -> bool:
            ...  # viewer is on the team of a company this CV was sent to

    Registration happens when that module is imported (the app imports every domain); a grantor
    that is never imported grants nothing, so the rule fails closed.
    """
    if grantor not in _READ_GRANTORS:
        _READ_GRANTORS.append(grantor)
    return grantor


def register_picture_rule(purpose: UploadPurpose) -> Callable[[PictureRule], PictureRule]:
    """Let the domain that shows pictures of `purpose` decide who sees them, as it decides who
    sees what they are shown with (profiles: avatars go as far as their owner's profile).

    The rule answers how far `upload` reaches when `viewer` (None: an anonymous visitor) is
    within it, or None when they are not; then only the owner and admins may read it. As with
    grantors, a rule that is never imported opens nothing: such pictures stay with their owner.
    """

    def register(rule: PictureRule) -> PictureRule:
        _PICTURE_RULES[purpose] = rule
        return rule

    return register


def _held_from(viewer: User | None, upload: Upload) -> Reach | None:
    """A file waiting for its scan reaches its owner and staff; a quarantined one staff only;
    None for others (and for files not held)."""
    if viewer is not None and viewer.is_staff:
        return Reach.RESTRICTED
    if upload.scan_status is ScanStatus.PENDING and viewer is not None and viewer.id == upload.owner_id:
        return Reach.RESTRICTED
    return None


async def reach_of(session: AsyncSession, viewer: User | None, upload: Upload) -> Reach | None:
    """How far `upload` reaches, if `viewer` may read it; None when they may not."""
    if upload.scan_status in HELD_STATUSES:
        return _held_from(viewer, upload)
    if upload.purpose in PUBLIC_PURPOSES:
        return Reach.PUBLIC
    rule = _PICTURE_RULES.get(upload.purpose)
    if rule is not None and (reach := await rule(session, viewer, upload)) is not None:
        return reach
    if viewer is None:
        return None
    if viewer.id == upload.owner_id or viewer.is_staff:
        return Reach.RESTRICTED
    for grantor in _READ_GRANTORS:
        if await grantor(session, viewer, upload):
            return Reach.RESTRICTED
    return None


async def readable_upload(session: AsyncSession, viewer: User | None, upload_id: uuid.UUID) -> tuple[Upload, Reach]:
    """The upload and how far it reaches, if `viewer` may read it. Someone who may not gets "not
    found", as if it did not exist; an anonymous visitor is asked to log in first for a file,
    but not for a picture: it is fetched by an <img>, where a login page helps nobody and would
    tell that the hidden picture exists."""
    upload = await session.get(Upload, upload_id)
    if upload is None:
        raise NotFound()
    reach = await reach_of(session, viewer, upload)
    if reach is None:
        if viewer is None and upload.purpose not in IMAGE_PURPOSES:
            raise Unauthenticated("Please log in to open this file.")
        raise NotFound()
    return upload, reach


def storage_key(upload: Upload, variant: Variant) -> str:
    if variant is Variant.THUMB:
        if upload.thumbnail_key is None:
            raise NotFound("This file has no thumbnail.")
        return upload.thumbnail_key
    return upload.storage_key


def content_type(upload: Upload, variant: Variant) -> str:
    return images.THUMBNAIL_CONTENT_TYPE if variant is Variant.THUMB else upload.content_type


async def owned_upload(
    session: AsyncSession, owner_ids: Collection[uuid.UUID], upload_id: uuid.UUID, purpose: UploadPurpose, field: str
) -> Upload:
    """For attaching an upload to something its maker makes: one of `owner_ids` (a company
    logo may be any team member's) must have uploaded it, as `purpose`. A missing upload and
    someone else's get the same answer: 404, as for any id that names nothing of yours."""
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.owner_id not in owner_ids or upload.scan_status is ScanStatus.QUARANTINED:
        message = "That file was not found among your uploads."
        raise NotFound(message, fields={field: message})
    if upload.purpose != purpose:
        kind, wanted = upload.purpose.value.replace("_", " "), purpose.value.replace("_", " ")
        message = f"That file was uploaded as {kind}, not as {wanted}."
        raise ValidationFailed(message, fields={field: message})
    return upload


# --- where an upload is served ----------------------------------------------------------------


@overload
def upload_url(upload: Upload | uuid.UUID, variant: Variant = Variant.ORIGINAL) -> str: ...
@overload
def upload_url(upload: None, variant: Variant = Variant.ORIGINAL) -> None: ...
def upload_url(upload: Upload | uuid.UUID | None, variant: Variant = Variant.ORIGINAL) -> str | None:
    """The app path that serves an upload (`/media/<id>/<variant>`), for `<img src>` and links.

    Needs only the id, so a page can render an avatar from `Profile.avatar_upload_id` without
    loading the upload. Pictures always have a `thumb` variant; CVs only `original`.
    """
    if upload is None:
        return None
    upload_id = upload.id if isinstance(upload, Upload) else upload
    return f"/media/{upload_id}/{variant.value}"


def absolute_upload_url(settings: Settings, upload: Upload | uuid.UUID, variant: Variant = Variant.ORIGINAL) -> str:
    """The same, with the site's address in front: for API clients and emails."""
    return settings.base_url.rstrip("/") + upload_url(upload, variant)
