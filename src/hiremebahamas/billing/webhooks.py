"""Receiving a Stripe event: check its signature (with the Stripe SDK), store it once, apply it.

The embedded checkout sends its events through `receive` too, signed the same way, so the
offline lifecycle runs exactly the code Stripe's deliveries run.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import stripe
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing.events import Outcome, apply_event
from hiremebahamas.billing.signing import webhook_secret
from hiremebahamas.billing.stripe_objects import timestamp
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import BadRequest, InvalidSignature, WebhookNotConfigured
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.models import BillingEvent
from hiremebahamas.models.base import utcnow

logger = logging.getLogger(__name__)

# Stripe's own default: a signed delivery older than five minutes is refused (replays).
TOLERANCE_SECONDS = 300


def verify(payload: bytes, header: str | None, secret: str) -> dict[str, Any]:
    """The event, once its signature and timestamp check out."""
    if not header:
        raise BadRequest("The Stripe-Signature header is missing.")
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as error:
        raise InvalidSignature(str(error.user_message or "The Stripe signature does not match this payload.")) from None
    except UnicodeDecodeError:
        raise BadRequest("The payload is not UTF-8.") from None
    try:
        event = json.loads(payload)
        data = event["data"]["object"]
        valid = isinstance(event["id"], str) and isinstance(event["type"], str) and isinstance(data, dict)
        timestamp(event["created"])
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise BadRequest("The payload is not a Stripe event.")
    result: dict[str, Any] = event
    return result


async def receive(session: AsyncSession, settings: Settings, payload: bytes, header: str | None) -> Outcome:
    secret = webhook_secret(settings)
    if secret is None:
        raise WebhookNotConfigured("STRIPE_WEBHOOK_SECRET is not set, so Stripe events cannot be verified.")
    event = verify(payload, header, secret)
    created = timestamp(event["created"])
    stored = await insert_ignoring_conflicts(
        session,
        BillingEvent,
        stripe_event_id=event["id"][:255],
        type=event["type"][:100],
        created=created,
        payload=event,
        received_at=utcnow(),
    )
    if not stored:
        logger.info("stripe event already received", extra={"event_id": event["id"]})
        return Outcome.DUPLICATE
    outcome = await apply_event(session, event)
    await session.execute(
        update(BillingEvent).where(BillingEvent.stripe_event_id == event["id"]).values(outcome=outcome.value)
    )
    logger.info("stripe event received", extra={"event_id": event["id"], "type": event["type"], "outcome": outcome})
    return outcome
