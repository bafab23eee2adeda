"""The page parameters of a list's query string, parsed into core.pagination's terms: an API
endpoint's `?cursor=&limit=`, and a page's `?cursor=`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageParams, Position


def page_params(
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PageParams:
    return PageParams(Position.decode(cursor) if cursor else None, limit)


Paging = Annotated[PageParams, Depends(page_params)]


def page_cursor(request: Request) -> Position | None:
    """A mangled ?cursor= (an old bookmark) shows the first page rather than an error."""
    raw = request.query_params.get("cursor")
    try:
        return Position.decode(raw) if raw else None
    except ValidationFailed:
        return None
