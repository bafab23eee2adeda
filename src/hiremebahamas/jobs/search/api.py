"""JSON API: GET /api/jobs, the job search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.pagination import Page
from hiremebahamas.core.text import TEXT_PATTERN
from hiremebahamas.jobs.postings.schemas import JobSummaryOut
from hiremebahamas.jobs.search.schemas import JobSearch, SortOrder
from hiremebahamas.jobs.search.service import note_search, search_jobs
from hiremebahamas.models import EmploymentType, Island, JobCategory
from hiremebahamas.web.deps import DbSession

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_search_params(
    q: Annotated[str, Query(max_length=200, pattern=TEXT_PATTERN)] = "",
    island: Island | None = None,
    employment_type: EmploymentType | None = None,
    remote: bool | None = None,
    salary_min: Annotated[int | None, Query(ge=0, le=100_000_000, description="yearly amount")] = None,
    category: JobCategory | None = None,
    company: Annotated[str | None, Query(max_length=60, pattern=TEXT_PATTERN)] = None,
    posted_within_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    sort: SortOrder = "relevance",
) -> JobSearch:
    return JobSearch(
        q=q,
        island=island,
        employment_type=employment_type,
        remote=remote,
        salary_min=salary_min,
        category=category,
        company=company,
        posted_within_days=posted_within_days,
        sort=sort,
    )


SearchParams = Annotated[JobSearch, Depends(job_search_params)]


@router.get("")
@shared_when_anonymous(area="jobs")
async def search(
    db: DbSession,
    params: SearchParams,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[JobSummaryOut]:
    """Open jobs matching the text and filters; featured jobs first. Keyset-paginated."""
    page = await search_jobs(db, params, cursor=cursor, limit=limit)
    if cursor is None:
        note_search(db, params, page)
    return Page(items=[card.summary_out() for card in page.cards], next_cursor=page.next_cursor)
