"""Uploads from page forms (the post composer, the profile picture form): the same checks and
limits as POST /api/uploads, for a file FastAPI has already parsed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Upload, UploadPurpose, User
from hiremebahamas.uploads import service
from hiremebahamas.uploads.multipart import read_upload_file


async def count_upload(runtime: Runtime, user: User, ip: str) -> None:
    """One upload against RATE_LIMIT_UPLOAD, per user and per IP; RateLimited (429) when over."""
    await runtime.limiter.hit(LimitScope.UPLOAD, "user", str(user.id))
    await runtime.limiter.hit(LimitScope.UPLOAD, "ip", ip)


def file_chosen(file: UploadFile | str | None) -> bool:
    """Browsers send an empty, nameless part for a file input left empty."""
    return isinstance(file, UploadFile) and bool(file.filename)


async def upload_from_form(
    session: AsyncSession,
    runtime: Runtime,
    owner: User,
    purpose: UploadPurpose,
    file: UploadFile | str | None,
    *,
    field: str,
    ip: str,
) -> Upload | None:
    """Store the form's file as an upload of `owner`; None when no file was chosen.

    Validation errors name `field` (the form's input), so the page can show them beside it.
    """
    if not file_chosen(file):
        return None
    assert isinstance(file, UploadFile)
    await count_upload(runtime, owner, ip)
    settings = runtime.settings
    data = await read_upload_file(file, max_file_bytes=settings.upload_max_bytes, too_large=service.too_large(settings))
    new = service.UploadIn(purpose=purpose, data=data, filename=file.filename or "")
    try:
        return await service.create_upload(session, runtime.storage, settings, owner, new)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={field: exc.message}) from exc
