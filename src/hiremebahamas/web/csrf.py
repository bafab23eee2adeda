"""CSRF protection for cookie-authenticated requests (signed double-submit cookie)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request, Response

from hiremebahamas.config import Settings
from hiremebahamas.core import http_cache, security
from hiremebahamas.core.errors import CsrfFailed
from hiremebahamas.core.urls import origin_of
from hiremebahamas.web.deps import get_settings

CSRF_COOKIE = "hmb_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_NOT_COOKIE_AUTHENTICATED = "_hmb_not_cookie_authenticated"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def not_cookie_authenticated(endpoint: Endpoint) -> Endpoint:
    """Marks an API endpoint that never acts on the session cookie's authority: it authenticates
    by its request (credentials, a refresh or one-time token) or needs nobody (registration).
    A forged cross-site request to it gains nothing, so clients that keep the cookie a login set
    are not asked for a CSRF token. (Nor can another site log a browser in through the API: a
    form cannot send the JSON body these endpoints take without a CORS preflight, which fails.)"""
    setattr(endpoint, _NOT_COOKIE_AUTHENTICATED, True)
    return endpoint


def csrf_cookie_value(request: Request) -> str:
    """The request's CSRF cookie, minting one (to be set on the response) when absent."""
    value: str | None = getattr(request.state, "csrf_cookie", None) or request.cookies.get(CSRF_COOKIE)
    if not value:
        value = security.random_token()
        request.state.csrf_cookie = value
        request.state.csrf_cookie_is_new = True
    return value


def csrf_token(request: Request) -> str:
    http_cache.mark_private(request)  # a visitor's token in a shared cache would be anyone's
    return security.csrf_token_for(get_settings(request), csrf_cookie_value(request))


def rotate_csrf_cookie(request: Request) -> None:
    """A new cookie at login, so a token planted before it is worthless after it."""
    request.state.csrf_cookie = security.random_token()
    request.state.csrf_cookie_is_new = True


def set_csrf_cookie_if_new(request: Request, response: Response, settings: Settings) -> None:
    if getattr(request.state, "csrf_cookie_is_new", False):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf_cookie,
            httponly=True,
            secure=settings.cookies_secure,
            samesite="lax",
            max_age=60 * 60 * 24 * 30,
        )


def came_from_this_site(request: Request) -> bool:
    """Whether a write was sent from one of this site's pages: its Origin (or, when a browser
    sends none, its Referer) is the site's. For writes whose form cannot carry a CSRF token."""
    claimed = request.headers.get("origin") or origin_of(request.headers.get("referer", ""))
    return claimed.lower() == origin_of(str(request.base_url))


async def _submitted_token(request: Request) -> str:
    token = request.headers.get(CSRF_HEADER, "")
    content_type = request.headers.get("content-type", "")
    if not token and content_type.startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else ""
    return token


async def _check(request: Request) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    token = await _submitted_token(request)
    if not cookie or not token or not security.csrf_token_matches(get_settings(request), cookie, token):
        raise CsrfFailed()


async def protect_pages(request: Request) -> None:
    """Every state-changing form post, signed in or not (login CSRF is an attack too)."""
    if request.method not in _SAFE_METHODS:
        await _check(request)


async def protect_api(request: Request) -> None:
    """API calls need the token only when the browser's session cookie authenticates them;
    a bearer token cannot be sent by another site."""
    if request.method in _SAFE_METHODS or request.headers.get("authorization"):
        return
    if getattr(request.scope.get("endpoint"), _NOT_COOKIE_AUTHENTICATED, False):
        return
    if request.cookies.get(security.SESSION_COOKIE):
        await _check(request)
