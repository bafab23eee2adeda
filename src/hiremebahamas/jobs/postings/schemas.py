"""Job, search, application and job-alert shapes for the JSON API (the pages reuse the inputs)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.models import (
    AlertFrequency,
    ApplicationStatus,
    EmploymentType,
    Island,
    JobCategory,
    JobStatus,
    SalaryPeriod,
)

Title = Annotated[str, Field(min_length=3, max_length=150)]
Description = Annotated[MultiLine, Field(min_length=1, max_length=20_000)]
Money = Annotated[int, Field(ge=0, le=100_000_000)]
Currency = Literal["BSD", "USD"]
SkillText = Annotated[str, Field(max_length=200)]
CompanySlug = Annotated[str, StringConstraints(to_lower=True, min_length=1, max_length=60)]
MAX_JOB_SKILLS = 20


NASSAU = ZoneInfo("America/Nassau")


def closing_moment(value: Any) -> Any:
    """A closing date given as a day ("2026-12-31") means the end of that day in Nassau."""
    if isinstance(value, str) and len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return datetime.combine(day, time(23, 59, 59), tzinfo=NASSAU)
    return value


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
    valid_through: Annotated[datetime | None, BeforeValidator(closing_moment)] = None
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
    valid_through: Annotated[datetime | None, BeforeValidator(closing_moment)] = None
    skills: Annotated[list[SkillText], Field(max_length=100)] | None = None
    status: Literal["draft", "open", "closed"] | None = None


SortOrder = Literal["relevance", "newest", "salary"]


class JobSearch(InputModel):
    """GET /api/jobs filters; a saved search stores the same keys (without `sort`)."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, Field(max_length=200)] = ""
    island: Island | None = None
    employment_type: EmploymentType | None = None
    remote: bool | None = None
    # Compared with the top of a job's salary range as a yearly amount.
    salary_min: Money | None = None
    category: JobCategory | None = None
    company: CompanySlug | None = None
    posted_within_days: Annotated[int, Field(ge=1, le=365)] | None = None
    sort: SortOrder = "relevance"

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        # HTML forms send "" for an untouched select or number box (the schema says so, below).
        if value == "":
            return {"q": "", "sort": "relevance"}.get(info.field_name or "")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = super().__get_pydantic_json_schema__(core_schema, handler)
        for name, field_schema in handler.resolve_ref_schema(schema)["properties"].items():
            if name == "q":
                continue
            kept = {key: field_schema.pop(key) for key in ("title", "default", "description") if key in field_schema}
            options = field_schema.pop("anyOf", None) or [dict(field_schema)]
            field_schema.clear()
            field_schema.update(kept, anyOf=[*options, {"const": ""}])
        return schema

    def filters(self) -> dict[str, Any]:
        """The set filters, JSON-ready (what a saved search stores and what links carry)."""
        values = self.model_dump(mode="json", exclude={"sort"}, exclude_none=True)
        return {key: value for key, value in values.items() if value != ""}


class CompanyBrief(BaseModel):
    slug: str
    name: str
    url: str
    logo_url: str | None


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


class ApplicationIn(InputModel):
    cover_letter: Annotated[MultiLine, Field(max_length=5000)] = ""
    cv_upload_id: uuid.UUID | None = None


class ApplicationStatusIn(InputModel):
    status: ApplicationStatus


class ApplicantOut(BaseModel):
    username: str
    name: str


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
