"""GET /media/<upload id>/<variant>: the one door through which stored files reach browsers.

Access is checked here on every request. Then the S3 back end answers with a redirect to a
short-lived presigned URL (the bytes never pass through the app), and the local back end
streams the file itself.

What caches may keep follows the file's reach (`service.Reach`): a logo or post image, a year;
a public profile's picture, only as long as the public pages it is shown on, so that caches
stop serving it soon after the profile turns members-only; a restricted picture, only the
viewer's browser, which must ask again (and be checked again) before each use; a CV, nothing.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts.deps import OptionalAuth
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import AppError, NotFound, Unauthenticated
from hiremebahamas.core.http_cache import etag_matches, own_cache_control, shared_cache_control
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Upload, User
from hiremebahamas.uploads import service
from hiremebahamas.uploads.service import Reach, Variant
from hiremebahamas.web.deps import AppRuntime, DbSession
from hiremebahamas.web.rendering import render

router = APIRouter(tags=["media"])

# Files are data, never documents of our site: nothing in them may run or load anything.
_MEDIA_CSP = "default-src 'none'; sandbox"
# Chromium's PDF viewer refuses a sandboxed document, so a PDF opened in the browser gets the
# same lock-down without the sandbox: it may load nothing, run nothing, and embed only itself.
_INLINE_PDF_CSP = "default-src 'none'; object-src 'self'"
# Kept by the viewer's browser only, and revalidated before each use: the check runs every
# time, but the bytes of an unchanged picture (avatars fill every list) are not sent again.
_RESTRICTED_PICTURE_CACHE_CONTROL = "private, no-cache"


def _parse(upload_id: str, variant: str) -> tuple[uuid.UUID, Variant]:
    try:
        return uuid.UUID(upload_id), Variant(variant)
    except ValueError as exc:
        raise NotFound() from exc


def _cache_control(settings: Settings, upload: Upload, reach: Reach) -> str:
    if reach is Reach.PUBLIC:
        # An upload's bytes never change under its id: browsers and CDNs may keep them.
        return service.PUBLIC_CACHE_CONTROL
    if reach is Reach.PUBLIC_FOR_NOW:
        return shared_cache_control(settings)
    if upload.purpose in service.IMAGE_PURPOSES:
        return _RESTRICTED_PICTURE_CACHE_CONTROL
    return service.PRIVATE_CACHE_CONTROL


def _redirect_cache_control(settings: Settings, reach: Reach) -> str:
    """The redirect may be reused while the signed URL it points to is still good, and a public
    profile's picture no longer than its pages."""
    ttl = settings.storage_presign_ttl_seconds
    if reach is Reach.PUBLIC:
        return f"public, max-age={ttl // 2}"
    if reach is Reach.PUBLIC_FOR_NOW:
        return f"public, max-age={min(ttl // 2, settings.http_cache_s_maxage)}"
    # A signed link is new on every request, so a kept redirect would save nothing.
    return service.PRIVATE_CACHE_CONTROL


def _disposition(upload: Upload, inline: bool) -> str | None:
    """How a file (not a picture) is handed over: downloaded, or shown by the browser when asked
    (`?inline=1`) and the browser can show it."""
    if upload.purpose in service.IMAGE_PURPOSES:
        return None
    kind = "inline" if inline and upload.content_type in service.VIEWABLE_IN_BROWSER else "attachment"
    return service.attachment_disposition(service.download_name(upload), kind)


def _is_inline(disposition: str | None) -> bool:
    return disposition is not None and disposition.startswith("inline")


def _headers(upload: Upload, cache_control: str, etag: str | None, disposition: str | None) -> dict[str, str]:
    inline = _is_inline(disposition)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": _INLINE_PDF_CSP if inline else _MEDIA_CSP,
        "Cache-Control": cache_control,
    }
    if etag is not None:
        headers["ETag"] = etag
    if disposition is not None:
        headers["Content-Disposition"] = disposition
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
    upload, reach = await service.readable_upload(db, viewer, wanted_id)
    key = service.storage_key(upload, wanted_variant)
    settings = runtime.settings
    cache_control = _cache_control(settings, upload, reach)
    disposition = _disposition(upload, request.query_params.get("inline") == "1")
    direct = await runtime.storage.presigned_url(
        key,
        settings.storage_presign_ttl_seconds,
        cache_control=cache_control,
        # Stored with the object is `attachment`: only opening it in the browser overrides that.
        content_disposition=disposition if _is_inline(disposition) else None,
    )
    if direct is not None:
        headers = {"Cache-Control": _redirect_cache_control(settings, reach)}
        return RedirectResponse(direct, status_code=307, headers=headers)
    # Pictures can be revalidated: a 304 is sent only after the access check above.
    etag = f'"{upload.id}-{wanted_variant.value}"' if upload.purpose in service.IMAGE_PURPOSES else None
    headers = _headers(upload, cache_control, etag, disposition)
    if etag is not None and etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    stored = await runtime.storage.open(key)
    if stored.size is not None:
        headers["Content-Length"] = str(stored.size)
    return StreamingResponse(stored.chunks, media_type=service.content_type(upload, wanted_variant), headers=headers)
