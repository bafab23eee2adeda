"""SendGrid's Event Webhook: bounces and spam complaints reported by the relay. A hard bounce or a
complaint puts the address on the suppression list, and from then on nothing that can be turned
off (notification emails, welcome steps, digests, newsletters) is sent to it; what the person
needs (verification, password reset, billing) still is.

Each delivery is signed by SendGrid with ECDSA (P-256, SHA-256) over the timestamp header and
the raw body; the public key is SENDGRID_WEBHOOK_PUBLIC_KEY (SendGrid shows it base64-encoded
when signed event webhooks are turned on)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from cryptography.exceptions import InvalidSignature as BadEcdsaSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.errors import BadRequest, InvalidSignature, WebhookNotConfigured
from hiremebahamas.core.sql import insert_many_ignoring_conflicts
from hiremebahamas.models import EmailSuppression, SuppressionReason
from hiremebahamas.models.base import utcnow

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_EVENTS = 1000


def _public_key(settings: Settings) -> ec.EllipticCurvePublicKey:
    if not settings.sendgrid_webhook_public_key:
        raise WebhookNotConfigured("SENDGRID_WEBHOOK_PUBLIC_KEY is not set, so SendGrid events cannot be verified.")
    key = load_der_public_key(base64.b64decode(settings.sendgrid_webhook_public_key))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise WebhookNotConfigured("SENDGRID_WEBHOOK_PUBLIC_KEY is not an elliptic-curve public key.")
    return key


def verify(settings: Settings, payload: bytes, signature: str | None, timestamp: str | None) -> list[dict[str, Any]]:
    """The events, once the signature checks out."""
    key = _public_key(settings)
    if not signature or not timestamp:
        raise BadRequest(f"The {SIGNATURE_HEADER} and {TIMESTAMP_HEADER} headers are required.")
    try:
        key.verify(base64.b64decode(signature, validate=True), timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
    except (BadEcdsaSignature, binascii.Error, ValueError):
        raise InvalidSignature("The SendGrid signature does not match this payload.") from None
    try:
        events = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        events = None
    if not isinstance(events, list) or len(events) > MAX_EVENTS or not all(isinstance(e, dict) for e in events):
        raise BadRequest("The payload is not a list of SendGrid events.")
    return events


def suppression_of(event: dict[str, Any]) -> tuple[str, SuppressionReason] | None:
    """(address, why) for a hard bounce or a complaint; None for anything else (a soft bounce,
    SendGrid reports as type "blocked", is tried again by SendGrid itself)."""
    address = event.get("email")
    if not isinstance(address, str) or not 3 <= len(address) <= 320 or "@" not in address:
        return None
    kind = event.get("event")
    if kind == "bounce" and event.get("type", "bounce") == "bounce":
        return address.strip().lower(), SuppressionReason.BOUNCE
    if kind == "spamreport":
        return address.strip().lower(), SuppressionReason.COMPLAINT
    return None


async def receive(
    session: AsyncSession, settings: Settings, payload: bytes, signature: str | None, timestamp: str | None
) -> int:
    """Record the suppressions a delivery reports; how many events were suppressions (a repeated
    delivery records nothing new)."""
    found = {s[0]: s[1] for event in verify(settings, payload, signature, timestamp) if (s := suppression_of(event))}
    now = utcnow()
    rows = [{"email": email, "reason": reason, "created_at": now} for email, reason in found.items()]
    await insert_many_ignoring_conflicts(session, EmailSuppression, rows)
    if found:
        logger.info("email addresses suppressed", extra={"count": len(found)})
    return len(found)
