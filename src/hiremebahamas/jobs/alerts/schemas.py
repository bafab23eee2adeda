"""Saved search (job alert) shapes for the JSON API (the alert pages reuse the input)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from hiremebahamas.core.text import InputModel
from hiremebahamas.jobs.search.schemas import JobSearch
from hiremebahamas.models import AlertFrequency


class SavedSearchIn(InputModel):
    query: JobSearch
    frequency: AlertFrequency


class SavedSearchOut(BaseModel):
    id: uuid.UUID
    query: dict[str, Any]
    frequency: AlertFrequency
    description: str
    search_url: str
    created_at: datetime
    last_sent_at: datetime | None


class SavedSearchEnvelope(BaseModel):
    saved_search: SavedSearchOut
