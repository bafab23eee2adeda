"""The employer dashboard's shape in the JSON API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from hiremebahamas.billing.schemas import SubscriptionOut
from hiremebahamas.jobs.applications.schemas import ApplicationOut
from hiremebahamas.jobs.postings.schemas import CompanyBrief
from hiremebahamas.models import ApplicationStatus, CompanyRole, JobStatus


class DashboardCompanyOut(BaseModel):
    company: CompanyBrief
    role: CompanyRole


class ApplicantCountsOut(BaseModel):
    total: int
    new: int
    """Applied since your last visit to the dashboard."""
    by_stage: dict[ApplicationStatus, int]


class DashboardJobOut(BaseModel):
    id: uuid.UUID
    url: str
    title: str
    status: JobStatus
    company: CompanyBrief
    published_at: datetime | None
    valid_through: datetime
    applicants: ApplicantCountsOut


class DashboardJobsOut(BaseModel):
    open: list[DashboardJobOut]
    draft: list[DashboardJobOut]
    closed: list[DashboardJobOut]
    """Closed and expired, the latest 20."""


class DashboardOut(BaseModel):
    companies: list[DashboardCompanyOut]
    jobs: DashboardJobsOut
    new_applicants: int
    last_visit_at: datetime | None
    recent_applicants: list[ApplicationOut]
    plan: SubscriptionOut
