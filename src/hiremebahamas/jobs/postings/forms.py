"""Form plumbing the marketplace pages share: choices for selects, turning form posts into the
API's input models, and re-showing a form with its errors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Depends

from hiremebahamas.accounts.deps import optional_auth
from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.times import NASSAU, day_end
from hiremebahamas.jobs.postings.labels import (
    APPLICATION_STATUS_LABELS,
    CATEGORY_LABELS,
    EMPLOYMENT_TYPE_LABELS,
    SALARY_PERIOD_LABELS,
)
from hiremebahamas.models import ApplicationStatus, Island, Job


def island_choices(blank: str = "Any island") -> list[tuple[str, str]]:
    return [("", blank)] + [(island.value, island.label) for island in Island if island != Island.REMOTE]


def employment_type_choices(blank: str = "Any type") -> list[tuple[str, str]]:
    return [("", blank)] + [(kind.value, label) for kind, label in EMPLOYMENT_TYPE_LABELS.items()]


def category_choices(blank: str = "Any category") -> list[tuple[str, str]]:
    return [("", blank)] + [(category.value, label) for category, label in CATEGORY_LABELS.items()]


def salary_period_choices() -> list[tuple[str, str]]:
    return [("", "No salary given")] + [(period.value, label) for period, label in SALARY_PERIOD_LABELS.items()]


def status_choices(blank: str = "Every status") -> list[tuple[str, str]]:
    return [("", blank)] + [(status.value, APPLICATION_STATUS_LABELS[status]) for status in ApplicationStatus]


PAGE_DEPENDENCIES = [Depends(optional_auth)]


def end_of_day(value: str) -> datetime | None:
    """A closing date from <input type="date">: the end of that day in Nassau."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(fields={"valid_through": "Enter a date like 2026-12-31."}) from exc
    return day_end(day)


def optional_int(value: str, field: str) -> int | None:
    cleaned = value.replace(",", "").replace("$", "").strip()
    if not cleaned:
        return None
    try:
        return int(cleaned)
    except ValueError as exc:
        raise ValidationFailed(fields={field: "Enter a whole number, like 45000."}) from exc


def split_skills(value: str) -> list[str]:
    return [part for part in (piece.strip() for piece in value.replace("\n", ",").split(",")) if part]


def job_form(job: Job, skills: list[str], company_slug: str) -> dict[str, Any]:
    """The edit form filled in from a job."""
    return {
        "title": job.title,
        "description": job.description,
        "company_slug": company_slug,
        "island": job.island.value if job.island else "",
        "remote": job.remote,
        "employment_type": job.employment_type.value,
        "category": job.category.value,
        "salary_min": "" if job.salary_min is None else str(job.salary_min),
        "salary_max": "" if job.salary_max is None else str(job.salary_max),
        "salary_period": job.salary_period.value if job.salary_period else "",
        "currency": job.currency,
        "valid_through": job.valid_through.astimezone(NASSAU).date().isoformat(),
        "skills": ", ".join(skills),
    }
