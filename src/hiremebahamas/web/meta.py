"""What a page tells search engines and link previews: its canonical address (on BASE_URL,
never the Host a request came with), whether it may be indexed, and absolute URLs for the Open
Graph and Twitter card images (templates/base.html writes the tags).

A page is private - `noindex`, no canonical, no preview tags - when it needs signing in
(accounts/deps.py: current_auth marks the request), when its template says so (a profile whose
owner turned search engines off), or when it is not a 200 answer (an error, a form shown again)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from hiremebahamas.config import Settings

_PRIVATE = "private_page"


def mark_private(request: Request) -> None:
    setattr(request.state, _PRIVATE, True)


@dataclass(frozen=True)
class PageMeta:
    base_url: str
    path: str
    indexable: bool

    def absolute(self, url: str) -> str:
        return url if url.startswith(("https://", "http://")) else f"{self.base_url}{url}"

    @property
    def canonical(self) -> str:
        """The page's path on BASE_URL, without its query: sorting, cursors and `next` make no
        page of their own. A page whose query does (a search) passes `canonical` itself."""
        return self.absolute(self.path)


def page_meta(request: Request, settings: Settings, status_code: int) -> PageMeta:
    private = getattr(request.state, _PRIVATE, False)
    return PageMeta(settings.base_url.rstrip("/"), request.url.path, status_code == 200 and not private)
