"""Application shapes for the JSON API (the application pages reuse the input)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.jobs.postings.schemas import CompanyBrief
from hiremebahamas.models import ApplicationStatus, JobStatus


class ApplicationIn(InputModel):
    cover_letter: Annotated[MultiLine, Field(max_length=5000)] = ""
    cv_upload_id: uuid.UUID | None = None


class ApplicationStatusIn(InputModel):
    status: ApplicationStatus


class BulkStatusIn(InputModel):
    """Several applications to move to one status (the applicants page's bulk actions)."""

    application_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=100)]
    status: ApplicationStatus


class ApplicantOut(BaseModel):
    username: str
    name: str
    headline: str = ""
    avatar_url: str | None = None
    island_label: str | None = None
    # Filled on the team's lists of applicants (empty elsewhere).
    skills: list[str] = []


class CvOut(BaseModel):
    id: uuid.UUID
    name: str
    url: str


class ApplicationEventOut(BaseModel):
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    by: str | None
    at: datetime


class ApplicationJobOut(BaseModel):
    id: uuid.UUID
    url: str
    title: str
    company: CompanyBrief
    status: JobStatus


class ApplicationOut(BaseModel):
    id: uuid.UUID
    status: ApplicationStatus
    status_label: str
    cover_letter: str
    cv: CvOut | None
    applicant: ApplicantOut
    job: ApplicationJobOut
    created_at: datetime
    updated_at: datetime
    events: list[ApplicationEventOut] | None = None


class ApplicationEnvelope(BaseModel):
    application: ApplicationOut


class ApplicationsOut(BaseModel):
    items: list[ApplicationOut]


class NoteIn(InputModel):
    body: Annotated[MultiLine, Field(min_length=1, max_length=2000)]


class NoteOut(BaseModel):
    id: uuid.UUID
    body: str
    by: str | None
    by_name: str | None
    at: datetime


class NotesOut(BaseModel):
    items: list[NoteOut]
