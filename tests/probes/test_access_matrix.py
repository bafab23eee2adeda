"""Who may call what: every route of the app (API, pages, operations; every method) against six
actors, with the correct outcome for each in one table, MATRIX.

A route without a row fails the test, so a new endpoint cannot ship without someone deciding
who may call it. Path parameters name what "seeker" and "employer" own, so "other seeker" and
"other employer" are cross-tenant attempts; the admin is a job seeker with `is_admin`. API
calls carry a bearer token and no cookie; page requests carry the session cookie and a valid
CSRF token, so what is measured is access, never CSRF. A row that ends its own resource
(delete, withdraw, log out) gets a fresh one for each actor, so every request sees the same
world; otherwise the actors a row refuses go first and those it lets through after them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import update

from hiremebahamas.accounts.service import ClientInfo, start_session
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import BillingCustomer, StaffRole, User
from tests.helpers import PASSWORD, page_csrf
from tests.jobs.conftest import Person, create_company, job_body, person, post_job
from tests.uploads.files import pdf, picture

ACTORS = ("anonymous", "seeker", "other_seeker", "employer", "other_employer", "admin")
ELSEWHERE = 0
NO_NEWSLETTER = {"newsletter_id": "00000000-0000-4000-8000-000000000000"}
"""An expected status for a route another test file drives (it cannot be sent as HTTP here)."""


@dataclass(frozen=True)
class Row:
    """The status each actor must get, in ACTORS order, and the request that asks."""

    expect: tuple[int, int, int, int, int, int]
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    query: str = ""
    params: dict[str, str] = field(default_factory=dict)
    fresh: str = ""
    """A factory in FRESH: a new resource (or session) per actor, for rows that use theirs up."""


def r(
    anonymous: int,
    seeker: int,
    other_seeker: int,
    employer: int,
    other_employer: int,
    admin: int,
    **request: Any,
) -> Row:
    return Row((anonymous, seeker, other_seeker, employer, other_employer, admin), **request)


def everyone(status: int, **request: Any) -> Row:
    return r(status, status, status, status, status, status, **request)


def members(status: int, anonymous: int = 401, **request: Any) -> Row:
    """Any signed-in account; nobody else."""
    return r(anonymous, status, status, status, status, status, **request)


JOB_FORM = {k: str(v) for k, v in job_body("{slug}").items() if k not in ("skills", "remote")}
POST = {"body": "Looking for a line cook role in Nassau."}
EXPERIENCE = {"title": "Line cook", "company_name": "Conch Shack", "start_date": "2020-01-01"}
EDUCATION = {"school": "University of The Bahamas"}
MESSAGE = {"body": "Hello from the matrix"}

# (method, path template) -> who gets what. Order: anonymous, seeker, other seeker, employer,
# other employer, admin. Pages answer an anonymous GET with 303 to /login and a refused form
# post with its error page; the API answers 401 to nobody. Something you may not touch is a 403
# when you may see it (a job, a post) and a 404 when even its existence is private (an
# application, a conversation, a saved search, a profile entry, a session).
# The seeker is on Pro from the local checkout row on (it pays that checkout).
MATRIX: dict[tuple[str, str], Row] = {
    # Operations and the OpenAPI document: public.
    ("GET", "/openapi.json"): everyone(200),
    ("HEAD", "/openapi.json"): everyone(200),
    ("GET", "/health"): everyone(200),
    ("GET", "/ready"): everyone(200),
    ("GET", "/api/test-log"): everyone(200),
    ("GET", "/metrics"): everyone(200),
    # Stripe signs its webhook; nobody's session counts there.
    ("POST", "/api/subscriptions/webhook"): everyone(400, json={"type": "ping"}),
    # SendGrid's events: off without SENDGRID_WEBHOOK_PUBLIC_KEY (tests/lifecycle signs real ones).
    ("POST", "/api/email/events"): everyone(503, json={}),
    # The seeker's own local checkout (embedded payments).
    ("GET", "/billing/checkout/{token}"): r(303, 200, 403, 403, 403, 403),
    ("POST", "/billing/checkout/{token}"): r(401, 303, 403, 403, 403, 403, form={}),
    # Sign-in endpoints authenticate by their body.
    ("POST", "/api/auth/register"): everyone(
        422, json={"email": "not-an-email", "password": PASSWORD, "first_name": "A", "last_name": "B"}
    ),
    ("POST", "/api/auth/verify-email"): everyone(400, json={"token": "forged"}),
    # Everyone here is verified already.
    ("POST", "/api/auth/resend-verification"): members(409),
    ("POST", "/api/auth/login"): everyone(200, json={"email": "bob@example.com", "password": PASSWORD}),
    ("POST", "/api/auth/refresh"): everyone(401, json={"refresh_token": "forged"}),
    ("POST", "/api/auth/logout"): members(204, fresh="session"),
    ("POST", "/api/auth/password-reset/request"): everyone(202, json={"email": "nobody@example.com"}),
    ("POST", "/api/auth/password-reset/confirm"): everyone(400, json={"token": "forged", "new_password": PASSWORD}),
    # Two-step verification, your own only. Set up (a new secret to scan), then a wrong first code
    # is refused; switching it off when it is off is a conflict.
    ("GET", "/api/auth/two-factor"): members(200),
    ("POST", "/api/auth/two-factor/setup"): members(200),
    ("POST", "/api/auth/two-factor/enable"): members(422, json={"code": "000000"}),
    ("POST", "/api/auth/two-factor/disable"): members(409, json={"password": PASSWORD}),
    ("GET", "/account/two-factor"): members(200, anonymous=303),
    ("POST", "/account/two-factor/setup"): members(303, anonymous=401, form={}),
    ("POST", "/account/two-factor/enable"): members(422, anonymous=401, form={"code": "000000"}),
    ("POST", "/account/two-factor/disable"): members(409, anonymous=401, form={"password": PASSWORD}),
    # The login page's second step: a forged challenge starts the sign-in again.
    ("POST", "/login/code"): everyone(303, form={"challenge": "forged", "code": "000000"}),
    ("POST", "/api/auth/change-password"): members(
        403, json={"current_password": "wrong-password-123", "new_password": "another-password-456"}
    ),
    ("GET", "/api/auth/csrf"): everyone(200),
    # Companies: anyone reads, the team edits; employers may create one (ours have theirs: 409).
    ("POST", "/api/companies"): r(401, 403, 403, 409, 409, 403, json={"name": "Matrix Co"}),
    ("GET", "/api/companies/{slug}"): everyone(200),
    ("PATCH", "/api/companies/{slug}"): r(401, 403, 403, 200, 403, 403, json={"about": "Resort on the beach"}),
    ("POST", "/api/companies/{slug}/members"): r(
        401, 403, 403, 201, 403, 403, json={"username": "{member}", "role": "member"}
    ),
    ("DELETE", "/api/companies/{slug}/members/{username}"): r(
        401, 403, 403, 204, 403, 403, params={"username": "{member}"}
    ),
    # Jobs: anyone searches and reads open jobs; the company posts and manages them.
    ("GET", "/api/jobs"): everyone(200),
    ("GET", "/api/jobs/for-you"): members(200),
    ("POST", "/api/jobs"): r(401, 403, 403, 201, 403, 403, json=job_body("{slug}")),
    ("GET", "/api/jobs/{job_id}"): everyone(200),
    ("PATCH", "/api/jobs/{job_id}"): r(401, 403, 403, 200, 403, 403, json={"title": "Head Chef"}),
    ("POST", "/api/jobs/{job_id}/feature"): r(401, 403, 403, 200, 403, 403),
    ("POST", "/api/jobs/{job_id}/views"): everyone(204),
    ("GET", "/api/jobs/{job_id}/stats"): r(401, 403, 403, 200, 403, 403),
    ("DELETE", "/api/jobs/{job_id}"): r(401, 403, 403, 204, 403, 403, fresh="job"),
    # The seeker applied already; a company's own team cannot apply to its job.
    ("POST", "/api/jobs/{job_id}/apply"): r(401, 409, 201, 403, 201, 201, json={"cover_letter": "Hire me"}),
    ("GET", "/api/jobs/{job_id}/applications"): r(401, 403, 403, 200, 403, 403),
    ("GET", "/api/applications/mine"): members(200),
    ("GET", "/api/applications/{application_id}"): r(401, 200, 404, 200, 404, 404),
    ("PATCH", "/api/applications/{application_id}"): r(
        401, 403, 404, 200, 404, 404, json={"status": "reviewing"}, fresh="application"
    ),
    # Several at once, and the team's notes: the company's team only (the applicant too gets 404).
    ("POST", "/api/applications/bulk-status"): r(
        401,
        404,
        404,
        200,
        404,
        404,
        json={"application_ids": ["{application_id}"], "status": "reviewing"},
        fresh="application",
    ),
    ("GET", "/api/applications/{application_id}/notes"): r(401, 404, 404, 200, 404, 404),
    ("POST", "/api/applications/{application_id}/notes"): r(401, 404, 404, 201, 404, 404, json={"body": "Matrix note"}),
    # The employer dashboard: employer accounts, each their own companies.
    ("GET", "/api/employer/dashboard"): r(401, 403, 403, 200, 200, 403),
    ("POST", "/api/employer/dashboard/seen"): r(401, 403, 403, 204, 204, 403),
    ("GET", "/api/saved-searches"): members(200),
    ("POST", "/api/saved-searches"): members(201, json={"query": {"q": "pastry"}, "frequency": "daily"}),
    # Unsubscribing from an alert email authenticates by the signed token in the link.
    ("GET", "/api/saved-searches/unsubscribe"): everyone(400, query="token=forged"),
    ("POST", "/api/saved-searches/unsubscribe"): everyone(400, query="token=forged"),
    ("DELETE", "/api/saved-searches/{saved_id}"): r(401, 204, 404, 404, 404, 404, fresh="saved_search"),
    # One's own account and profile.
    ("GET", "/api/users/me"): members(200),
    ("PATCH", "/api/users/me"): members(200, json={"headline": "Open to work"}),
    # Deleting is asked for with the password: a wrong one (the actors must outlive the row)
    # shows who reaches the check. The deletion itself: tests/privacy.
    ("DELETE", "/api/users/me"): members(403, json={"password": "not the password"}),
    ("GET", "/api/users/me/export"): members(200),
    ("POST", "/api/users/me/restore"): everyone(401, json={"email": "{actor}@example.com", "password": "not it"}),
    ("GET", "/api/users/me/suggestions"): members(200),
    ("POST", "/api/users/me/experience"): members(201, json=EXPERIENCE),
    ("PATCH", "/api/users/me/experience/{entry_id}"): r(
        401, 200, 404, 404, 404, 404, json={"title": "Sous chef"}, params={"entry_id": "{experience}"}
    ),
    ("DELETE", "/api/users/me/experience/{entry_id}"): r(401, 204, 404, 404, 404, 404, fresh="experience"),
    ("POST", "/api/users/me/education"): members(201, json=EDUCATION),
    ("PATCH", "/api/users/me/education/{entry_id}"): r(
        401, 200, 404, 404, 404, 404, json={"degree": "BSc"}, params={"entry_id": "{education}"}
    ),
    ("DELETE", "/api/users/me/education/{entry_id}"): r(401, 204, 404, 404, 404, 404, fresh="education"),
    ("GET", "/api/users/{username}"): everyone(200),
    ("GET", "/api/talent"): everyone(200),
    ("GET", "/api/users/me/blocked"): members(200),
    # Following and blocking someone who is nobody's resource ("bob"); the seeker's own rows.
    ("POST", "/api/users/{username}/follow"): members(200, params={"username": "{bystander}"}),
    ("DELETE", "/api/users/{username}/follow"): members(200, params={"username": "{bystander}"}),
    ("POST", "/api/users/{username}/block"): members(200, params={"username": "{bystander}"}),
    ("DELETE", "/api/users/{username}/block"): members(200, params={"username": "{bystander}"}),
    ("GET", "/api/users/{username}/followers"): everyone(200),
    ("GET", "/api/users/{username}/following"): everyone(200),
    ("POST", "/api/reports"): members(
        201, json={"target_type": "post", "target_id": "{post_id}", "reason": "Looks like spam"}
    ),
    # Posts: members read them; the author edits; the author or an admin deletes.
    ("GET", "/api/feed"): members(200),
    ("POST", "/api/posts"): members(201, json=POST),
    ("GET", "/api/posts/{post_id}"): members(200),
    ("PATCH", "/api/posts/{post_id}"): r(401, 200, 403, 403, 403, 403, json={"body": "Edited by its author"}),
    ("DELETE", "/api/posts/{post_id}"): r(401, 204, 403, 403, 403, 204, fresh="post"),
    ("POST", "/api/posts/{post_id}/like"): members(200),
    ("DELETE", "/api/posts/{post_id}/like"): members(200),
    ("GET", "/api/posts/{post_id}/comments"): members(200),
    ("POST", "/api/posts/{post_id}/comments"): members(201, json={"body": "Good luck!"}),
    ("DELETE", "/api/comments/{comment_id}"): r(401, 204, 403, 403, 403, 204, fresh="comment"),
    ("GET", "/api/users/{username}/posts"): members(200),
    # Messages: only the two people in a conversation.
    ("GET", "/api/conversations"): members(200),
    ("POST", "/api/conversations"): members(201, json={"recipient": "{bystander}", **MESSAGE}),
    ("GET", "/api/conversations/{conversation_id}"): r(401, 200, 404, 200, 404, 404),
    ("GET", "/api/conversations/{conversation_id}/messages"): r(401, 200, 404, 200, 404, 404),
    ("POST", "/api/conversations/{conversation_id}/messages"): r(401, 201, 404, 201, 404, 404, json=MESSAGE),
    ("POST", "/api/conversations/{conversation_id}/read"): r(401, 200, 404, 200, 404, 404),
    # Notifications: one's own.
    ("GET", "/api/notifications"): members(200),
    ("POST", "/api/notifications/read"): members(200, json={"all": True}),
    ("GET", "/api/notifications/counts"): members(200),
    ("GET", "/api/notifications/preferences"): members(200),
    ("PUT", "/api/notifications/preferences"): members(200, json={"email": {}}),
    ("POST", "/api/notifications/unsubscribe"): everyone(400, json={"token": "forged"}),
    ("POST", "/api/uploads"): members(201, fresh="upload_form"),
    # Plans and one's own subscription.
    ("GET", "/api/subscriptions/tiers"): everyone(200),
    ("GET", "/api/subscriptions/me"): members(200),
    ("POST", "/api/subscriptions/checkout"): r(401, 409, 200, 409, 409, 200, json={"tier": "pro", "interval": "month"}),
    ("GET", "/api/subscriptions/portal"): members(200),
    ("POST", "/api/subscriptions/cancel"): r(401, 200, 404, 200, 200, 404),
    ("POST", "/api/subscriptions/reactivate"): r(401, 200, 404, 200, 200, 404),
    # Public pages.
    ("GET", "/"): everyone(200),
    ("GET", "/favicon.ico"): everyone(301),
    ("GET", "/docs"): everyone(200),
    ("GET", "/robots.txt"): everyone(200),
    # The legal documents and the terms' acceptance; the cookie choice exists only while GA4 or
    # PostHog is configured (tests/legal/test_consent.py), so it is a 404 here.
    ("GET", "/terms"): everyone(200),
    ("GET", "/privacy"): everyone(200),
    ("GET", "/cookies"): everyone(200),
    ("GET", "/refunds"): everyone(200),
    ("POST", "/legal/accept"): members(303, anonymous=401, form={"version": "2000-01-01"}),
    ("POST", "/consent"): everyone(404, form={"choice": "accept"}),
    ("GET", "/api/legal/documents"): everyone(200),
    ("POST", "/api/legal/terms/accept"): members(409, json={"version": "2000-01-01"}),
    # The outbox exists only in development.
    ("GET", "/dev/outbox"): everyone(404),
    ("GET", "/dev/outbox/{name}"): everyone(404, params={"name": "anything"}),
    ("GET", "/register"): members(303, anonymous=200),
    ("POST", "/register"): everyone(422, form={"email": "not-an-email"}),
    ("GET", "/verify-email"): everyone(400, query="token=forged"),
    ("POST", "/account/resend-verification"): members(409, form={}),
    ("GET", "/login"): members(303, anonymous=200),
    ("POST", "/login"): everyone(401, form={"email": "nobody-{actor}@example.com", "password": PASSWORD}),
    ("POST", "/logout"): r(303, 303, 303, 303, 303, 303, form={}, fresh="session"),
    ("GET", "/forgot-password"): everyone(200),
    ("POST", "/forgot-password"): everyone(200, form={"email": "nobody@example.com"}),
    # The form opens for any link; the token is checked when it is sent.
    ("GET", "/reset-password"): everyone(200, query="token=forged"),
    ("POST", "/reset-password"): everyone(400, form={"token": "forged", "new_password": PASSWORD}),
    # One's own account pages.
    ("GET", "/account"): members(200, anonymous=303),
    ("POST", "/account/profile"): members(303, form={"first_name": "Same", "last_name": "Rolle"}),
    ("POST", "/account/privacy"): members(303, form={"messages_from": "everyone", "search_engine_indexing": "1"}),
    ("POST", "/account/password"): members(
        403, form={"current_password": "wrong-password-123", "new_password": "another-password-456"}
    ),
    ("POST", "/account/sessions/{session_id}/revoke"): r(401, 303, 404, 404, 404, 404, form={}, fresh="seeker_session"),
    ("POST", "/account/delete"): members(403, form={"password": "not the password"}),
    # Asking for a copy of one's data; its emailed link is signed for its owner (a forged one
    # is no export: tests/privacy/test_export_archive.py drives the real links).
    ("POST", "/account/export"): members(303, form={}),
    ("GET", "/account/export/{token}"): r(303, 404, 404, 404, 404, 404, params={"token": "forged"}),
    ("POST", "/account/restore"): everyone(401, form={"email": "{actor}@example.com", "password": "not it"}),
    # Company pages.
    # The form shows to anyone signed in (it says who may send it); sending it is what is refused.
    ("GET", "/companies/new"): members(200, anonymous=303),
    ("POST", "/companies/new"): r(401, 403, 403, 409, 409, 403, form={"name": "Matrix Pages Co"}),
    ("GET", "/companies/{slug}"): everyone(200),
    ("GET", "/companies/{slug}/edit"): r(303, 403, 403, 200, 403, 403),
    ("POST", "/companies/{slug}/edit"): r(401, 403, 403, 303, 403, 403, form={"name": "Coral Reef Resort"}),
    ("POST", "/companies/{slug}/members"): r(401, 403, 403, 303, 403, 403, form={"username": "{member}"}),
    ("POST", "/companies/{slug}/members/{username}/remove"): r(
        401, 403, 403, 303, 403, 403, form={}, params={"username": "{member}"}
    ),
    # Job pages.
    ("GET", "/jobs"): everyone(200),
    ("GET", "/jobs/for-you"): members(200, anonymous=303),
    ("GET", "/jobs/new"): members(200, anonymous=303),
    ("POST", "/jobs/new"): r(401, 403, 403, 303, 403, 403, form=JOB_FORM),
    ("GET", "/jobs/{job_id}/edit"): r(303, 403, 403, 200, 403, 403),
    ("GET", "/jobs/{job_id}/stats"): r(303, 403, 403, 200, 403, 403),
    ("POST", "/jobs/{job_id}/edit"): r(401, 403, 403, 303, 403, 403, form=JOB_FORM),
    ("POST", "/jobs/{job_id}/status"): r(401, 403, 403, 303, 403, 403, form={"status": "open"}),
    ("POST", "/jobs/{job_id}/feature"): r(401, 403, 403, 303, 403, 403, form={}),
    ("GET", "/jobs/alerts"): members(200, anonymous=303),
    ("POST", "/jobs/alerts"): members(303, form={"frequency": "daily", "q": "bartender"}),
    ("POST", "/jobs/alerts/{saved_id}/delete"): r(401, 303, 404, 404, 404, 404, form={}, fresh="saved_search"),
    ("GET", "/jobs/alerts/unsubscribe"): everyone(400, query="token=forged"),
    ("GET", "/sitemap.xml"): everyone(200),
    ("GET", "/jobs/feed.atom"): everyone(200),
    ("POST", "/jobs/{job_id}/apply"): r(401, 303, 303, 403, 303, 303, form={"cover_letter": "Hire me"}, fresh="job"),
    ("GET", "/jobs/{job_id}/applicants"): r(303, 403, 403, 200, 403, 403),
    # Published already: the team is sent to the job page.
    ("GET", "/jobs/{job_id}/publish"): r(303, 403, 403, 303, 403, 403),
    ("POST", "/applications/bulk-status"): r(
        401,
        404,
        404,
        303,
        404,
        404,
        form={"application_ids": "{application_id}", "status": "reviewing"},
        fresh="application",
    ),
    ("POST", "/applications/{application_id}/notes"): r(401, 404, 404, 303, 404, 404, form={"body": "Matrix note"}),
    ("GET", "/employer"): r(303, 403, 403, 200, 200, 403),
    ("POST", "/applications/{application_id}/status"): r(
        401, 403, 404, 303, 404, 404, form={"status": "reviewing"}, fresh="application"
    ),
    ("POST", "/applications/{application_id}/withdraw"): r(401, 303, 404, 403, 404, 404, form={}, fresh="application"),
    ("GET", "/applications"): members(200, anonymous=303),
    # To the file's own (short-lived) address.
    ("GET", "/applications/{application_id}/cv"): r(303, 303, 404, 303, 404, 404),
    ("GET", "/jobs/{ref}"): everyone(200),
    # Profile pages.
    ("GET", "/u/{username}"): everyone(200),
    ("GET", "/profile/edit"): members(200, anonymous=303),
    ("POST", "/profile/edit"): members(303, form={"first_name": "Same", "last_name": "Rolle", "username": "{me}"}),
    ("POST", "/profile/avatar"): members(303, fresh="avatar_form"),
    ("POST", "/profile/avatar/remove"): members(303, form={}),
    ("POST", "/profile/cv/remove"): members(303, form={}),
    ("POST", "/profile/experience"): members(303, form=EXPERIENCE),
    ("POST", "/profile/experience/{entry_id}/delete"): r(401, 303, 404, 404, 404, 404, form={}, fresh="experience"),
    ("POST", "/profile/education"): members(303, form=EDUCATION),
    ("POST", "/profile/education/{entry_id}/delete"): r(401, 303, 404, 404, 404, 404, form={}, fresh="education"),
    ("GET", "/talent"): everyone(200),
    ("POST", "/u/{username}/follow"): members(303, form={}, params={"username": "{bystander}"}),
    ("POST", "/u/{username}/unfollow"): members(303, form={}, params={"username": "{bystander}"}),
    ("POST", "/u/{username}/block"): members(303, form={}, params={"username": "{bystander}"}),
    ("POST", "/u/{username}/unblock"): members(303, form={}, params={"username": "{bystander}"}),
    ("GET", "/u/{username}/followers"): everyone(200),
    ("GET", "/u/{username}/following"): everyone(200),
    ("GET", "/profile/blocked"): members(200, anonymous=303),
    ("GET", "/report"): members(200, anonymous=303, query="target_type=post&target_id={post_id}"),
    ("POST", "/report"): members(
        303, form={"target_type": "post", "target_id": "{post_id}", "reason": "Looks like spam"}
    ),
    # Post pages.
    ("POST", "/posts"): members(303, form=POST),
    ("GET", "/posts/{post_id}"): members(200, anonymous=303),
    ("GET", "/posts/{post_id}/edit"): r(303, 200, 403, 403, 403, 403),
    ("POST", "/posts/{post_id}/edit"): r(401, 303, 403, 403, 403, 403, form={"body": "Edited on the page"}),
    ("POST", "/posts/{post_id}/delete"): r(401, 303, 403, 403, 403, 303, form={}, fresh="post"),
    ("POST", "/posts/{post_id}/like"): members(303, form={}),
    ("POST", "/posts/{post_id}/unlike"): members(303, form={}),
    ("POST", "/posts/{post_id}/comments"): members(303, form={"body": "Nice"}),
    ("POST", "/comments/{comment_id}/delete"): r(401, 303, 403, 403, 403, 303, form={}, fresh="comment"),
    # Message pages.
    ("GET", "/messages"): members(200, anonymous=303),
    ("GET", "/messages/_list"): members(200, anonymous=303),
    ("GET", "/messages/new"): members(200, anonymous=303),
    ("GET", "/messages/new/people"): members(200, anonymous=303, query="q=ann"),
    ("POST", "/messages"): members(303, form={"recipient": "{bystander}", **MESSAGE}),
    ("GET", "/messages/{conversation_id}"): r(303, 200, 404, 200, 404, 404),
    ("POST", "/messages/{conversation_id}"): r(401, 303, 404, 303, 404, 404, form=MESSAGE),
    # Notification pages.
    ("GET", "/notifications"): members(200, anonymous=303),
    ("GET", "/notifications/_list"): members(200, anonymous=303),
    ("POST", "/notifications/read"): members(303, form={"all": "1"}),
    ("GET", "/account/notifications"): members(200, anonymous=303),
    ("POST", "/account/notifications"): members(303, form={}),
    ("GET", "/notifications/unsubscribe"): everyone(400, query="token=forged"),
    ("POST", "/notifications/unsubscribe"): everyone(400, form={"token": "forged"}),
    # Pictures: an avatar of a public profile is public.
    ("GET", "/media/{upload_id}/{variant}"): everyone(200),
    # Billing pages.
    ("GET", "/pricing"): everyone(200),
    # Help and support: open to everyone. A refused request, so the matrix uses up no allowance
    # of the contact form's rate limit (tests/support drives the sending).
    ("GET", "/help"): everyone(200, query="q=password"),
    ("GET", "/help/{slug}"): everyone(200, params={"slug": "faq"}),
    ("GET", "/contact"): everyone(200),
    ("POST", "/contact"): everyone(422, form={"topic": "not-a-topic", "message": "Hello there, a question."}),
    ("GET", "/contact/sent"): everyone(200),
    ("POST", "/billing/checkout"): r(401, 409, 303, 409, 409, 303, form={"tier": "pro", "interval": "month"}),
    ("GET", "/account/billing"): members(200, anonymous=303),
    ("GET", "/account/billing/cancel"): r(303, 200, 404, 200, 200, 404),
    ("POST", "/account/billing/cancel"): r(401, 303, 404, 303, 303, 404, form={}),
    ("POST", "/account/billing/reactivate"): r(401, 303, 404, 303, 303, 404, form={}),
    # Without Stripe, to the local billing portal.
    ("GET", "/account/billing/portal"): members(303, anonymous=303),
    ("GET", "/billing/portal"): members(200, anonymous=303),
    ("GET", "/static/{path}"): everyone(200, params={"path": "favicon.svg"}),
    # The socket's handshake is not HTTP: tests/realtime/test_ws.py holds who may open it.
    # The staff area: the admin only (tests/staff covers moderators). The API answers members
    # 403; the pages answer them 404, so the area does not announce itself. The suspension is
    # lifted by the next row, so the rows after see the same world.
    ("GET", "/api/admin/users"): r(401, 403, 403, 403, 403, 200),
    ("GET", "/api/admin/users/{username}"): r(401, 403, 403, 403, 403, 200, params={"username": "{member}"}),
    ("POST", "/api/admin/users/{username}/delete"): r(
        401, 403, 403, 403, 403, 422, json={"reason": ""}, params={"username": "{member}"}
    ),
    ("POST", "/api/admin/users/{username}/suspend"): r(
        401, 403, 403, 403, 403, 200, json={"reason": "Matrix"}, params={"username": "{member}"}
    ),
    ("POST", "/api/admin/users/{username}/reinstate"): r(
        401, 403, 403, 403, 403, 200, json={}, params={"username": "{member}"}
    ),
    ("POST", "/api/admin/users/{username}/verify-email"): r(
        401, 403, 403, 403, 403, 409, params={"username": "{member}"}
    ),
    ("PUT", "/api/admin/users/{username}/role"): r(
        401, 403, 403, 403, 403, 200, json={"role": "moderator"}, params={"username": "{member}"}
    ),
    # Refused bodies and a comp that is not there: the member keeps their sessions and plan.
    ("POST", "/api/admin/users/{username}/force-password-reset"): r(
        401, 403, 403, 403, 403, 422, json={"reason": ""}, params={"username": "{member}"}
    ),
    ("POST", "/api/admin/users/{username}/comp"): r(
        401,
        403,
        403,
        403,
        403,
        422,
        json={"tier": "free", "months": 1, "reason": "Matrix"},
        params={"username": "{member}"},
    ),
    ("POST", "/api/admin/users/{username}/comp/end"): r(
        401, 403, 403, 403, 403, 404, json={"reason": "Matrix"}, params={"username": "{member}"}
    ),
    ("GET", "/api/admin/companies"): r(401, 403, 403, 403, 403, 200),
    ("POST", "/api/admin/companies/{slug}/verify"): r(401, 403, 403, 403, 403, 200),
    ("DELETE", "/api/admin/companies/{slug}/verify"): r(401, 403, 403, 403, 403, 200),
    ("GET", "/admin/companies"): r(303, 404, 404, 404, 404, 200),
    ("GET", "/api/admin/analytics/summary"): r(401, 403, 403, 403, 403, 200),
    ("GET", "/api/admin/analytics/timeseries"): r(401, 403, 403, 403, 403, 200, query="metric=mrr_cents"),
    ("GET", "/admin/analytics"): r(303, 404, 404, 404, 404, 200),
    ("GET", "/admin/analytics/charts/{chart}.svg"): r(303, 404, 404, 404, 404, 200, params={"chart": "movements"}),
    ("GET", "/admin/analytics/{table}.csv"): r(303, 404, 404, 404, 404, 200, params={"table": "cohorts"}),
    ("POST", "/admin/companies/{slug}/verify"): r(401, 404, 404, 404, 404, 303, form={"verified": "no"}),
    # Newsletters: admins only. A newsletter that does not exist: its pages answer 404, its forms
    # go back with the reason (tests/lifecycle/test_newsletters.py drives real ones).
    ("GET", "/admin/newsletters"): r(303, 404, 404, 404, 404, 200),
    ("POST", "/admin/newsletters"): r(401, 404, 404, 404, 404, 422, form={"subject": ""}),
    ("GET", "/admin/newsletters/{newsletter_id}"): r(303, 404, 404, 404, 404, 404, params=NO_NEWSLETTER),
    ("GET", "/admin/newsletters/{newsletter_id}/preview"): r(303, 404, 404, 404, 404, 404, params=NO_NEWSLETTER),
    ("POST", "/admin/newsletters/{newsletter_id}"): r(
        401, 404, 404, 404, 404, 303, form={"subject": "Hi", "body": "Hello"}, params=NO_NEWSLETTER
    ),
    ("POST", "/admin/newsletters/{newsletter_id}/test"): r(401, 404, 404, 404, 404, 303, form={}, params=NO_NEWSLETTER),
    ("POST", "/admin/newsletters/{newsletter_id}/schedule"): r(
        401, 404, 404, 404, 404, 303, form={}, params=NO_NEWSLETTER
    ),
    # The job stays up for the rows after: an empty reason is refused, and it is not flagged.
    ("GET", "/api/admin/jobs/flagged"): r(401, 403, 403, 403, 403, 200),
    ("POST", "/api/admin/jobs/{job_id}/takedown"): r(401, 403, 403, 403, 403, 422, json={"reason": ""}),
    ("POST", "/api/admin/jobs/{job_id}/clear-flags"): r(401, 403, 403, 403, 403, 409),
    ("GET", "/admin/jobs"): r(303, 404, 404, 404, 404, 200),
    ("POST", "/admin/jobs/{job_id}/takedown"): r(401, 404, 404, 404, 404, 303, form={"reason": ""}),
    ("POST", "/admin/jobs/{job_id}/clear-flags"): r(401, 404, 404, 404, 404, 303, form={}),
    # An upload id nobody has: the admin may ask, and hears there is none.
    ("GET", "/api/admin/uploads/quarantined"): r(401, 403, 403, 403, 403, 200),
    ("POST", "/api/admin/uploads/{upload_id}/release"): r(
        401, 403, 403, 403, 403, 404, json={"reason": "Matrix"}, params={"upload_id": str(uuid.UUID(int=1))}
    ),
    ("POST", "/api/admin/uploads/{upload_id}/delete"): r(
        401, 403, 403, 403, 403, 404, json={"reason": "Matrix"}, params={"upload_id": str(uuid.UUID(int=1))}
    ),
    ("GET", "/admin/uploads"): r(303, 404, 404, 404, 404, 200),
    ("POST", "/admin/uploads/{upload_id}/release"): r(
        401, 404, 404, 404, 404, 303, form={"reason": "Matrix"}, params={"upload_id": str(uuid.UUID(int=1))}
    ),
    ("POST", "/admin/uploads/{upload_id}/delete"): r(
        401, 404, 404, 404, 404, 303, form={"reason": "Matrix"}, params={"upload_id": str(uuid.UUID(int=1))}
    ),
    ("GET", "/api/admin/reports"): r(401, 403, 403, 403, 403, 200),
    # A report id nobody filed: the admin may ask, and hears there is none.
    ("POST", "/api/admin/reports/{report_id}/resolve"): r(
        401, 403, 403, 403, 403, 404, json={"action": "dismiss"}, params={"report_id": str(uuid.UUID(int=1))}
    ),
    ("GET", "/admin/reports"): r(303, 404, 404, 404, 404, 200),
    ("POST", "/admin/reports/{report_id}/resolve"): r(
        401, 404, 404, 404, 404, 303, form={"action": "dismiss"}, params={"report_id": str(uuid.UUID(int=1))}
    ),
    ("GET", "/api/admin/audit"): r(401, 403, 403, 403, 403, 200),
    ("GET", "/api/admin/audit.csv"): r(401, 403, 403, 403, 403, 200),
    ("GET", "/admin"): r(303, 404, 404, 404, 404, 200),
    ("GET", "/admin/users"): r(303, 404, 404, 404, 404, 200),
    ("GET", "/admin/users/{username}"): r(303, 404, 404, 404, 404, 200, params={"username": "{member}"}),
    ("GET", "/admin/audit"): r(303, 404, 404, 404, 404, 200),
    ("POST", "/admin/users/{username}/delete"): r(
        401, 404, 404, 404, 404, 422, form={"reason": ""}, params={"username": "{member}"}
    ),
    ("POST", "/admin/users/{username}/suspend"): r(
        401, 404, 404, 404, 404, 303, form={"reason": "Matrix"}, params={"username": "{member}"}
    ),
    ("POST", "/admin/users/{username}/reinstate"): r(
        401, 404, 404, 404, 404, 303, form={}, params={"username": "{member}"}
    ),
    ("POST", "/admin/users/{username}/verify-email"): r(
        401, 404, 404, 404, 404, 409, form={}, params={"username": "{member}"}
    ),
    ("POST", "/admin/users/{username}/role"): r(
        401, 404, 404, 404, 404, 303, form={"role": ""}, params={"username": "{member}"}
    ),
    ("POST", "/admin/users/{username}/force-password-reset"): r(
        401, 404, 404, 404, 404, 422, form={"reason": ""}, params={"username": "{member}"}
    ),
    ("POST", "/admin/users/{username}/comp"): r(
        401,
        404,
        404,
        404,
        404,
        422,
        form={"tier": "pro", "months": "0", "reason": "Matrix"},
        params={"username": "{member}"},
    ),
    ("POST", "/admin/users/{username}/comp/end"): r(
        401, 404, 404, 404, 404, 404, form={"reason": "Matrix"}, params={"username": "{member}"}
    ),
    # sqladmin's pages (plans, skills) sit behind the staff check (tests/staff/test_data_admin.py
    # walks them); its files are public, like /static.
    ("GET", "/admin/data/{path}"): everyone(200, params={"path": "statics/css/main.css"}),
    ("WS", "/ws"): everyone(ELSEWHERE),
}


@dataclass
class Actor:
    """One actor's two clients: the API one sends a bearer token and keeps no cookie; the page
    one is a browser (session cookie, CSRF cookie and the token its pages carry)."""

    name: str
    account: Person | None
    csrf_cookie: str = ""
    csrf_token: str = ""


@dataclass
class World:
    app: FastAPI
    runtime: Runtime
    client: httpx.AsyncClient
    actors: dict[str, Actor]
    values: dict[str, str]

    def account(self, name: str) -> Person:
        account = self.actors[name].account
        assert account is not None
        return account


async def _api(world: World, method: str, path: str, who: Person, **kwargs: Any) -> httpx.Response:
    world.client.cookies.clear()
    response = await world.client.request(method, path, headers=who.headers, **kwargs)
    world.client.cookies.clear()
    return response


async def _created(world: World, path: str, who: str, body: dict[str, Any], key: str) -> str:
    response = await _api(world, "POST", path, world.account(who), json=body)
    assert response.status_code == 201, (path, response.text)
    return str(response.json()[key]["id"])


async def _session(world: World, who: str) -> Person:
    """The same account signed in once more, for a request that ends its session."""
    account = world.account(who)
    async with world.runtime.database.sessionmaker.begin() as session:
        user = await session.get_one(User, account.id)
        login = await start_session(session, world.runtime.settings, user, ClientInfo())
    tokens = login.tokens
    return Person(account.email, PASSWORD, tokens.access_token, tokens.refresh_token, account.user, login.cookie_value)


async def _fresh_post(world: World) -> dict[str, str]:
    return {"post_id": await _created(world, "/api/posts", "seeker", POST, "post")}


async def _fresh_comment(world: World) -> dict[str, str]:
    path = f"/api/posts/{world.values['post_id']}/comments"
    return {"comment_id": await _created(world, path, "seeker", {"body": "Mine"}, "comment")}


async def _fresh_job(world: World) -> dict[str, str]:
    job = await post_job(world.client, world.account("employer"), world.values["slug"], title="Pool Attendant")
    world.client.cookies.clear()
    return {"job_id": str(job["id"])}


async def _fresh_application(world: World) -> dict[str, str]:
    job_id = (await _fresh_job(world))["job_id"]
    path = f"/api/jobs/{job_id}/apply"
    return {"application_id": await _created(world, path, "seeker", {"cover_letter": "Hi"}, "application")}


async def _fresh_saved_search(world: World) -> dict[str, str]:
    body = {"query": {"q": f"chef {uuid.uuid4().hex[:8]}"}, "frequency": "daily"}
    return {"saved_id": await _created(world, "/api/saved-searches", "seeker", body, "saved_search")}


async def _fresh_experience(world: World) -> dict[str, str]:
    return {"entry_id": await _created(world, "/api/users/me/experience", "seeker", EXPERIENCE, "experience")}


async def _fresh_education(world: World) -> dict[str, str]:
    return {"entry_id": await _created(world, "/api/users/me/education", "seeker", EDUCATION, "education")}


async def _fresh_seeker_session(world: World) -> dict[str, str]:
    """Another sign-in of the seeker's, for revoking it (a session cookie starts with its id)."""
    fresh = await _session(world, "seeker")
    return {"session_id": str(uuid.UUID(fresh.cookie.split(".", 1)[0]))}


async def _no_params(world: World) -> dict[str, str]:
    """For rows whose fresh thing is the actor's own session or a file (see _send)."""
    return {}


FRESH: dict[str, Callable[[World], Awaitable[dict[str, str]]]] = {
    "post": _fresh_post,
    "comment": _fresh_comment,
    "job": _fresh_job,
    "application": _fresh_application,
    "saved_search": _fresh_saved_search,
    "experience": _fresh_experience,
    "education": _fresh_education,
    "seeker_session": _fresh_seeker_session,
    "session": _no_params,
    "upload_form": _no_params,
    "avatar_form": _no_params,
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def _filled(data: Any, values: dict[str, str]) -> Any:
    if isinstance(data, str):
        return _fill(data, values)
    if isinstance(data, dict):
        return {key: _filled(value, values) for key, value in data.items()}
    if isinstance(data, list):
        return [_filled(value, values) for value in data]
    return data


def _is_page(path: str) -> bool:
    return not path.startswith("/api/")


async def _send(world: World, method: str, template: str, row: Row, actor: Actor) -> httpx.Response:
    values = {**world.values, "actor": actor.name, "me": actor.account.username if actor.account else ""}
    values.update(_filled(row.params, values))
    if row.fresh:
        values.update(await FRESH[row.fresh](world))
    account = actor.account
    if row.fresh == "session" and account is not None:
        account = await _session(world, actor.name)
    path = _fill(template, values) + (f"?{_fill(row.query, values)}" if row.query else "")
    client = world.client
    client.cookies.clear()
    headers: dict[str, str] = {}
    kwargs: dict[str, Any] = {}
    if row.json is not None:
        kwargs["json"] = _filled(row.json, values)
    if row.fresh == "upload_form":
        kwargs["files"] = {"file": ("reef.jpg", picture(), "image/jpeg")}
        kwargs["data"] = {"purpose": "post_image"}
    if _is_page(template):
        if row.fresh == "avatar_form":
            kwargs["files"] = {"avatar": ("me.jpg", picture(), "image/jpeg")}
        client.cookies.set("hmb_csrf", actor.csrf_cookie)
        if account is not None:
            client.cookies.set("hmb_session", account.cookie)
        if method not in ("GET", "HEAD"):
            kwargs["data"] = {**_filled(row.form or {}, values), "csrf_token": actor.csrf_token}
    elif account is not None:
        headers = account.headers
    response = await client.request(method, path, headers=headers, **kwargs)
    client.cookies.clear()
    return response


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route: HTTP methods, WS for sockets, GET for mounted files."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        assert route.path is not None
        path = re.sub(r":\w+}", "}", route.path)  # "{job_id:uuid}": a row names the parameter only
        methods = route.methods
        if methods:
            found.update((method, path) for method in methods)
        elif type(route.original_route).__name__ == "Mount":
            found.add(("GET", f"{path}/{{path}}"))
        else:
            found.add(("WS", path))
    return found


def test_every_route_has_a_row(app: FastAPI) -> None:
    routes = app_routes(app)
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, "\n".join(f"route {m} {p} has no row in the access matrix" for m, p in missing)
    assert not stale, "\n".join(f"the access matrix has a row for {m} {p}, which is no route" for m, p in stale)


async def _world(app: FastAPI, runtime: Runtime, client: httpx.AsyncClient) -> World:
    people = {
        "seeker": await person(runtime, "sam@example.com", first_name="Sam"),
        "other_seeker": await person(runtime, "olive@example.com", first_name="Olive"),
        "employer": await person(runtime, "bea@example.com", first_name="Bea", employer=True),
        "other_employer": await person(runtime, "rex@example.com", first_name="Rex", employer=True),
        "admin": await person(runtime, "ada@example.com", first_name="Ada"),
    }
    bystander = await person(runtime, "bob@example.com", first_name="Bob")
    member = await person(runtime, "mia@example.com", first_name="Mia", employer=True, business=False)
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == people["admin"].id).values(staff_role=StaffRole.ADMIN))
        # The employers' Business plans were written without the billing account a checkout makes.
        for name in ("employer", "other_employer"):
            owner = people[name].id
            session.add(BillingCustomer(user_id=owner, stripe_customer_id=f"cus_test_{owner.hex}"))
    world = World(app, runtime, client, {}, {"bystander": bystander.username, "member": member.username})
    world.actors = {"anonymous": Actor("anonymous", None), **{name: Actor(name, p) for name, p in people.items()}}
    company = await create_company(client, people["employer"], "Coral Reef Resort", island="new_providence")
    await create_company(client, people["other_employer"], "Blue Lagoon Tours", island="grand_bahama")
    job = await post_job(client, people["employer"], company["slug"])
    world.values.update(slug=company["slug"], job_id=str(job["id"]), username=people["seeker"].username)
    world.values["ref"] = str(job["url"]).rstrip("/").rsplit("/", 1)[1]
    world.values["post_id"] = (await _fresh_post(world))["post_id"]
    world.values["comment_id"] = (await _fresh_comment(world))["comment_id"]
    world.values["experience"] = (await _fresh_experience(world))["entry_id"]
    world.values["education"] = (await _fresh_education(world))["entry_id"]
    world.values["saved_id"] = (await _fresh_saved_search(world))["saved_id"]
    world.values["session_id"] = (await _fresh_seeker_session(world))["session_id"]
    cv = await _api(
        world,
        "POST",
        "/api/uploads",
        people["seeker"],
        files={"file": ("cv.pdf", pdf(), "application/pdf")},
        data={"purpose": "cv"},
    )
    assert cv.status_code == 201, cv.text
    path = f"/api/jobs/{job['id']}/apply"
    application = {"cover_letter": "Hi", "cv_upload_id": cv.json()["id"]}
    world.values["application_id"] = await _created(world, path, "seeker", application, "application")
    start = {"recipient": people["employer"].username, **MESSAGE}
    world.values["conversation_id"] = await _created(world, "/api/conversations", "seeker", start, "conversation")
    checkout = await _api(
        world, "POST", "/api/subscriptions/checkout", people["seeker"], json={"tier": "pro", "interval": "month"}
    )
    assert checkout.status_code == 200, checkout.text
    world.values["token"] = checkout.json()["url"].rstrip("/").rsplit("/", 1)[1]
    for actor in world.actors.values():
        client.cookies.clear()
        if actor.account is not None:
            client.cookies.set("hmb_session", actor.account.cookie)
        # A page with a form, so that it hands out the token (signed in, /login redirects).
        actor.csrf_token = await page_csrf(client, "/account" if actor.account else "/login")
        actor.csrf_cookie = client.cookies["hmb_csrf"]
    await _send(world, "POST", "/profile/avatar", Row(expect=(0,) * 6, fresh="avatar_form"), world.actors["seeker"])
    me = await _api(world, "GET", f"/api/users/{people['seeker'].username}", people["seeker"])
    avatar = str(me.json()["profile"]["avatar_url"] or "")
    match = re.search(r"/media/([^/]+)/([^/?]+)", avatar)
    assert match, me.text
    world.values.update(upload_id=match.group(1), variant=match.group(2))
    return world


def _order(row: Row) -> list[int]:
    """Actors the row refuses first, so that those it lets through cannot change what they see."""
    return sorted(range(len(ACTORS)), key=lambda index: row.expect[index] < 400)


async def test_each_actor_gets_what_the_matrix_says(app: FastAPI, runtime: Runtime) -> None:
    # A server error is one more wrong answer to list, not the end of the run.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        world = await _world(app, runtime, client)
        wrong = await _wrong_answers(world)
    assert not wrong, f"{len(wrong)} answers differ from the access matrix:\n" + "\n".join(wrong)


async def _wrong_answers(world: World) -> list[str]:
    wrong: list[str] = []
    for (method, template), row in MATRIX.items():
        if row.expect[0] == ELSEWHERE:
            continue
        for index in _order(row):
            actor = world.actors[ACTORS[index]]
            response = await _send(world, method, template, row, actor)
            if response.status_code != row.expect[index]:
                body = response.text[:160].replace("\n", " ")
                wrong.append(
                    f"{method} {template} as {actor.name}: {response.status_code}, expected {row.expect[index]}: {body}"
                )
    return wrong
