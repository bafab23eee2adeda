"""The browser's session cookie."""

from __future__ import annotations

from fastapi import Response

from hiremebahamas.config import Settings
from hiremebahamas.core.security import SESSION_COOKIE


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
