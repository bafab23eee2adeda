"""JSON API: POST /api/uploads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request, status
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from hiremebahamas.accounts.deps import CurrentAuth
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import BadRequest, ValidationFailed
from hiremebahamas.models import Upload, UploadPurpose
from hiremebahamas.uploads import service
from hiremebahamas.uploads.forms import count_upload
from hiremebahamas.uploads.multipart import FILE_FIELD, UploadForm, read_upload_file, read_upload_form
from hiremebahamas.uploads.schemas import UploadOut
from hiremebahamas.web.deps import AppRuntime, DbSession, get_runtime, request_ip

router = APIRouter(prefix="/uploads", tags=["uploads"])

_PURPOSES = ", ".join(purpose.value for purpose in UploadPurpose)
_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FILE_FIELD, "purpose"],
                "properties": {
                    FILE_FIELD: {"type": "string", "format": "binary"},
                    "purpose": {"type": "string", "enum": [purpose.value for purpose in UploadPurpose]},
                },
            }
        }
    },
}


async def limit_uploads(request: Request, auth: CurrentAuth) -> None:
    """RATE_LIMIT_UPLOAD per user and per IP: decoding pictures is the costliest thing a client
    can ask of us, and one person with many accounts still has one address."""
    await count_upload(get_runtime(request), auth.user, request_ip(request))


def upload_out(settings: Settings, upload: Upload) -> UploadOut:
    thumbnail_url = None
    if upload.thumbnail_key is not None:
        thumbnail_url = service.absolute_upload_url(settings, upload, service.Variant.THUMB)
    return UploadOut(
        id=upload.id,
        purpose=upload.purpose,
        url=service.absolute_upload_url(settings, upload),
        content_type=upload.content_type,
        size=upload.size,
        thumbnail_url=thumbnail_url,
        width=upload.width,
        height=upload.height,
    )


class _FormAlreadyParsed(Exception):
    pass


async def _body(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect as exc:
        raise BadRequest("The upload was interrupted.") from exc
    except RuntimeError as exc:  # "Stream consumed": the CSRF check read the form already
        raise _FormAlreadyParsed() from exc


async def _read_form(request: Request, settings: Settings) -> UploadForm:
    too_large = service.too_large(settings)
    try:
        return await read_upload_form(
            request.headers, _body(request), max_file_bytes=settings.upload_max_bytes, too_large=too_large
        )
    except _FormAlreadyParsed:
        # A cookie-authenticated page form that sent its CSRF token as a field: the form was
        # parsed (and spooled) by that check; read its file in bounded chunks all the same.
        form = await request.form()
        file = form.get(FILE_FIELD)
        purpose = form.get("purpose")
        parsed = UploadForm(fields={"purpose": purpose} if isinstance(purpose, str) else {})
        if isinstance(file, UploadFile):
            parsed.file = await read_upload_file(file, max_file_bytes=settings.upload_max_bytes, too_large=too_large)
            parsed.filename = file.filename or ""
        return parsed


def _upload_in(form: UploadForm) -> service.UploadIn:
    problems: dict[str, str] = {}
    purpose: UploadPurpose | None = None
    try:
        purpose = UploadPurpose(form.fields.get("purpose", ""))
    except ValueError:
        problems["purpose"] = f"Choose what the file is for: one of {_PURPOSES}."
    if form.file is None:
        problems[FILE_FIELD] = "Choose a file to upload."
    if problems or purpose is None or form.file is None:
        raise ValidationFailed(next(iter(problems.values())), fields=problems)
    return service.UploadIn(purpose=purpose, data=form.file, filename=form.filename)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(limit_uploads)],
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        413: {"description": "`payload_too_large`: over UPLOAD_MAX_BYTES"},
        422: {"description": "`validation_error`: `fields.file` or `fields.purpose` says why (a virus found, too)"},
        429: {"description": "`rate_limited`: RATE_LIMIT_UPLOAD per user or per IP"},
        503: {
            "description": "`storage_unavailable`, or `scanner_unavailable` (with `Retry-After`) when the virus "
            "scanner cannot be reached for a file that waits for no scan: nothing was stored"
        },
    },
    summary="Upload a picture or a CV",
    description=(
        "Multipart `file` and `purpose` (avatar, post_image, company_logo: JPEG, PNG or WebP up to 40 "
        "megapixels; cv: PDF or .docx). Files are checked by their content, pictures re-encoded without "
        "metadata. With CLAMAV_URL set, every file is scanned for viruses first. 413 `payload_too_large` over "
        "UPLOAD_MAX_BYTES (5 MB), 422 `validation_error` for a file of the wrong kind or with a virus in it, "
        "503 `storage_unavailable` when storage cannot be reached, `scanner_unavailable` when the virus "
        "scanner cannot be reached for a CV."
    ),
)
async def create_upload(request: Request, auth: CurrentAuth, db: DbSession, runtime: AppRuntime) -> UploadOut:
    settings = runtime.settings
    new = _upload_in(await _read_form(request, settings))
    upload = await service.create_upload(db, runtime.storage, settings, auth.user, new)
    return upload_out(settings, upload)
