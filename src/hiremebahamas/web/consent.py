"""Cookie consent: whether a visitor is asked, what they chose, and what that lets a page load.

Only essential cookies are set by default (session, CSRF, flash, and this one). While a
non-essential service is configured (GA_TRACKING_ID, POSTHOG_HOST with POSTHOG_API_KEY) pages
show a banner until the visitor chooses; the choice is the `hmb_consent` cookie. Only a page
answered to a visitor who accepted includes the tags, and only such a response's
Content-Security-Policy allows those services' hosts. A request carrying the cookie gets an
answer of its own (app.py counts it among the personal cookies then), so no cache hands one
visitor's banner or tags to another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request, Response

from hiremebahamas.config import Settings
from hiremebahamas.core.middleware import content_security_policy
from hiremebahamas.core.urls import origin_of

CONSENT_COOKIE = "hmb_consent"
CONSENT_MAX_AGE = 365 * 24 * 3600
Choice = Literal["accept", "reject"]
CHOICES: frozenset[str] = frozenset({"accept", "reject"})

GA_SCRIPT_HOST = "https://www.googletagmanager.com"
# Where the GA4 tag sends its hits (regional hosts included).
GA_CONNECT_HOSTS = (GA_SCRIPT_HOST, "https://*.google-analytics.com", "https://*.analytics.google.com")


@dataclass(frozen=True)
class Consent:
    """What base.html needs: whether to ask (the banner), and what to load."""

    required: bool
    choice: Choice | None
    ga_tracking_id: str | None
    posthog_host: str | None
    posthog_api_key: str | None

    @property
    def ask(self) -> bool:
        return self.required and self.choice is None

    @property
    def accepted(self) -> bool:
        return self.required and self.choice == "accept"


def read_choice(request: Request) -> Choice | None:
    value = request.cookies.get(CONSENT_COOKIE)
    if value == "accept":
        return "accept"
    if value == "reject":
        return "reject"
    return None


def consent_for(request: Request, settings: Settings) -> Consent:
    posthog = settings.posthog_enabled
    return Consent(
        required=settings.consent_required,
        choice=read_choice(request),
        ga_tracking_id=settings.ga_tracking_id,
        posthog_host=settings.posthog_host.rstrip("/") if posthog and settings.posthog_host else None,
        posthog_api_key=settings.posthog_api_key if posthog else None,
    )


def accepted_policy(consent: Consent) -> str:
    """The CSP of a page whose visitor accepted: the site's, plus the configured services' hosts."""
    scripts: list[str] = []
    connects: list[str] = []
    if consent.ga_tracking_id:
        scripts.append(GA_SCRIPT_HOST)
        connects.extend(GA_CONNECT_HOSTS)
    if consent.posthog_host:
        scripts.append(origin_of(consent.posthog_host))
        connects.append(origin_of(consent.posthog_host))
    return content_security_policy(script_hosts=scripts, connect_hosts=connects)


def allow_accepted_services(response: Response, consent: Consent) -> None:
    if consent.accepted:
        response.headers["Content-Security-Policy"] = accepted_policy(consent)


def remember_choice(response: Response, settings: Settings, choice: Choice) -> None:
    # Not HttpOnly: nothing secret, and a script may read it. First-party, a year, Lax.
    response.set_cookie(
        CONSENT_COOKIE,
        choice,
        max_age=CONSENT_MAX_AGE,
        secure=settings.cookies_secure,
        httponly=False,
        samesite="lax",
    )
