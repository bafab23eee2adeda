from __future__ import annotations

import uuid

from pydantic import BaseModel

from hiremebahamas.models import UploadPurpose


class UploadOut(BaseModel):
    """A stored file. `url` (and `thumbnail_url` for pictures) go through the app, which checks
    who is asking; they are stable, so pages can keep using them."""

    id: uuid.UUID
    purpose: UploadPurpose
    url: str
    content_type: str
    size: int
    thumbnail_url: str | None = None
    width: int | None = None
    height: int | None = None
