"""The marketplace: companies and their teams, job postings, applications and their history,
saved searches (job alerts) and what each alert already sent.

Full-text search has engine-specific objects that the models do not describe (see
`managed_by_models`): on PostgreSQL a generated `jobs.search_vector` tsvector column with a GIN
index, on SQLite an FTS5 table `jobs_fts` kept in sync by triggers. Both index the same three
columns the application maintains: `title`, `search_keywords` (company name and skills) and
`description_text` (the description as plain text).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, TimestampMixin, str_enum, utcnow
from hiremebahamas.models.places import Island
from hiremebahamas.models.profile import TALENT_TEXT_INDEXES


class CompanyRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class Company(IdMixin, TimestampMixin, Base):
    __tablename__ = "companies"

    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    logo_upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), default=None
    )
    website: Mapped[str] = mapped_column(String(300), default="")
    island: Mapped[Island | None] = mapped_column(str_enum(Island), default=None)
    about: Mapped[str] = mapped_column(Text, default="")
    # Set by staff who checked the company is what it says (the badge on its pages and jobs).
    verified_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class CompanyMember(Base):
    """A person on a company's team: owners edit the company and its team, every member manages
    its jobs and applicants."""

    __tablename__ = "company_members"

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[CompanyRole] = mapped_column(str_enum(CompanyRole), default=CompanyRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When this member last opened the employer dashboard: its applicants after this are "new".
    applicants_seen_at: Mapped[datetime | None] = mapped_column(default=None)


class EmploymentType(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    TEMPORARY = "temporary"
    INTERNSHIP = "internship"
    SEASONAL = "seasonal"


class SalaryPeriod(StrEnum):
    HOUR = "hour"
    MONTH = "month"
    YEAR = "year"


class JobCategory(StrEnum):
    ACCOUNTING = "accounting"
    ADMINISTRATION = "administration"
    BANKING = "banking"
    CONSTRUCTION = "construction"
    CUSTOMER_SERVICE = "customer_service"
    EDUCATION = "education"
    ENGINEERING = "engineering"
    GOVERNMENT = "government"
    HEALTHCARE = "healthcare"
    HOSPITALITY = "hospitality"
    IT = "it"
    LEGAL = "legal"
    MARITIME = "maritime"
    MARKETING = "marketing"
    RETAIL = "retail"
    SALES = "sales"
    TRANSPORT = "transport"
    OTHER = "other"


class JobStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    EXPIRED = "expired"


class Job(IdMixin, TimestampMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # Search pages read open jobs newest first or best paid first, in keyset order.
        Index("ix_jobs_status_published", "status", "published_at", "id"),
        Index("ix_jobs_status_salary", "status", "salary_annual_max", "id"),
        # The island filter, the commonest, in the same keyset order.
        Index("ix_jobs_island_status_published", "island", "status", "published_at", "id"),
        # Featured jobs, read as their own run before the rest (jobs/search/service.py); a few dozen rows.
        Index(
            "ix_jobs_featured_until",
            "featured_until",
            postgresql_where=text("featured_until IS NOT NULL"),
            sqlite_where=text("featured_until IS NOT NULL"),
        ),
        # The expiry task looks for open jobs past their end.
        Index("ix_jobs_status_valid_through", "status", "valid_through"),
        Index("ix_jobs_company_status", "company_id", "status"),
        # The staff area's queue of jobs the scam rules flagged (a handful at any time).
        Index(
            "ix_jobs_flagged",
            "flagged_at",
            postgresql_where=text("flagged_at IS NOT NULL"),
            sqlite_where=text("flagged_at IS NOT NULL"),
        ),
        CheckConstraint("salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max", name="salary_range"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    posted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    title: Mapped[str] = mapped_column(String(150))
    slug: Mapped[str] = mapped_column(String(160))
    # Markdown as written, and the sanitised HTML rendered from it once, when it is saved.
    description: Mapped[str] = mapped_column(Text)
    description_html: Mapped[str] = mapped_column(Text, default="")
    island: Mapped[Island | None] = mapped_column(str_enum(Island), default=None)
    remote: Mapped[bool] = mapped_column(default=False)
    employment_type: Mapped[EmploymentType] = mapped_column(str_enum(EmploymentType))
    category: Mapped[JobCategory] = mapped_column(str_enum(JobCategory))
    salary_min: Mapped[int | None] = mapped_column(default=None)
    salary_max: Mapped[int | None] = mapped_column(default=None)
    salary_period: Mapped[SalaryPeriod | None] = mapped_column(str_enum(SalaryPeriod), default=None)
    currency: Mapped[str] = mapped_column(String(3), default="BSD")
    # The top of the range as a yearly amount (0 when no salary is given): what the salary
    # filter and sort compare, so an hourly and a yearly job can be ranked together.
    salary_annual_max: Mapped[int] = mapped_column(default=0)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), default=JobStatus.DRAFT)
    valid_through: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Featuring (jobs/postings/featured.py): while in the future the job is shown in the featured run.
    featured_until: Mapped[datetime | None] = mapped_column(default=None)
    # What full-text search indexes besides the title (see the module docstring).
    search_keywords: Mapped[str] = mapped_column(Text, default="")
    description_text: Mapped[str] = mapped_column(Text, default="")
    # Trust and safety (jobs/postings/screening.py, the staff area): what the scam rules found
    # when the job was last saved, and a take-down by moderators with the reason the team sees.
    flags: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    flagged_at: Mapped[datetime | None] = mapped_column(default=None)
    taken_down_at: Mapped[datetime | None] = mapped_column(default=None)
    takedown_reason: Mapped[str | None] = mapped_column(String(500), default=None)


class JobSkill(Base):
    __tablename__ = "job_skills"
    # The jobs asking for a skill, newest first (ids are time-ordered): jobs-for-you reads a
    # bounded number per skill instead of every job that has it.
    __table_args__ = (Index("ix_job_skills_skill_job", "skill_id", "job_id"),)

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    REVIEWING = "reviewing"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class JobApplication(IdMixin, TimestampMixin, Base):
    __tablename__ = "job_applications"
    __table_args__ = (
        UniqueConstraint("job_id", "applicant_id", name="uq_job_applications_job_applicant"),
        Index("ix_job_applications_job_status_created", "job_id", "status", "created_at", "id"),
        Index("ix_job_applications_applicant_created", "applicant_id", "created_at", "id"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cover_letter: Mapped[str] = mapped_column(Text, default="")
    cv_upload_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"), default=None)
    status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus), default=ApplicationStatus.APPLIED)


class ApplicationEvent(IdMixin, Base):
    """One step of an application's history: who moved it from which status to which, when."""

    __tablename__ = "application_events"
    __table_args__ = (Index("ix_application_events_application_created", "application_id", "created_at"),)

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job_applications.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(str_enum(ApplicationStatus), default=None)
    to_status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertFrequency(StrEnum):
    INSTANT = "instant"
    DAILY = "daily"


class SavedSearch(IdMixin, Base):
    """A job alert: search filters (the same keys as GET /api/jobs) and how often to send."""

    __tablename__ = "saved_searches"
    __table_args__ = (Index("ix_saved_searches_frequency", "frequency", "id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    query: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    frequency: Mapped[AlertFrequency] = mapped_column(str_enum(AlertFrequency))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)


class JobAlertDelivery(Base):
    """A job an alert already sent: the primary key is what makes "never the same job twice"."""

    __tablename__ = "job_alert_deliveries"

    saved_search_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True, index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduledRun(Base):
    """A periodic job claimed for one period ("job_alerts_daily", "2026-11-27"): the insert
    that wins the primary key runs it, so several app instances never run it twice."""

    __tablename__ = "scheduled_runs"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    period: Mapped[str] = mapped_column(String(30), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


# Engine-specific search objects created by the jobs migration with raw DDL.
SEARCH_VECTOR_COLUMN = "search_vector"
SEARCH_VECTOR_INDEX = "ix_jobs_search_vector"
FTS_TABLE = "jobs_fts"


def managed_by_models(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic `include_name` filter: False for the search objects the models do not describe
    (the jobs' full-text search, the talent directory's trigram indexes), so autogenerate
    neither drops them nor reports them as differences."""
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    if type_ == "column" and parent_names.get("table_name") == "jobs":
        return name != SEARCH_VECTOR_COLUMN
    if type_ == "index":
        return name != SEARCH_VECTOR_INDEX and name not in TALENT_TEXT_INDEXES
    return True


class ApplicantNote(IdMixin, Base):
    """A note the company's team keeps on an application; the applicant never sees it."""

    __tablename__ = "applicant_notes"
    __table_args__ = (Index("ix_applicant_notes_application_created", "application_id", "created_at"),)

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job_applications.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
