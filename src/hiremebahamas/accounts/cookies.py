"""The browser's session cookie, and the mark of the browser an account was registered in."""

from __future__ import annotations

import hmac
import uuid

from fastapi import Request, Response

from hiremebahamas.config import Settings
from hiremebahamas.core.secrets_box import keyed_hash
from hiremebahamas.core.security import SESSION_COOKIE

REGISTERED_COOKIE = "hmb_registered"
REGISTERED_MAX_AGE = 7 * 24 * 60 * 60


def set_session_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_ttl_days * 24 * 60 * 60,
        httponly=True,
        secure=settings.cookies_secure,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, secure=settings.cookies_secure, samesite="lax")


def mark_registered_here(response: Response, settings: Settings, user_id: uuid.UUID) -> None:
    """Opening the verification link in this browser signs the new account in. Only here: a
    link opened anywhere else (a page another person made open it) must not sign that browser
    in to someone else's account."""
    response.set_cookie(
        REGISTERED_COOKIE,
        keyed_hash(settings, "registered-here", str(user_id)),
        max_age=REGISTERED_MAX_AGE,
        httponly=True,
        secure=settings.cookies_secure,
        samesite="lax",
    )


def registered_here(request: Request, settings: Settings, user_id: uuid.UUID) -> bool:
    mark = request.cookies.get(REGISTERED_COOKIE, "")
    return hmac.compare_digest(mark, keyed_hash(settings, "registered-here", str(user_id)))


def clear_registered_mark(response: Response, settings: Settings) -> None:
    response.delete_cookie(REGISTERED_COOKIE, httponly=True, secure=settings.cookies_secure, samesite="lax")
