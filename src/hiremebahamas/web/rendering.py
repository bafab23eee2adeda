"""Rendering pages: the shared template context, flash messages and cache-busted static URLs."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from hiremebahamas.core.templating import environment
from hiremebahamas.web.consent import allow_accepted_services, consent_for
from hiremebahamas.web.csrf import csrf_token, set_csrf_cookie_if_new
from hiremebahamas.web.deps import get_settings
from hiremebahamas.web.meta import page_meta

FLASH_COOKIE = "hmb_flash"
_FLASH_KINDS = frozenset({"info", "success", "warning", "error"})

templates = Jinja2Templates(env=environment())


@dataclass(frozen=True)
class Flash:
    kind: str
    message: str


class LazyCsrfToken:
    """The page's CSRF token, made (with its cookie) only if the template writes it out.

    Anonymous visitors see state-changing forms only on a few pages (log in, register, password
    reset, unsubscribe); every other page they see - jobs, companies, profiles, pricing - then
    sets no cookie and holds no token, so a CDN may share it. Forms still get their token:
    writing `{{ csrf_token }}` mints it.
    """

    def __init__(self, request: Request) -> None:
        self._request = request

    def __str__(self) -> str:  # autoescaping writes it out through str()
        return csrf_token(self._request)


@cache
def static_url(path: str) -> str:
    """`/static/<path>?v=<content hash>`: safe to cache for a year, busted by any change."""
    digest = hashlib.sha256(files("hiremebahamas").joinpath("static", path).read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


def _flash_signature(request: Request, payload: str) -> str:
    key = get_settings(request).secret_key.encode()
    return hmac.new(key, b"flash:" + payload.encode(), hashlib.sha256).hexdigest()[:32]


def _read_flash(request: Request) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    payload, _, signature = unquote(raw).rpartition("|")
    if not hmac.compare_digest(signature, _flash_signature(request, payload)):
        return None
    kind, _, message = payload.partition(":")
    return Flash(kind, message) if kind in _FLASH_KINDS else None


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    settings = get_settings(request)
    flash = _read_flash(request)
    consent = consent_for(request, settings)
    full_context: dict[str, Any] = {
        "current_user": getattr(request.state, "viewer", None),
        "csrf_token": LazyCsrfToken(request),
        "flash": flash,
        # Nav badges (unread notifications, conversations), loaded by notifications/nav.py.
        "nav_counts": getattr(request.state, "nav_counts", None),
        # The "payment failed" banner, loaded by billing/views.py: load_billing_notice.
        "billing_notice": getattr(request.state, "billing_notice", None),
        # The cookie banner and the analytics tags (web/consent.py).
        "consent": consent,
        # A newer Terms of Service to accept, loaded by legal/views.py: load_terms_notice.
        "terms_notice": getattr(request.state, "terms_notice", None),
        "settings": settings,
        "static_url": static_url,
        # The canonical link, robots, Open Graph and Twitter card tags (web/meta.py).
        "meta": page_meta(request, settings, status_code),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, full_context, status_code=status_code)
    set_csrf_cookie_if_new(request, response, settings)
    allow_accepted_services(response, consent)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(request: Request, url: str, *, flash: tuple[str, str] | None = None) -> RedirectResponse:
    """303 See Other after a form post; an optional flash shows on the next page."""
    response = RedirectResponse(url, status_code=303)
    settings = get_settings(request)
    if flash is not None:
        kind, message = flash
        payload = f"{kind}:{message}"
        value = quote(f"{payload}|{_flash_signature(request, payload)}")
        response.set_cookie(
            FLASH_COOKIE, value, httponly=True, secure=settings.cookies_secure, samesite="lax", max_age=60
        )
    set_csrf_cookie_if_new(request, response, settings)
    return response


def safe_next(url: str | None, default: str = "/") -> str:
    """Only local paths, so a crafted ?next= cannot send the user to another site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
