"""Where the pictures a post shows are served from (the uploads package owns the URLs)."""

from __future__ import annotations

import uuid

from hiremebahamas.models import Upload
from hiremebahamas.posts.schemas import ImageOut
from hiremebahamas.profiles.avatars import avatar_url as profile_avatar_url
from hiremebahamas.uploads.service import Variant, upload_url


def avatar_url(upload_id: uuid.UUID | None) -> str | None:
    return profile_avatar_url(upload_id)


def image_out(upload: Upload | None) -> ImageOut | None:
    if upload is None:
        return None
    thumbnail = Variant.THUMB if upload.thumbnail_key else Variant.ORIGINAL
    return ImageOut(url=upload_url(upload), thumbnail_url=upload_url(upload, thumbnail))
