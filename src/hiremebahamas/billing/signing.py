"""Stripe's webhook signature scheme, and the secret it is checked against.

Stripe signs `f"{timestamp}.{payload}"` with HMAC-SHA256 under the endpoint's secret and sends
`Stripe-Signature: t=<timestamp>,v1=<hex digest>`. Verifying is left to the Stripe SDK
(webhooks.py); signing is needed by the embedded checkout, which stands in for Stripe, and by tests.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from hiremebahamas.config import Environment, Settings


def webhook_secret(settings: Settings) -> str | None:
    """STRIPE_WEBHOOK_SECRET, or without Stripe a development secret derived from SECRET_KEY
    (stable across restarts, different per deployment). None: Stripe is configured (or this is
    production) but the webhook secret is missing, so no event can be trusted."""
    if settings.stripe_webhook_secret:
        return settings.stripe_webhook_secret
    if settings.stripe_secret_key or settings.environment == Environment.PRODUCTION:
        return None
    digest = hmac.new(settings.secret_key.encode(), b"embedded stripe webhook secret", hashlib.sha256).hexdigest()
    return f"whsec_dev_{digest[:40]}"


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload`."""
    moment = int(time.time()) if timestamp is None else timestamp
    signed = f"{moment}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"
