"""Job alert pages: the list of your alerts, saving the current search as one, deleting one,
and the unsubscribe link of alert emails (works without signing in)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from hiremebahamas.accounts.deps import CurrentAuth
from hiremebahamas.core.errors import AppError
from hiremebahamas.jobs.alerts import service as alerts
from hiremebahamas.jobs.alerts.schemas import SavedSearchIn
from hiremebahamas.jobs.postings.forms import PAGE_DEPENDENCIES
from hiremebahamas.web.deps import AppSettings, DbSession, discard_attempt
from hiremebahamas.web.forms import FormStr
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)

_QUERY_KEYS = ("q", "island", "employment_type", "remote", "salary_min", "category", "company", "posted_within_days")


async def _alerts_page(
    request: Request, db: DbSession, auth: CurrentAuth, error: str | None = None, status_code: int = 200
) -> Response:
    saved = await alerts.list_saved(db, auth.user)
    items = [(item, alerts.describe(item.query), alerts.search_url(item.query)) for item in saved]
    return render(request, "jobs/alerts.html", {"items": items, "error": error}, status_code=status_code)


@router.get("/jobs/alerts")
async def alerts_page(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    return await _alerts_page(request, db, auth)


@router.post("/jobs/alerts")
async def create_alert(request: Request, db: DbSession, auth: CurrentAuth, frequency: FormStr = "daily") -> Response:
    form = await request.form()
    query = {key: value for key in _QUERY_KEYS if isinstance(value := form.get(key), str) and value}
    try:
        await alerts.create_saved(db, auth.user, SavedSearchIn.model_validate({"query": query, "frequency": frequency}))
    except (AppError, ValueError) as error:
        await discard_attempt(request, db)
        message = error.message if isinstance(error, AppError) else "That search cannot be saved as an alert."
        return await _alerts_page(request, db, auth, error=message, status_code=422)
    how = "as soon as they are posted" if frequency == "instant" else "in a daily email"
    return redirect(
        request, "/jobs/alerts", flash=("success", f"Job alert saved: we will send new matching jobs {how}.")
    )


@router.post("/jobs/alerts/{saved_id}/delete")
async def delete_alert(request: Request, db: DbSession, auth: CurrentAuth, saved_id: uuid.UUID) -> Response:
    await alerts.delete_saved(db, auth.user, saved_id)
    return redirect(request, "/jobs/alerts", flash=("success", "The job alert was deleted."))


@router.get("/jobs/alerts/unsubscribe")
async def unsubscribe(request: Request, db: DbSession, settings: AppSettings, token: str = "") -> Response:
    """The link in every alert email: one click, no sign-in."""
    removed = await alerts.unsubscribe(db, settings, token)
    return render(request, "jobs/unsubscribed.html", {"removed": removed})
