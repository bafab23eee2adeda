"""The search page, /jobs: the filters form, a page of results with the next page's link, and
the links to its Atom feed and to saving it as a job alert."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from hiremebahamas.accounts.deps import OptionalAuth
from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.jobs.postings.forms import (
    PAGE_DEPENDENCIES,
    category_choices,
    employment_type_choices,
    island_choices,
)
from hiremebahamas.jobs.search.form import search_from_request
from hiremebahamas.jobs.search.service import note_search, search_jobs
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.rendering import render

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

PAGE_SIZE = 20
SORTS = [("relevance", "Best match"), ("newest", "Newest"), ("salary", "Highest salary")]
POSTED_WITHIN = [("", "Any time"), ("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days")]


@router.get("/jobs")
@shared_when_anonymous(area="jobs")
async def search_page(request: Request, db: DbSession, auth: OptionalAuth, cursor: str | None = None) -> Response:
    search, raw, errors = search_from_request(request)
    try:
        page = await search_jobs(db, search, cursor=cursor, limit=PAGE_SIZE)
    except ValidationFailed:
        page = await search_jobs(db, search, limit=PAGE_SIZE)  # a stale or edited cursor: start over
    if cursor is None:
        note_search(db, search, page)
    query = urlencode({**{k: v for k, v in raw.items() if v}})
    context = {
        "search": search,
        "form": raw,
        "errors": errors,
        "page": page,
        "next_url": f"/jobs?{urlencode({**{k: v for k, v in raw.items() if v}, 'cursor': page.next_cursor})}"
        if page.next_cursor
        else None,
        "first_url": f"/jobs?{query}" if cursor else None,
        "feed_url": f"/jobs/feed.atom?{query}" if query else "/jobs/feed.atom",
        "islands": island_choices(),
        "employment_types": employment_type_choices(),
        "categories": category_choices(),
        "sorts": SORTS,
        "posted_within": POSTED_WITHIN,
    }
    return render(request, "jobs/search.html", context)
