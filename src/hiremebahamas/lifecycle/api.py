"""JSON API: the SendGrid Event Webhook, `POST /api/email/events` (signed by SendGrid; no cookie,
no per-client rate limit: SendGrid delivers from a few addresses, in bursts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from hiremebahamas.lifecycle import deliverability
from hiremebahamas.web.deps import AppSettings, DbSession

webhook_router = APIRouter(prefix="/api/email", tags=["email"])


class EventsOut(BaseModel):
    received: bool
    suppressed: int


@webhook_router.post("/events")
async def sendgrid_events(request: Request, db: DbSession, settings: AppSettings) -> EventsOut:
    """SendGrid's events, signature checked; hard bounces and spam complaints stop all mail that
    can be turned off to that address."""
    payload = await request.body()
    headers = request.headers
    suppressed = await deliverability.receive(
        db,
        settings,
        payload,
        headers.get(deliverability.SIGNATURE_HEADER),
        headers.get(deliverability.TIMESTAMP_HEADER),
    )
    return EventsOut(received=True, suppressed=suppressed)
