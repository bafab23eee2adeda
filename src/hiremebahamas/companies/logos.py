"""Where a company's logo is served: for the company's pages and for its jobs' cards."""

from __future__ import annotations

import uuid

from hiremebahamas.uploads.service import Variant, upload_url


def logo_url(upload_id: uuid.UUID | None) -> str | None:
    """A company logo at list and page size (its 256-pixel thumbnail)."""
    return upload_url(upload_id, Variant.THUMB)
