"""The emails accounts send. Links are absolute, built from BASE_URL."""

from __future__ import annotations

from urllib.parse import urlencode

from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.templating import render_text
from hiremebahamas.models import User


def _link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def account_email(user: User, subject: str, template: str, **context: object) -> OutgoingEmail:
    context = {"user": user, "subject": subject, **context}
    return OutgoingEmail(
        to=user.email,
        subject=subject,
        text=render_text(f"emails/{template}.txt", **context),
        html=render_text(f"emails/{template}.html", **context),
    )


def verification(settings: Settings, user: User, token: str) -> OutgoingEmail:
    return account_email(
        user,
        "Confirm your email for HireMeBahamas",
        "verify_email",
        link=_link(settings, "/verify-email", token),
        hours=settings.email_verification_ttl_hours,
    )


def password_reset(settings: Settings, user: User, token: str) -> OutgoingEmail:
    return account_email(
        user,
        "Reset your HireMeBahamas password",
        "reset_password",
        link=_link(settings, "/reset-password", token),
        minutes=settings.password_reset_ttl_minutes,
    )


def password_changed(settings: Settings, user: User) -> OutgoingEmail:
    return account_email(
        user,
        "Your HireMeBahamas password was changed",
        "password_changed",
        reset_link=f"{settings.base_url.rstrip('/')}/forgot-password",
    )


def registration_attempt(settings: Settings, user: User) -> OutgoingEmail:
    """To the owner of an email someone tried to register again (who may be the owner)."""
    base = settings.base_url.rstrip("/")
    return account_email(
        user,
        "Someone tried to register with your email on HireMeBahamas",
        "registration_attempt",
        login_link=f"{base}/login",
        reset_link=f"{base}/forgot-password",
    )
