"""The staff area's newsletters and announcements (`/admin/newsletters`, admins only): compose in
Markdown, preview both parts, send a test to yourself, schedule, and follow the counts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from hiremebahamas.core.errors import AppError, ValidationFailed
from hiremebahamas.core.times import NASSAU, moment_text
from hiremebahamas.lifecycle import newsletters
from hiremebahamas.lifecycle.schemas import NewsletterIn, ScheduleIn
from hiremebahamas.models import Audience, CampaignStatus, Island, TierCode
from hiremebahamas.staff.deps import AdminPage
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.forms import FormStr, form_text, refused_form
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(prefix="/admin/newsletters", include_in_schema=False)

CHOICES = {
    "kinds": [("newsletter", "Newsletter"), ("announcement", "Announcement")],
    "audiences": [(a.value, a.value.capitalize()) for a in Audience],
    "tiers": [t.value for t in TierCode],
    "islands": [i.value for i in Island],
}


async def _read(request: Request) -> tuple[dict[str, str], NewsletterIn]:
    form = await form_text(request, "kind", "subject", "body", "audience", "tier", "island")
    # One select per audience that names something; the chosen audience says which counts.
    value = form[form["audience"]] if form["audience"] in ("tier", "island") else ""
    data = {
        "kind": form["kind"] or "newsletter",
        "subject": form["subject"],
        "body": form["body"],
        "audience": form["audience"] or "all",
        "audience_value": value or None,
    }
    return form, NewsletterIn.model_validate(data)


@router.get("")
async def newsletter_list(request: Request, auth: AdminPage, db: DbSession) -> Response:
    found = await newsletters.listing(db)
    rows = [(campaign, await newsletters.counts(db, campaign)) for campaign in found]
    return render(request, "staff/newsletters.html", {"rows": rows, "form": {}, "errors": {}, "message": "", **CHOICES})


@router.post("")
async def create(request: Request, auth: AdminPage, db: DbSession) -> Response:
    form: dict[str, str] = {}
    try:
        form, data = await _read(request)
        campaign = await newsletters.save(db, auth.user, data, None)
    except (AppError, ValidationError) as exc:
        errors, message, status = await refused_form(request, db, exc)
        context = {"rows": [], "form": form, "errors": errors, "message": message, **CHOICES}
        return render(request, "staff/newsletters.html", context, status_code=status)
    return redirect(request, f"/admin/newsletters/{campaign.id}", flash=("success", "Draft saved."))


@router.get("/{newsletter_id}")
async def detail(
    request: Request, newsletter_id: uuid.UUID, auth: AdminPage, db: DbSession, settings: AppSettings
) -> Response:
    campaign = await newsletters.get(db, newsletter_id)
    preview = newsletters.email_for(settings, campaign, auth.user)
    context = {
        "campaign": campaign,
        "counts": await newsletters.counts(db, campaign),
        "preview_text": preview.text,
        "editable": campaign.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED),
        **CHOICES,
    }
    return render(request, "staff/newsletter.html", context)


@router.get("/{newsletter_id}/preview")
async def preview(newsletter_id: uuid.UUID, auth: AdminPage, db: DbSession, settings: AppSettings) -> Response:
    """The HTML part as its readers get it (addressed to you), sandboxed: no script, no form."""
    campaign = await newsletters.get(db, newsletter_id)
    html = newsletters.email_for(settings, campaign, auth.user).html or ""
    policy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:"
    return HTMLResponse(html, headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"})


@router.post("/{newsletter_id}")
async def update(request: Request, newsletter_id: uuid.UUID, auth: AdminPage, db: DbSession) -> Response:
    try:
        _, data = await _read(request)
        await newsletters.save(db, auth.user, data, newsletter_id)
    except (AppError, ValidationError) as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, f"/admin/newsletters/{newsletter_id}", flash=("error", f"Not saved: {message}"))
    return redirect(request, f"/admin/newsletters/{newsletter_id}", flash=("success", "Draft saved."))


@router.post("/{newsletter_id}/test")
async def send_test(
    request: Request, newsletter_id: uuid.UUID, auth: AdminPage, db: DbSession, settings: AppSettings
) -> Response:
    try:
        await newsletters.send_test(db, settings, auth.user, newsletter_id)
    except AppError as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, "/admin/newsletters", flash=("error", message))
    flash = ("success", f"A test is on its way to {auth.user.email}.")
    return redirect(request, f"/admin/newsletters/{newsletter_id}", flash=flash)


def _utc(send_at: str) -> datetime | None:
    """The form's datetime-local, which has no zone: Nassau time, as the page says, as every
    time on the site is."""
    if not send_at:
        return None
    try:
        return datetime.fromisoformat(send_at).replace(tzinfo=NASSAU).astimezone(UTC)
    except ValueError as exc:
        message = "Enter a date and time, or leave it empty to send now."
        raise ValidationFailed(message, fields={"send_at": message}) from exc


@router.post("/{newsletter_id}/schedule")
async def schedule(
    request: Request, newsletter_id: uuid.UUID, auth: AdminPage, db: DbSession, send_at: FormStr = ""
) -> Response:
    try:
        data = ScheduleIn(send_at=_utc(send_at))
        campaign = await newsletters.schedule(db, auth.user, newsletter_id, data.send_at)
    except (AppError, ValidationError) as exc:
        _, message, _status = await refused_form(request, db, exc)
        return redirect(request, f"/admin/newsletters/{newsletter_id}", flash=("error", f"Not scheduled: {message}"))
    when = f"{moment_text(campaign.scheduled_for)} Nassau time" if campaign.scheduled_for else "now"
    return redirect(request, f"/admin/newsletters/{newsletter_id}", flash=("success", f"Scheduled for {when}."))
