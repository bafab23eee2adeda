"""The search page, /jobs: the filters form, the number of matches, a page of results with the
previous and next pages' links and the page's number, "did you mean" for a search that found
nothing, and the links to its Atom feed and to saving it as a job alert.

Links carry only the filters that are set: a query string with empty ones (a form sent without
JavaScript) is redirected to the same search without them."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from hiremebahamas.accounts.deps import OptionalAuth
from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.jobs.emails import absolute
from hiremebahamas.jobs.postings.forms import (
    PAGE_DEPENDENCIES,
    category_choices,
    employment_type_choices,
    island_choices,
)
from hiremebahamas.jobs.search.form import search_from_request
from hiremebahamas.jobs.search.service import COUNT_CAP, count_jobs, note_search, search_jobs
from hiremebahamas.jobs.search.suggestions import did_you_mean
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

PAGE_SIZE = 20
SORTS = [("relevance", "Best match"), ("newest", "Newest"), ("salary", "Highest salary")]
POSTED_WITHIN = [("", "Any time"), ("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days")]


MAX_PAGE = 10_000


def _page_number(value: str) -> int:
    """The number a link says this page has (it only labels the page: the cursor finds it)."""
    number = int(value) if value.isdigit() and len(value) <= 5 else 2
    return min(max(number, 2), MAX_PAGE)


def _url(filters: dict[str, str], **extra: str | int) -> str:
    query = urlencode({**filters, **extra})
    return f"/jobs?{query}" if query else "/jobs"


@router.get("/jobs")
@shared_when_anonymous(area="jobs")
async def search_page(
    request: Request,
    db: DbSession,
    auth: OptionalAuth,
    settings: AppSettings,
    cursor: str | None = None,
    before: str | None = None,
    page: str = "1",
) -> Response:
    if any(not value for value in request.query_params.values()):
        kept = [(key, value) for key, value in request.query_params.multi_items() if value]
        return redirect(request, f"/jobs?{urlencode(kept)}" if kept else "/jobs")
    search, raw, errors = search_from_request(request)
    filters = {key: value for key, value in raw.items() if value}
    try:
        results = await search_jobs(db, search, cursor=cursor, before=before, limit=PAGE_SIZE)
    except ValidationFailed:
        results = await search_jobs(db, search, limit=PAGE_SIZE)  # a stale or edited cursor: start over
        cursor = before = None
    first_page = cursor is None and before is None
    if first_page:
        note_search(db, search, results)
    number = 1 if first_page or results.previous_cursor is None else _page_number(page)
    total = await count_jobs(db, search)
    suggestion = await did_you_mean(db, search.q) if search.q and not results.cards and first_page else None
    query = urlencode(filters)
    context = {
        "search": search,
        "form": raw,
        "errors": errors,
        "page": results,
        "total": total,
        "more_than_cap": total > COUNT_CAP,
        "cap": COUNT_CAP,
        "page_number": number,
        "page_count": None if total > COUNT_CAP else max(1, -(-total // PAGE_SIZE)),
        "next_url": _url(filters, cursor=results.next_cursor, page=number + 1) if results.next_cursor else None,
        "previous_url": _url(filters, before=results.previous_cursor, page=number - 1)
        if results.previous_cursor
        else None,
        "first_url": _url(filters) if not first_page else None,
        "login_url": "/login?" + urlencode({"next": _url(filters)}),
        "suggestion": suggestion,
        "suggestion_url": _url({**filters, "q": suggestion}) if suggestion else None,
        "feed_url": f"/jobs/feed.atom?{query}" if query else "/jobs/feed.atom",
        # Each search is a page of its own; the cursor of a later page is not.
        "canonical": absolute(settings, f"/jobs?{query}" if query else "/jobs"),
        "islands": island_choices(),
        "employment_types": employment_type_choices(),
        "categories": category_choices(),
        "sorts": SORTS,
        "posted_within": POSTED_WITHIN,
    }
    return render(request, "jobs/search.html", context)
