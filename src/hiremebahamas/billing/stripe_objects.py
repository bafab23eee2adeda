"""Reading the Stripe objects that events carry (checkout sessions, subscriptions, invoices).

Written against the API version the SDK pins, and tolerant of the older shapes: a
subscription's period lives on its items (older versions: on the subscription), an invoice's
subscription under `parent.subscription_details` (older: `invoice.subscription`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from hiremebahamas.billing.tiers import parse_lookup_key
from hiremebahamas.models import BillingInterval, SubscriptionStatus, TierCode

StripeObject = Mapping[str, Any]
Choice = TypeVar("Choice", TierCode, BillingInterval)


def timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value is not None else None


def _id(value: Any) -> str | None:
    """An id, whether the field holds it or the expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if value else None


def _choice(kind: type[Choice], value: Any) -> Choice | None:
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class SubscriptionState:
    id: str
    customer: str
    status: SubscriptionStatus
    tier: TierCode | None
    interval: BillingInterval | None
    period_start: datetime | None
    period_end: datetime | None
    cancel_at_period_end: bool
    canceled_at: datetime | None
    ended_at: datetime | None
    metadata_user_id: str | None


def _plan_of_price(price: StripeObject, metadata: StripeObject) -> tuple[TierCode | None, BillingInterval | None]:
    parsed = parse_lookup_key(price.get("lookup_key"))
    if parsed is not None:
        return parsed
    recurring = price.get("recurring") or {}
    interval = _choice(BillingInterval, recurring.get("interval") or metadata.get("interval"))
    return _choice(TierCode, metadata.get("tier")), interval


def parse_subscription(obj: StripeObject) -> SubscriptionState:
    items = (obj.get("items") or {}).get("data") or []
    item: StripeObject = items[0] if items else {}
    metadata = obj.get("metadata") or {}
    tier, interval = _plan_of_price(item.get("price") or {}, metadata)
    return SubscriptionState(
        id=str(obj["id"]),
        customer=_id(obj.get("customer")) or "",
        status=SubscriptionStatus(obj["status"]),
        tier=tier,
        interval=interval,
        period_start=timestamp(item.get("current_period_start", obj.get("current_period_start"))),
        period_end=timestamp(item.get("current_period_end", obj.get("current_period_end"))),
        # `cancel_at` is how newer dashboards schedule the same thing.
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")) or obj.get("cancel_at") is not None,
        canceled_at=timestamp(obj.get("canceled_at")),
        ended_at=timestamp(obj.get("ended_at")),
        metadata_user_id=metadata.get("user_id"),
    )


@dataclass(frozen=True)
class CheckoutState:
    id: str
    customer: str | None
    subscription_id: str | None
    user_id: str | None
    tier: TierCode | None
    interval: BillingInterval | None
    paid: bool


def parse_checkout(obj: StripeObject) -> CheckoutState:
    metadata = obj.get("metadata") or {}
    return CheckoutState(
        id=str(obj["id"]),
        customer=_id(obj.get("customer")),
        subscription_id=_id(obj.get("subscription")) if obj.get("mode") == "subscription" else None,
        user_id=obj.get("client_reference_id") or metadata.get("user_id"),
        tier=_choice(TierCode, metadata.get("tier")),
        interval=_choice(BillingInterval, metadata.get("interval")),
        paid=obj.get("payment_status") in ("paid", "no_payment_required"),
    )


@dataclass(frozen=True)
class InvoiceState:
    id: str
    customer: str
    subscription_id: str | None
    amount_due: int
    amount_paid: int
    currency: str
    status: str
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str


def parse_invoice(obj: StripeObject) -> InvoiceState:
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    lines = (obj.get("lines") or {}).get("data") or []
    # The subscription line's period is the one paid for (the invoice's own is the one before).
    period: StripeObject = (lines[0].get("period") if lines else None) or {}
    return InvoiceState(
        id=str(obj["id"]),
        customer=_id(obj.get("customer")) or "",
        subscription_id=_id(details.get("subscription") or obj.get("subscription")),
        amount_due=int(obj.get("amount_due") or 0),
        amount_paid=int(obj.get("amount_paid") or 0),
        currency=str(obj.get("currency") or "usd")[:3],
        status=str(obj.get("status") or "open")[:20],
        period_start=timestamp(period.get("start", obj.get("period_start"))),
        period_end=timestamp(period.get("end", obj.get("period_end"))),
        hosted_invoice_url=str(obj.get("hosted_invoice_url") or "")[:1000],
    )
