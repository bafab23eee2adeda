"""GET /media/<upload id>/<variant>: the one door through which stored files reach browsers.

Access is checked here on every request. Then the S3 back end answers with a redirect to a
short-lived presigned URL (the bytes never pass through the app), and the local back end
streams the file itself.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts.deps import OptionalAuth
from hiremebahamas.core.errors import AppError, NotFound, Unauthenticated
from hiremebahamas.core.http_cache import own_cache_control
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Upload, User
from hiremebahamas.uploads import service
from hiremebahamas.uploads.service import Variant
from hiremebahamas.web.deps import AppRuntime, DbSession
from hiremebahamas.web.rendering import render

router = APIRouter(tags=["media"])

# Files are data, never documents of our site: nothing in them may run or load anything.
_MEDIA_CSP = "default-src 'none'; sandbox"


def _parse(upload_id: str, variant: str) -> tuple[uuid.UUID, Variant]:
    try:
        return uuid.UUID(upload_id), Variant(variant)
    except ValueError as exc:
        raise NotFound() from exc


def _headers(upload: Upload, variant: Variant, etag: str) -> dict[str, str]:
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": _MEDIA_CSP}
    if upload.purpose in service.PUBLIC_PURPOSES:
        # An upload's bytes never change under its id: browsers and CDNs may keep them.
        headers["Cache-Control"] = service.PUBLIC_CACHE_CONTROL
        headers["ETag"] = etag
    else:
        headers["Cache-Control"] = service.PRIVATE_CACHE_CONTROL
        headers["Content-Disposition"] = service.attachment_disposition(service.download_name(upload))
    return headers


@router.get("/media/{upload_id}/{variant}", include_in_schema=False)
@own_cache_control
async def media(
    upload_id: str, variant: str, request: Request, auth: OptionalAuth, db: DbSession, runtime: AppRuntime
) -> Response:
    try:
        return await _serve(request, runtime, db, auth.user if auth else None, upload_id, variant)
    except Unauthenticated:
        raise  # the shared handler sends the visitor to the login page and back
    except AppError as error:
        # Answered here rather than raised: nothing was written, and an escaping error would
        # roll back the unit of work, expiring the signed-in user the error page shows.
        context = {"status": error.status_code, "message": error.message, "code": error.code}
        return render(request, "errors/error.html", context, status_code=error.status_code)


async def _serve(
    request: Request, runtime: Runtime, db: AsyncSession, viewer: User | None, upload_id: str, variant: str
) -> Response:
    wanted_id, wanted_variant = _parse(upload_id, variant)
    upload = await service.readable_upload(db, viewer, wanted_id)
    key = service.storage_key(upload, wanted_variant)
    public = upload.purpose in service.PUBLIC_PURPOSES
    ttl = runtime.settings.storage_presign_ttl_seconds
    direct = await runtime.storage.presigned_url(key, ttl)
    if direct is not None:
        # The redirect may be reused while the signed URL it points to is still good.
        cache = f"public, max-age={ttl // 2}" if public else service.PRIVATE_CACHE_CONTROL
        return RedirectResponse(direct, status_code=307, headers={"Cache-Control": cache})
    etag = f'"{upload.id}-{wanted_variant.value}"'
    headers = _headers(upload, wanted_variant, etag)
    if public and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    stored = await runtime.storage.open(key)
    if stored.size is not None:
        headers["Content-Length"] = str(stored.size)
    return StreamingResponse(stored.chunks, media_type=service.content_type(upload, wanted_variant), headers=headers)
