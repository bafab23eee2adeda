"""Job posting shapes for the JSON API (the posting pages reuse the inputs), and the field rules
the search shares (`Money`, `CompanySlug`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.core.times import moment_or_day_end
from hiremebahamas.models import EmploymentType, Island, JobCategory, JobStatus, SalaryPeriod

Title = Annotated[str, Field(min_length=3, max_length=150)]
Description = Annotated[MultiLine, Field(min_length=1, max_length=20_000)]
Money = Annotated[int, Field(ge=0, le=100_000_000)]
Currency = Literal["BSD", "USD"]
SkillText = Annotated[str, Field(max_length=200)]
CompanySlug = Annotated[str, StringConstraints(to_lower=True, min_length=1, max_length=60)]
MAX_JOB_SKILLS = 20


class JobIn(InputModel):
    title: Title
    description: Description
    island: Island | None = None
    remote: bool = False
    employment_type: EmploymentType
    category: JobCategory
    salary_min: Money | None = None
    salary_max: Money | None = None
    salary_period: SalaryPeriod | None = None
    currency: Currency = "BSD"
    # Defaults to 30 days after publication; at most a year ahead. A day means its end in Nassau.
    valid_through: Annotated[datetime | None, BeforeValidator(moment_or_day_end)] = None
    company_slug: CompanySlug
    skills: Annotated[list[SkillText], Field(max_length=100)] = Field(default_factory=list)
    # "draft" saves without publishing.
    status: Literal["draft", "open"] = "open"


class JobUpdateIn(InputModel):
    """PATCH: any subset. Status moves: draft → open (publish), open → closed, closed or
    expired → open (reopen, with a valid_through in the future)."""

    title: Title | None = None
    description: Description | None = None
    island: Island | None = None
    remote: bool | None = None
    employment_type: EmploymentType | None = None
    category: JobCategory | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    salary_period: SalaryPeriod | None = None
    currency: Currency | None = None
    valid_through: Annotated[datetime | None, BeforeValidator(moment_or_day_end)] = None
    skills: Annotated[list[SkillText], Field(max_length=100)] | None = None
    status: Literal["draft", "open", "closed"] | None = None


class CompanyBrief(BaseModel):
    slug: str
    name: str
    url: str
    logo_url: str | None
    verified: bool = False
    """Checked by the site's staff."""


class JobSummaryOut(BaseModel):
    id: uuid.UUID
    url: str
    title: str
    company: CompanyBrief
    island: Island | None
    island_label: str | None
    remote: bool
    employment_type: EmploymentType
    category: JobCategory
    salary_min: int | None
    salary_max: int | None
    salary_period: SalaryPeriod | None
    currency: str
    skills: list[str]
    status: JobStatus
    featured: bool
    valid_through: datetime
    published_at: datetime | None
    created_at: datetime
    summary: str


class JobOut(JobSummaryOut):
    description: str
    description_html: str
    updated_at: datetime


class JobEnvelope(BaseModel):
    job: JobOut


class JobDayStatsOut(BaseModel):
    date: date
    views: int
    unique_viewers: int
    applications: int


class JobStatsOut(BaseModel):
    """Totals since the job was posted; `by_day` covers the last `days` days (at most 90)."""

    views: int
    unique_viewers: int
    applications: int
    conversion_rate: float
    by_day: list[JobDayStatsOut]
