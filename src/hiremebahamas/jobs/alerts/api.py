"""JSON API: /api/saved-searches, the job alerts, and the one-click unsubscribe of their emails."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from hiremebahamas.accounts.deps import CurrentUser
from hiremebahamas.core.pagination import Page
from hiremebahamas.jobs.alerts import service as alerts
from hiremebahamas.jobs.alerts.schemas import SavedSearchEnvelope, SavedSearchIn, SavedSearchOut
from hiremebahamas.models import SavedSearch
from hiremebahamas.web.csrf import not_cookie_authenticated
from hiremebahamas.web.deps import AppSettings, DbSession

router = APIRouter(prefix="/saved-searches", tags=["job alerts"])


def saved_search_out(saved: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(
        id=saved.id,
        query=saved.query,
        frequency=saved.frequency,
        description=alerts.describe(saved.query),
        search_url=alerts.search_url(saved.query),
        created_at=saved.created_at,
        last_sent_at=saved.last_sent_at,
    )


class UnsubscribeOut(BaseModel):
    unsubscribed: bool


@router.get("")
async def list_saved_searches(db: DbSession, user: CurrentUser) -> Page[SavedSearchOut]:
    saved = await alerts.list_saved(db, user)
    return Page(items=[saved_search_out(item) for item in saved], next_cursor=None)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_saved_search(body: SavedSearchIn, db: DbSession, user: CurrentUser) -> SavedSearchEnvelope:
    return SavedSearchEnvelope(saved_search=saved_search_out(await alerts.create_saved(db, user, body)))


# Two routes, so each method gets its own OpenAPI operation.
@router.get("/unsubscribe")
@router.post("/unsubscribe", name="unsubscribe_one_click")
@not_cookie_authenticated
async def unsubscribe(
    db: DbSession, settings: AppSettings, token: Annotated[str, Query(max_length=200)]
) -> UnsubscribeOut:
    """One-click unsubscribe (RFC 8058) with the token from an alert email; no sign-in needed."""
    return UnsubscribeOut(unsubscribed=await alerts.unsubscribe(db, settings, token))


@router.delete("/{saved_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_saved_search(saved_id: uuid.UUID, db: DbSession, user: CurrentUser) -> Response:
    await alerts.delete_saved(db, user, saved_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
