"""Applying Stripe events to our records, so that the final state is right in any arrival order.

- A subscription row keeps the state of the newest event that described it. An event is
  applied only when its ordering key is greater than the stored one: (event `created`, period
  end, status rank, cancel flag). The later fields break ties between events of the same second
  the way Stripe's lifecycle moves (a period only moves forward, incomplete → active → past_due).
- Ended is final: a canceled subscription never comes back, whatever arrives after.
- `checkout.session.completed` only creates a placeholder (tier from the checkout, no period)
  that any subscription event replaces; it never overwrites one.
- An invoice keeps its newest status the same way (paid beats open within a second).

Every handler returns an `Outcome`; a customer we do not know is acknowledged and logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.billing import reminders, revenue
from hiremebahamas.billing.stripe_objects import (
    StripeObject,
    SubscriptionState,
    parse_checkout,
    parse_invoice,
    parse_subscription,
    timestamp,
)
from hiremebahamas.billing.tasks import defer_billing_email as email
from hiremebahamas.billing.tiers import format_money, load_tiers, tier_by_code
from hiremebahamas.core import sent_log
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.core.times import day_text
from hiremebahamas.models import BillingCustomer, Invoice, Subscription, SubscriptionStatus, User
from hiremebahamas.models.base import new_id, utcnow
from hiremebahamas.notifications.service import notify

logger = logging.getLogger(__name__)

_FINAL = (SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED)
_STATUS_RANK = {
    SubscriptionStatus.INCOMPLETE: 0,
    SubscriptionStatus.TRIALING: 1,
    SubscriptionStatus.ACTIVE: 2,
    SubscriptionStatus.PAUSED: 3,
    SubscriptionStatus.PAST_DUE: 4,
    SubscriptionStatus.UNPAID: 5,
    SubscriptionStatus.INCOMPLETE_EXPIRED: 6,
    SubscriptionStatus.CANCELED: 7,
}
_INVOICE_RANK = {"draft": 0, "open": 1, "uncollectible": 2, "void": 3, "paid": 4}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Outcome(StrEnum):
    APPLIED = "applied"
    STALE = "stale"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_PRICE = "unknown_price"


def _key(
    created: datetime | None, period_end: datetime | None, status: SubscriptionStatus, cancel: bool
) -> tuple[datetime, datetime, int, bool]:
    return (created or _EPOCH, period_end or _EPOCH, _STATUS_RANK[status], cancel)


def is_newer(state: SubscriptionState, created: datetime, row: Subscription) -> bool:
    if row.status in _FINAL:
        return False
    if state.status in _FINAL:
        return True
    if row.state_at is None:  # a checkout placeholder
        return True
    ours = _key(row.state_at, row.current_period_end, row.status, row.cancel_at_period_end)
    return _key(created, state.period_end, state.status, state.cancel_at_period_end) > ours


async def user_for_customer(session: AsyncSession, customer_id: str | None) -> uuid.UUID | None:
    if not customer_id:
        return None
    query = select(BillingCustomer.user_id).where(BillingCustomer.stripe_customer_id == customer_id)
    return (await session.execute(query)).scalar_one_or_none()


async def _existing_user(session: AsyncSession, raw_id: str | None) -> uuid.UUID | None:
    try:
        user_id = uuid.UUID(str(raw_id))
    except ValueError:
        return None
    return user_id if await session.get(User, user_id) is not None else None


async def _tell(session: AsyncSession, user_id: uuid.UUID, event: str, message: str) -> None:
    await notify(session, user_id, f"subscription.{event}", data={"message": message})


async def _locked_subscription(session: AsyncSession, stripe_id: str) -> Subscription | None:
    query = select(Subscription).where(Subscription.stripe_subscription_id == stripe_id).with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


async def checkout_completed(session: AsyncSession, obj: StripeObject, created: datetime) -> Outcome:
    checkout = parse_checkout(obj)
    if checkout.subscription_id is None:
        return Outcome.IGNORED
    user_id = await user_for_customer(session, checkout.customer)
    if user_id is None and checkout.customer and (user_id := await _existing_user(session, checkout.user_id)):
        # Our own checkout names the user; remember their customer for the events to come.
        await insert_ignoring_conflicts(session, BillingCustomer, user_id=user_id, stripe_customer_id=checkout.customer)
    if user_id is None:
        return Outcome.UNKNOWN_CUSTOMER
    if checkout.tier is None or checkout.interval is None:
        return Outcome.UNKNOWN_PRICE
    before = await revenue.member_mrr(session, user_id)
    await insert_ignoring_conflicts(
        session,
        Subscription,
        id=new_id(),
        user_id=user_id,
        stripe_subscription_id=checkout.subscription_id,
        stripe_customer_id=checkout.customer or "",
        tier=checkout.tier,
        interval=checkout.interval,
        status=SubscriptionStatus.ACTIVE if checkout.paid else SubscriptionStatus.INCOMPLETE,
        cancel_at_period_end=False,
        state_at=None,
    )
    await revenue.record_change(session, user_id, before)
    tier = tier_by_code(await load_tiers(session), checkout.tier)
    await _tell(session, user_id, "started", f"Welcome to {tier.name}! Your new plan is active now.")
    return Outcome.APPLIED


def _write(row: Subscription, state: SubscriptionState, created: datetime) -> None:
    row.status = state.status
    row.tier = state.tier or row.tier
    row.interval = state.interval or row.interval
    row.stripe_customer_id = state.customer or row.stripe_customer_id
    row.current_period_start = state.period_start
    row.current_period_end = state.period_end
    row.cancel_at_period_end = state.cancel_at_period_end
    row.canceled_at = state.canceled_at
    row.ended_at = state.ended_at or (created if state.status in _FINAL else None)
    row.state_at = created


async def _new_subscription(
    session: AsyncSession, user_id: uuid.UUID, state: SubscriptionState, created: datetime
) -> Outcome | None:
    """Insert the row for a subscription seen first through its own event; None if it exists."""
    if state.tier is None or state.interval is None:
        return Outcome.UNKNOWN_PRICE
    row = Subscription(
        id=new_id(), user_id=user_id, stripe_subscription_id=state.id, tier=state.tier, interval=state.interval
    )
    _write(row, state, created)
    values = {column.key: getattr(row, column.key) for column in Subscription.__table__.columns}
    values.update(created_at=utcnow(), updated_at=utcnow())
    return Outcome.APPLIED if await insert_ignoring_conflicts(session, Subscription, **values) else None


async def subscription_changed(
    session: AsyncSession, obj: StripeObject, created: datetime, *, deleted: bool
) -> Outcome:
    state = parse_subscription(obj)
    if deleted and state.status not in _FINAL:
        state = replace(state, status=SubscriptionStatus.CANCELED)
    row = await _locked_subscription(session, state.id)
    if row is None:
        user_id = await user_for_customer(session, state.customer) or await _existing_user(
            session, state.metadata_user_id
        )
        if user_id is None:
            return Outcome.UNKNOWN_CUSTOMER
        before = await revenue.member_mrr(session, user_id)
        outcome = await _new_subscription(session, user_id, state, created)
        if outcome is Outcome.APPLIED:
            await revenue.record_change(session, user_id, before)
        if outcome is not None:
            return outcome
        row = await _locked_subscription(session, state.id)  # a racing delivery inserted it
        assert row is not None
    else:
        before = await revenue.member_mrr(session, row.user_id)
    if not is_newer(state, created, row):
        return Outcome.STALE
    was_canceling, was_final = row.cancel_at_period_end, row.status in _FINAL
    _write(row, state, created)
    await session.flush()
    await revenue.record_change(session, row.user_id, before)
    await _tell_changes(session, row, was_canceling=was_canceling, was_final=was_final)
    return Outcome.APPLIED


async def _tell_changes(session: AsyncSession, row: Subscription, *, was_canceling: bool, was_final: bool) -> None:
    tier = tier_by_code(await load_tiers(session), row.tier)
    if row.status in _FINAL and not was_final:
        message = f"Your {tier.name} subscription has ended; you are on the Free plan. Everything you created is kept."
        await _tell(session, row.user_id, "ended", message)
        email(session, row.user_id, "plan_ended", plan=tier.name)
    elif row.cancel_at_period_end and not was_canceling:
        record(session, Event.SUBSCRIPTION_CANCELED, row.user_id, tier=row.tier.value)
        until = f" until {day_text(row.current_period_end)}" if row.current_period_end else ""
        await _tell(session, row.user_id, "canceled", f"Your {tier.name} plan is canceled and stays active{until}.")
        ends = day_text(row.current_period_end) if row.current_period_end else None
        email(session, row.user_id, "cancellation_confirmed", plan=tier.name, ends=ends)
    elif was_canceling and not row.cancel_at_period_end and row.status not in _FINAL:
        await _tell(session, row.user_id, "reactivated", f"Your {tier.name} plan will renew as usual.")


async def _invoice(session: AsyncSession, obj: StripeObject, created: datetime, *, paid: bool) -> Outcome:
    invoice = parse_invoice(obj)
    user_id = await user_for_customer(session, invoice.customer)
    if user_id is None:
        return Outcome.UNKNOWN_CUSTOMER
    values: dict[str, Any] = {
        "user_id": user_id,
        "stripe_subscription_id": invoice.subscription_id,
        "amount_due": invoice.amount_due,
        "amount_paid": invoice.amount_paid,
        "currency": invoice.currency,
        "status": invoice.status,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "hosted_invoice_url": invoice.hosted_invoice_url,
        "state_at": created,
    }
    inserted = await insert_ignoring_conflicts(
        session, Invoice, id=new_id(), stripe_invoice_id=invoice.id, **values, created_at=utcnow(), updated_at=utcnow()
    )
    if not inserted:
        query = select(Invoice).where(Invoice.stripe_invoice_id == invoice.id).with_for_update()
        row = (await session.execute(query.execution_options(populate_existing=True))).scalar_one()
        rank = _INVOICE_RANK.get
        if (created, rank(invoice.status, 1)) <= (row.state_at, rank(row.status, 1)):
            return Outcome.STALE
        for name, value in values.items():
            setattr(row, name, value)
    amount = format_money(invoice.amount_paid if paid else invoice.amount_due)
    plan = await _plan_name(session, invoice.subscription_id)
    if paid:
        await _tell(session, user_id, "payment_succeeded", f"Payment received: {amount}. Thank you!")
        # Once per invoice, however many of its events arrive.
        if invoice.amount_paid > 0 and await sent_log.claim(session, user_id, f"receipt:{invoice.id}"):
            period = _period(invoice.period_start, invoice.period_end)
            url = invoice.hosted_invoice_url
            email(session, user_id, "receipt", plan=plan, amount=amount, period=period, invoice_url=url)
    else:
        record(session, Event.PAYMENT_FAILED, user_id, invoice=invoice.id)
        message = f"Your payment of {amount} failed. Update your card to keep your plan; we will retry."
        await _tell(session, user_id, "payment_failed", message)
        # Day 0 of the reminders (billing/reminders.py sends day 3 and 7): Stripe's retries
        # fail this invoice again and again, and each time says nothing new.
        if await sent_log.claim(session, user_id, reminders.dunning_key(invoice.id, 0)):
            failed_at = utcnow().isoformat()
            email(session, user_id, "payment_failed", day=0, plan=plan, amount=amount, failed_at=failed_at)
    return Outcome.APPLIED


async def _plan_name(session: AsyncSession, stripe_subscription_id: str | None) -> str:
    query = select(Subscription.tier).where(Subscription.stripe_subscription_id == stripe_subscription_id)
    code = (await session.execute(query)).scalar_one_or_none() if stripe_subscription_id else None
    tiers = await load_tiers(session)
    return tier_by_code(tiers, code).name if code is not None else "paid"


def _period(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None or end <= start:
        return day_text(start) if start else "—"
    return f"{day_text(start)} to {day_text(end)}"


async def _subscription_updated(session: AsyncSession, obj: StripeObject, created: datetime) -> Outcome:
    return await subscription_changed(session, obj, created, deleted=False)


async def _subscription_deleted(session: AsyncSession, obj: StripeObject, created: datetime) -> Outcome:
    return await subscription_changed(session, obj, created, deleted=True)


async def _payment_succeeded(session: AsyncSession, obj: StripeObject, created: datetime) -> Outcome:
    return await _invoice(session, obj, created, paid=True)


async def _payment_failed(session: AsyncSession, obj: StripeObject, created: datetime) -> Outcome:
    return await _invoice(session, obj, created, paid=False)


Handler = Callable[[AsyncSession, StripeObject, datetime], Awaitable[Outcome]]
HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": checkout_completed,
    # Not one of the five the endpoint is configured for, but the same object: harmless to apply.
    "customer.subscription.created": _subscription_updated,
    "customer.subscription.updated": _subscription_updated,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.payment_succeeded": _payment_succeeded,
    "invoice.payment_failed": _payment_failed,
}


async def apply_event(session: AsyncSession, event: Mapping[str, Any]) -> Outcome:
    handler = HANDLERS.get(str(event["type"]))
    if handler is None:
        return Outcome.IGNORED
    created = timestamp(event["created"])
    assert created is not None
    outcome = await handler(session, event["data"]["object"], created)
    if outcome in (Outcome.UNKNOWN_CUSTOMER, Outcome.UNKNOWN_PRICE):
        logger.warning("stripe event not applied", extra={"event_id": event["id"], "outcome": outcome.value})
    return outcome
