"""The page parameters of a list endpoint's query string, parsed into core.pagination's terms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hiremebahamas.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageParams, Position


def page_params(
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PageParams:
    return PageParams(Position.decode(cursor) if cursor else None, limit)
