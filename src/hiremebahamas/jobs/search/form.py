"""Reading a job search from a page's query string (the search page, its feed, alerts)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError

from hiremebahamas.jobs.search.schemas import JobSearch

SEARCH_KEYS = (
    "q",
    "island",
    "employment_type",
    "remote",
    "salary_min",
    "category",
    "company",
    "posted_within_days",
    "sort",
)


def search_from_request(request: Request) -> tuple[JobSearch, dict[str, str], dict[str, str]]:
    """The search a page's query string asks for, the raw values (to refill the form) and any
    per-field problems (a bad value is dropped rather than failing the page)."""
    raw = {key: request.query_params.get(key, "").strip() for key in SEARCH_KEYS}
    values: dict[str, Any] = {key: value for key, value in raw.items() if value}
    if values.get("remote") not in (None, "true", "false"):
        values["remote"] = "true"
    try:
        return JobSearch.model_validate(values), raw, {}
    except ValidationError as error:
        bad = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
        kept = {key: value for key, value in values.items() if key not in bad}
        errors = dict.fromkeys(bad, "Not a valid choice; it was ignored.")
        return JobSearch.model_validate(kept), raw, errors
