"""Report input and output."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.models import ReportStatus, ReportTarget


class ReportIn(InputModel):
    target_type: ReportTarget
    target_id: uuid.UUID
    reason: Annotated[MultiLine, Field(min_length=1, max_length=1000)]


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    target_type: ReportTarget
    target_id: str
    reason: str
    status: ReportStatus
    created_at: datetime


class ReportEnvelope(BaseModel):
    report: ReportOut
