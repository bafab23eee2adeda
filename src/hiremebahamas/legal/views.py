"""Pages: the legal documents, accepting a newer Terms of Service, and the cookie choice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response

from hiremebahamas.accounts.deps import CurrentUser, OptionalAuth
from hiremebahamas.core.errors import AppError, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.legal import service
from hiremebahamas.legal.documents import SLUGS, document
from hiremebahamas.web.consent import CHOICES, Choice, remember_choice
from hiremebahamas.web.csrf import came_from_this_site
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.forms import FormStr
from hiremebahamas.web.rendering import redirect, render, safe_next

router = APIRouter(include_in_schema=False)
# Outside the pages' CSRF check: the banner is on pages a CDN shares, which hold no token.
# The choice is refused unless sent from this site (its Origin, or Referer), see `consent`.
consent_router = APIRouter(include_in_schema=False)

CHOICE_REFUSED = "Choose to accept or reject optional cookies."
_SAVED: dict[Choice, str] = {
    "accept": "Thanks: optional analytics cookies are on.",
    "reject": "Only essential cookies are used.",
}


async def load_terms_notice(request: Request, auth: OptionalAuth, settings: AppSettings) -> None:
    """Page views of signed-in people: the version to accept when theirs is older (base.html)."""
    if auth is None or request.method != "GET":
        return
    if service.acceptance_required(settings, auth.user):
        request.state.terms_notice = document(settings, "terms")


def _document_page(slug: str) -> Callable[[Request, AppSettings], Awaitable[Response]]:
    # No area: not kept by the server (a cookie choice or a deploy shows at once); a CDN shares it briefly.
    @shared_when_anonymous(area=None)
    async def page(request: Request, settings: AppSettings) -> Response:
        return render(request, "legal/document.html", {"document": document(settings, slug)})

    page.__name__ = f"{slug}_page"
    return page


for _slug in SLUGS:
    router.add_api_route(f"/{_slug}", _document_page(_slug), methods=["GET"])


@router.post("/legal/accept")
async def accept_terms(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    version: FormStr = "",
    next: FormStr = "/",
) -> Response:
    back = safe_next(next)
    try:
        await service.accept_terms(db, settings, user, version)
    except AppError as error:
        return redirect(request, "/terms", flash=("warning", error.message))
    return redirect(request, back, flash=("success", "Thank you: you accepted the updated Terms of Service."))


@consent_router.post("/consent")
async def consent(request: Request, settings: AppSettings, choice: FormStr = "", next: FormStr = "/") -> Response:
    if not settings.consent_required:
        raise NotFound()
    if not came_from_this_site(request):
        # Another site's form must not accept tracking on a visitor's behalf.
        raise Forbidden("This choice was not sent from this site.")
    if choice not in CHOICES:
        raise ValidationFailed(CHOICE_REFUSED, fields={"choice": CHOICE_REFUSED})
    chosen: Choice = "accept" if choice == "accept" else "reject"
    response = redirect(request, safe_next(next), flash=("success", _SAVED[chosen]))
    remember_choice(response, settings, chosen)
    return response
