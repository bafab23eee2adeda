"""Subscribing, the customer portal, cancelling and reactivating, and what someone's plan is.

With STRIPE_SECRET_KEY these call Stripe; without it the embedded checkout (embedded.py)
stands in. Either way the subscription changes only through Stripe-shaped events (or, after a
Stripe API call, the subscription object Stripe answered with), applied by events.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.billing import embedded, events
from hiremebahamas.billing.entitlements import LIVE_STATUSES, Plan, Usage, grants_tier, plan_of, usage_of
from hiremebahamas.billing.gateway import PlanUnavailable, StripeGateway
from hiremebahamas.billing.tiers import TierSpec, tier_by_code
from hiremebahamas.config import Environment, Settings
from hiremebahamas.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.models import (
    BillingCustomer,
    BillingInterval,
    Invoice,
    Subscription,
    SubscriptionStatus,
    TierCode,
    User,
)
from hiremebahamas.models.base import utcnow

INVOICES_SHOWN = 12


def _gateway(settings: Settings) -> StripeGateway | None:
    """Stripe, or None for the embedded checkout, which production never offers: it would hand
    out paid plans for free."""
    if settings.stripe_secret_key:
        return StripeGateway(settings)
    if settings.environment == Environment.PRODUCTION:
        raise PlanUnavailable("Payments are not set up yet (STRIPE_SECRET_KEY).")
    return None


def _url(settings: Settings, path: str) -> str:
    return settings.base_url.rstrip("/") + path


def absolute_url(settings: Settings, url: str) -> str:
    """A path of the embedded checkout or portal with the site's address in front, for API
    clients, which open it outside the site; Stripe's URLs as they are."""
    return _url(settings, url) if url.startswith("/") else url


@dataclass(frozen=True)
class Overview:
    """A user's plan as the account page and GET /api/subscriptions/me show it."""

    plan: Plan
    # The subscription giving the plan, else the latest one (to show that it ended).
    subscription: Subscription | None
    status: str | None
    usage: dict[str, Usage]
    invoices: list[Invoice]

    @property
    def tier(self) -> TierSpec:
        return self.plan.tier

    @property
    def ends_at(self) -> datetime | None:
        """When a canceled plan stops (None when it renews or there is none)."""
        sub = self.plan.subscription
        return sub.current_period_end if sub is not None and sub.cancel_at_period_end else None

    @property
    def renews_at(self) -> datetime | None:
        sub = self.plan.subscription
        return sub.current_period_end if sub is not None and not sub.cancel_at_period_end else None

    @property
    def complimentary_until(self) -> datetime | None:
        """When the comp giving the plan ends (None when the plan is not a comp)."""
        return self.plan.grant.ends_at if self.plan.grant is not None else None

    @property
    def past_due(self) -> bool:
        return self.status == SubscriptionStatus.PAST_DUE


async def overview(session: AsyncSession, user: User, now: datetime | None = None) -> Overview:
    now = now or utcnow()
    plan = await plan_of(session, user.id, now)
    subscription = plan.subscription
    if subscription is None:
        latest = select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.created_at.desc())
        subscription = (await session.execute(latest.limit(1))).scalar_one_or_none()
    status: str | None = subscription.status.value if subscription is not None else None
    if subscription is not None and plan.subscription is None and subscription.status in LIVE_STATUSES:
        status = SubscriptionStatus.CANCELED.value  # its paid period is over: Stripe is about to say so
    invoices = select(Invoice).where(Invoice.user_id == user.id).order_by(Invoice.created_at.desc())
    return Overview(
        plan=plan,
        subscription=subscription,
        status=status,
        usage=await usage_of(session, user.id, plan, now),
        invoices=list((await session.execute(invoices.limit(INVOICES_SHOWN))).scalars()),
    )


async def _customer_id(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    query = select(BillingCustomer.stripe_customer_id).where(BillingCustomer.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none()


async def ensure_customer(session: AsyncSession, settings: Settings, user: User) -> str:
    """The user's one Stripe customer, created the first time they check out."""
    if (existing := await _customer_id(session, user.id)) is not None:
        return existing
    gateway = _gateway(settings)
    customer_id = await gateway.create_customer(user) if gateway else embedded.customer_id_for(user)
    await insert_ignoring_conflicts(session, BillingCustomer, user_id=user.id, stripe_customer_id=customer_id)
    stored = await _customer_id(session, user.id)
    assert stored is not None
    return stored


def _paid_tier(plan: Plan, code: TierCode) -> TierSpec:
    tier = tier_by_code(plan.tiers, code)
    if not tier.is_paid:
        message = "Choose Pro or Business."
        raise ValidationFailed(message, fields={"tier": message})
    return tier


async def start_checkout(
    session: AsyncSession,
    settings: Settings,
    user: User,
    tier_code: TierCode,
    interval: BillingInterval,
    now: datetime | None = None,
    return_to: str | None = None,
) -> str:
    """The URL to pay at: Stripe Checkout, or the embedded checkout page's path (a relative
    redirect keeps the browser on the address it uses, which the CSP's form-action allows).
    `return_to`, a path of the site, is where paying or cancelling leads back to (else the
    billing page, or the pricing page after cancelling)."""
    now = now or utcnow()
    plan = await plan_of(session, user.id, now)
    tier = _paid_tier(plan, tier_code)
    if plan.subscription is not None:
        raise Conflict(f"You already have the {plan.tier.name} plan. Change or cancel it on your billing page.")
    customer_id = await ensure_customer(session, settings, user)
    record(session, Event.CHECKOUT_STARTED, user.id, tier=tier.code.value, interval=interval.value)
    gateway = _gateway(settings)
    if gateway is None:
        token = embedded.checkout_token(settings, user, tier.code, interval, now, return_to)
        return f"/billing/checkout/{token}"
    return await gateway.checkout_url(
        user=user,
        customer_id=customer_id,
        tier=tier,
        interval=interval,
        success_url=_url(settings, return_to or embedded.SUCCESS_PATH),
        cancel_url=_url(settings, return_to or embedded.CANCEL_PATH),
    )


def local_checkout(settings: Settings, user: User, token: str, now: datetime | None = None) -> embedded.LocalCheckout:
    """The embedded checkout behind a link, for its own user only (404 under Stripe)."""
    if settings.stripe_secret_key or settings.environment == Environment.PRODUCTION:
        raise NotFound()
    checkout = embedded.read_checkout(settings, token, now or utcnow())
    if checkout.user_id != user.id:
        raise Forbidden("This checkout belongs to another account.")
    return checkout


async def pay_local_checkout(
    session: AsyncSession, settings: Settings, user: User, token: str, now: datetime | None = None
) -> tuple[TierSpec, embedded.LocalCheckout]:
    """The embedded checkout's Pay button. Paying twice is harmless (the same events again)."""
    now = now or utcnow()
    checkout = local_checkout(settings, user, token, now)
    plan = await plan_of(session, user.id, now)
    tier = _paid_tier(plan, checkout.tier)
    current = plan.subscription
    if current is not None and current.stripe_subscription_id != checkout.subscription_id:
        raise Conflict(f"You already have the {plan.tier.name} plan. Change or cancel it on your billing page.")
    customer_id = await ensure_customer(session, settings, user)
    await embedded.pay(session, settings, checkout, customer_id, tier, now)
    return tier, checkout


async def portal_url(session: AsyncSession, settings: Settings, user: User) -> str:
    """Stripe's customer portal, or the embedded portal's path."""
    customer_id = await _customer_id(session, user.id)
    if customer_id is None:
        raise NotFound("You have no billing account yet: choose a plan first.")
    gateway = _gateway(settings)
    if gateway is None:
        return "/billing/portal"
    return await gateway.portal_url(customer_id, _url(settings, "/account/billing"))


def _change_time(subscription: Subscription, now: datetime) -> datetime:
    """When our own change happened, in whole seconds like Stripe's, and after the state we
    hold (two changes within a second must not look like one event older than the other)."""
    moment = now.replace(microsecond=0)
    if subscription.state_at is not None and moment <= subscription.state_at:
        moment = subscription.state_at + timedelta(seconds=1)
    return moment


async def _set_cancel(
    session: AsyncSession, settings: Settings, plan: Plan, cancel: bool, now: datetime
) -> Subscription:
    subscription = plan.subscription
    assert subscription is not None
    at = _change_time(subscription, now)
    gateway = _gateway(settings)
    if gateway is None:
        await embedded.set_cancel_at_period_end(session, settings, subscription, plan.tier, cancel, at)
    else:
        updated = await gateway.set_cancel_at_period_end(subscription.stripe_subscription_id, cancel)
        await events.subscription_changed(session, updated, at, deleted=False)
    return subscription


async def cancel(session: AsyncSession, settings: Settings, user: User, now: datetime | None = None) -> Subscription:
    """Cancel at the end of the paid period: the plan stays until then. Repeating is harmless."""
    now = now or utcnow()
    plan = await plan_of(session, user.id, now)
    if plan.subscription is None:
        raise NotFound("You have no paid plan to cancel.")
    if plan.subscription.cancel_at_period_end:
        return plan.subscription
    return await _set_cancel(session, settings, plan, True, now)


async def reactivate(
    session: AsyncSession, settings: Settings, user: User, now: datetime | None = None
) -> Subscription:
    """Take a cancellation back before the period ends."""
    now = now or utcnow()
    plan = await plan_of(session, user.id, now)
    subscription = plan.subscription
    if subscription is None or not grants_tier(subscription, now):
        raise NotFound("You have no plan to reactivate. Choose one on the pricing page.")
    if not subscription.cancel_at_period_end:
        return subscription
    return await _set_cancel(session, settings, plan, False, now)


async def is_past_due(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """For the banner on every page: one indexed lookup."""
    query = select(Subscription.id).where(
        Subscription.user_id == user_id, Subscription.status == SubscriptionStatus.PAST_DUE
    )
    return (await session.execute(query.limit(1))).first() is not None
