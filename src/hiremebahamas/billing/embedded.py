"""The embedded stand-in for Stripe (no STRIPE_SECRET_KEY): a local checkout page and portal.

The checkout URL carries a signed token (who, which plan, until when). Paying there makes the
events Stripe would send (checkout.session.completed, customer.subscription.created,
invoice.payment_succeeded), shaped like Stripe's JSON and signed with the webhook secret, and
hands them to the same `webhooks.receive` that Stripe's deliveries go through. Cancelling and
reactivating send `customer.subscription.updated` the same way.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing import webhooks
from hiremebahamas.billing.events import Outcome
from hiremebahamas.billing.signing import signature_header, webhook_secret
from hiremebahamas.billing.stripe_objects import timestamp
from hiremebahamas.billing.tiers import TierSpec
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import NotFound
from hiremebahamas.models import BillingInterval, Subscription, TierCode, User

CHECKOUT_TTL = timedelta(hours=24)
# Where a checkout returns to when it began on the pricing page (Stripe's success and cancel URLs).
SUCCESS_PATH = "/account/billing?checkout=success"
CANCEL_PATH = "/pricing?checkout=canceled"
API_VERSION = "2026-10-28.endive"
_LINK_GONE = "This checkout link is not valid or has expired. Choose your plan again on the pricing page."


@dataclass(frozen=True)
class LocalCheckout:
    token: str
    user_id: uuid.UUID
    tier: TierCode
    interval: BillingInterval
    expires: datetime
    # Where the payer goes back to after paying or cancelling (a path of the site), when the
    # checkout began somewhere other than the pricing page: a job waiting to be published.
    return_to: str | None = None

    @property
    def _digest(self) -> str:
        return hashlib.sha256(self.token.encode()).hexdigest()

    @property
    def session_id(self) -> str:
        return f"cs_local_{self._digest[:24]}"

    @property
    def subscription_id(self) -> str:
        # Derived from the checkout: paying twice makes the same subscription (and events).
        return f"sub_local_{self._digest[24:48]}"


def customer_id_for(user: User) -> str:
    return f"cus_local_{user.id.hex}"


def _sign(settings: Settings, payload: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"billing-checkout:{payload}".encode(), hashlib.sha256).hexdigest()


def checkout_token(
    settings: Settings,
    user: User,
    tier: TierCode,
    interval: BillingInterval,
    now: datetime,
    return_to: str | None = None,
) -> str:
    body: dict[str, Any] = {
        "u": str(user.id),
        "t": tier.value,
        "i": interval.value,
        "e": int((now + CHECKOUT_TTL).timestamp()),
    }
    if return_to is not None:
        body["r"] = return_to
    payload = base64.urlsafe_b64encode(json.dumps({**body, "n": secrets.token_hex(8)}).encode()).decode().rstrip("=")
    return f"{payload}.{_sign(settings, payload)[:32]}"


def read_checkout(settings: Settings, token: str, now: datetime) -> LocalCheckout:
    payload, _, signature = token.partition(".")
    if not hmac.compare_digest(_sign(settings, payload)[:32], signature):
        raise NotFound(_LINK_GONE)
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return_to = body.get("r")
        checkout = LocalCheckout(
            token,
            uuid.UUID(body["u"]),
            TierCode(body["t"]),
            BillingInterval(body["i"]),
            _expiry(body["e"]),
            return_to if isinstance(return_to, str) else None,
        )
    except (ValueError, KeyError, TypeError):
        raise NotFound(_LINK_GONE) from None
    if checkout.expires <= now:
        raise NotFound(_LINK_GONE)
    return checkout


def _expiry(seconds: Any) -> datetime:
    moment = timestamp(int(seconds))
    assert moment is not None
    return moment


def add_interval(start: datetime, interval: BillingInterval) -> datetime:
    """The same day one month (or year) on, clamped to the month's end (Jan 31 → Feb 28)."""
    months = 1 if interval == BillingInterval.MONTH else 12
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def _ts(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def price_object(tier: TierSpec, interval: BillingInterval) -> dict[str, Any]:
    key = tier.lookup_key(interval)
    return {
        "id": f"price_local_{key}",
        "object": "price",
        "active": True,
        "currency": tier.currency,
        "lookup_key": key,
        "product": f"prod_local_{tier.code.value}",
        "recurring": {"interval": interval.value, "interval_count": 1},
        "type": "recurring",
        "unit_amount": tier.price_cents(interval),
    }


@dataclass(frozen=True)
class LocalSubscription:
    id: str
    customer: str
    user_id: uuid.UUID
    tier: TierSpec
    interval: BillingInterval
    status: str
    period_start: datetime
    period_end: datetime
    cancel_at_period_end: bool
    canceled_at: datetime | None
    created: datetime

    def to_stripe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "subscription",
            "customer": self.customer,
            "status": self.status,
            "cancel_at_period_end": self.cancel_at_period_end,
            "cancel_at": _ts(self.period_end) if self.cancel_at_period_end else None,
            "canceled_at": _ts(self.canceled_at),
            "ended_at": None,
            "created": _ts(self.created),
            "currency": self.tier.currency,
            "livemode": False,
            "metadata": {"user_id": str(self.user_id), "tier": self.tier.code.value, "interval": self.interval.value},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{self.id.removeprefix('sub_')}",
                        "object": "subscription_item",
                        "price": price_object(self.tier, self.interval),
                        "quantity": 1,
                        "subscription": self.id,
                        "current_period_start": _ts(self.period_start),
                        "current_period_end": _ts(self.period_end),
                    }
                ],
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={self.id}",
            },
        }


def event(type_: str, obj: dict[str, Any], created: datetime, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_local_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": API_VERSION,
        "created": _ts(created),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }


def _invoice(subscription: LocalSubscription, invoice_id: str) -> dict[str, Any]:
    amount = subscription.tier.price_cents(subscription.interval)
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": subscription.customer,
        "status": "paid",
        "amount_due": amount,
        "amount_paid": amount,
        "amount_remaining": 0,
        "currency": subscription.tier.currency,
        "billing_reason": "subscription_create",
        "created": _ts(subscription.created),
        "period_start": _ts(subscription.period_start),
        "period_end": _ts(subscription.period_start),
        "hosted_invoice_url": None,
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": f"il_{invoice_id.removeprefix('in_')}",
                    "object": "line_item",
                    "amount": amount,
                    "currency": subscription.tier.currency,
                    "period": {"start": _ts(subscription.period_start), "end": _ts(subscription.period_end)},
                }
            ],
            "has_more": False,
        },
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription.id, "metadata": {}},
        },
    }


def _checkout_session(checkout: LocalCheckout, subscription: LocalSubscription, base_url: str) -> dict[str, Any]:
    return {
        "id": checkout.session_id,
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "customer": subscription.customer,
        "subscription": subscription.id,
        "client_reference_id": str(checkout.user_id),
        "metadata": {
            "user_id": str(checkout.user_id),
            "tier": checkout.tier.value,
            "interval": checkout.interval.value,
        },
        "amount_total": subscription.tier.price_cents(checkout.interval),
        "currency": subscription.tier.currency,
        "created": _ts(subscription.created),
        "success_url": base_url + (checkout.return_to or SUCCESS_PATH),
        "cancel_url": base_url + (checkout.return_to or CANCEL_PATH),
        "url": None,
    }


async def deliver(session: AsyncSession, settings: Settings, stripe_event: dict[str, Any]) -> Outcome:
    """Sign an event as Stripe does and hand it to the webhook handler."""
    secret = webhook_secret(settings)
    assert secret is not None  # embedded mode always has one
    payload = json.dumps(stripe_event, separators=(",", ":")).encode()
    return await webhooks.receive(session, settings, payload, signature_header(payload, secret))


async def pay(
    session: AsyncSession, settings: Settings, checkout: LocalCheckout, customer: str, tier: TierSpec, now: datetime
) -> None:
    """What Stripe does when the card is accepted, told through the three events it sends."""
    subscription = LocalSubscription(
        id=checkout.subscription_id,
        customer=customer,
        user_id=checkout.user_id,
        tier=tier,
        interval=checkout.interval,
        status="active",
        period_start=now,
        period_end=add_interval(now, checkout.interval),
        cancel_at_period_end=False,
        canceled_at=None,
        created=now,
    )
    stem = checkout.session_id.removeprefix("cs_local_")
    base_url = settings.base_url.rstrip("/")
    for stripe_event in (
        event("checkout.session.completed", _checkout_session(checkout, subscription, base_url), now, f"evt_{stem}_1"),
        event("customer.subscription.created", subscription.to_stripe(), now, f"evt_{stem}_2"),
        event("invoice.payment_succeeded", _invoice(subscription, f"in_local_{stem}"), now, f"evt_{stem}_3"),
    ):
        await deliver(session, settings, stripe_event)


async def set_cancel_at_period_end(
    session: AsyncSession, settings: Settings, row: Subscription, tier: TierSpec, cancel: bool, at: datetime
) -> None:
    """What Stripe does when the customer cancels (or takes it back) in its portal."""
    assert row.current_period_start is not None
    assert row.current_period_end is not None
    subscription = LocalSubscription(
        id=row.stripe_subscription_id,
        customer=row.stripe_customer_id,
        user_id=row.user_id,
        tier=tier,
        interval=row.interval,
        status=row.status.value,
        period_start=row.current_period_start,
        period_end=row.current_period_end,
        cancel_at_period_end=cancel,
        canceled_at=at if cancel else None,
        created=row.created_at,
    )
    await deliver(session, settings, event("customer.subscription.updated", subscription.to_stripe(), at))
