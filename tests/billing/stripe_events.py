"""Stripe events as Stripe sends them (API version 2026-10-28), signed with the documented scheme:
`Stripe-Signature: t=<unix time>,v1=hex(HMAC_SHA256(secret, f"{t}.{payload}"))`.

Written out here rather than taken from the app's embedded checkout, so the tests check the
app against Stripe's shapes, not against itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime
from typing import Any

import httpx

PRICES = {"pro_monthly": 999, "pro_annual": 9900, "business_monthly": 4999, "business_annual": 49900}


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def event(type_: str, obj: dict[str, Any], created: datetime, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": ts(created),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_{secrets.token_hex(7)}", "idempotency_key": None},
        "type": type_,
    }


def subscription(
    sub_id: str,
    customer: str,
    *,
    status: str = "active",
    lookup_key: str = "pro_monthly",
    start: datetime,
    end: datetime,
    cancel_at_period_end: bool = False,
    canceled_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> dict[str, Any]:
    interval = "month" if lookup_key.endswith("monthly") else "year"
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "cancel_at": None,
        "canceled_at": ts(canceled_at) if canceled_at else None,
        "ended_at": ts(ended_at) if ended_at else None,
        "created": ts(start),
        "currency": "usd",
        "livemode": False,
        "metadata": {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{sub_id[4:]}",
                    "object": "subscription_item",
                    "current_period_start": ts(start),
                    "current_period_end": ts(end),
                    "price": {
                        "id": f"price_{lookup_key}",
                        "object": "price",
                        "active": True,
                        "currency": "usd",
                        "lookup_key": lookup_key,
                        "product": "hmb_" + lookup_key.split("_")[0],
                        "recurring": {"interval": interval, "interval_count": 1},
                        "type": "recurring",
                        "unit_amount": PRICES[lookup_key],
                    },
                    "quantity": 1,
                    "subscription": sub_id,
                }
            ],
            "has_more": False,
        },
    }


def invoice(
    invoice_id: str, customer: str, sub_id: str, *, status: str, amount: int, start: datetime, end: datetime
) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "status": status,
        "amount_due": amount,
        "amount_paid": amount if status == "paid" else 0,
        "amount_remaining": 0 if status == "paid" else amount,
        "currency": "usd",
        "billing_reason": "subscription_cycle",
        "period_start": ts(start),
        "period_end": ts(start),
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{invoice_id}",
        "lines": {
            "object": "list",
            "data": [
                {"id": f"il_{invoice_id[3:]}", "object": "line_item", "period": {"start": ts(start), "end": ts(end)}}
            ],
            "has_more": False,
        },
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub_id, "metadata": {}}},
    }


def checkout_session(
    session_id: str, customer: str, sub_id: str, user_id: str, *, tier: str = "pro", interval: str = "month"
) -> dict[str, Any]:
    metadata = {"user_id": user_id, "tier": tier, "interval": interval}
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "customer": customer,
        "subscription": sub_id,
        "client_reference_id": user_id,
        "metadata": metadata,
        "currency": "usd",
    }


async def deliver(
    client: httpx.AsyncClient, stripe_event: dict[str, Any], secret: str, *, timestamp: int | None = None
) -> httpx.Response:
    payload = json.dumps(stripe_event).encode()
    headers = {"Stripe-Signature": sign(payload, secret, timestamp), "Content-Type": "application/json"}
    return await client.post("/api/subscriptions/webhook", content=payload, headers=headers)
