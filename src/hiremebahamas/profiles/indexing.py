"""What search engines are told about a profile: a person who turned `search_engine_indexing`
off gets `noindex` on their page (the template's meta tag) and in the X-Robots-Tag header, which
also covers the JSON answer, and is never in the sitemap (jobs/seo/views.py)."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Response

NOINDEX = "noindex"

R = TypeVar("R", bound=Response)


def robots_tagged(response: R, indexable: bool) -> R:
    if not indexable:
        response.headers["X-Robots-Tag"] = NOINDEX
    return response
