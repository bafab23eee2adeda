"""Billing: the tiers (plans) as data, Stripe customers and subscriptions as Stripe reports them,
invoices (revenue), every webhook event received (once), monthly usage counters, and the
comps admins give (tier grants, apart from all of Stripe's).

Nothing here has a foreign key to `tiers`: a tier code is a fixed name (free/pro/business) and
the seed values apply when an operator has not stored the tier yet (see billing/tiers.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, TimestampMixin, str_enum, utcnow


class TierCode(StrEnum):
    FREE = "free"
    PRO = "pro"
    BUSINESS = "business"


class BillingInterval(StrEnum):
    MONTH = "month"
    YEAR = "year"


class SubscriptionStatus(StrEnum):
    """Stripe's subscription statuses, as Stripe names them."""

    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    PAUSED = "paused"
    CANCELED = "canceled"


class Tier(Base):
    """A plan with its prices and limits; operators may edit the rows (`seed-tiers` resets them).
    A NULL limit means unlimited."""

    __tablename__ = "tiers"

    code: Mapped[TierCode] = mapped_column(str_enum(TierCode), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    # Order from cheapest to most complete: the lowest tier that lifts a limit is suggested.
    rank: Mapped[int]
    monthly_price_cents: Mapped[int]
    annual_price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    # Messages sent in conversations the user started, per calendar month (UTC).
    messages_per_month: Mapped[int | None]
    posts_per_month: Mapped[int | None]
    # People followed at once (a total, not a monthly count).
    follows: Mapped[int | None]
    can_post_jobs: Mapped[bool]
    featured_jobs_per_month: Mapped[int | None]
    team_seats: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BillingCustomer(Base):
    """The one Stripe customer of a user."""

    __tablename__ = "billing_customers"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(IdMixin, TimestampMixin, Base):
    """One Stripe subscription, in the newest state its events described.

    `state_at` is the `created` time of the event whose state is stored (NULL while only the
    checkout is known): an event older than it never overwrites it (webhooks arrive in any order).
    """

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_user_status", "user_id", "status"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stripe_subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    tier: Mapped[TierCode] = mapped_column(str_enum(TierCode))
    interval: Mapped[BillingInterval] = mapped_column(str_enum(BillingInterval))
    status: Mapped[SubscriptionStatus] = mapped_column(str_enum(SubscriptionStatus))
    current_period_start: Mapped[datetime | None] = mapped_column(default=None)
    current_period_end: Mapped[datetime | None] = mapped_column(default=None)
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    canceled_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    state_at: Mapped[datetime | None] = mapped_column(default=None)


class TierGrant(IdMixin, Base):
    """A paid tier given by an admin for a time (a comp): it counts like a subscription of that
    tier until `ends_at` (or until ended early), and is never revenue. Nothing of Stripe's (the
    subscriptions, invoices and the figures read from them) ever sees it."""

    __tablename__ = "tier_grants"
    __table_args__ = (Index("ix_tier_grants_user_ends", "user_id", "ends_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tier: Mapped[TierCode] = mapped_column(str_enum(TierCode))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Kept when the admin's account goes: the audit log names them anyway.
    granted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500))
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    """Set when an admin ended it before `ends_at`."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invoice(IdMixin, TimestampMixin, Base):
    """A Stripe invoice: what was billed and paid, for which period (the revenue figures)."""

    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_user_created", "user_id", "created_at"),
        Index("ix_invoices_status_period", "status", "period_start"),
    )

    stripe_invoice_id: Mapped[str] = mapped_column(String(255), unique=True)
    # Kept (unlinked) when the account is deleted: revenue history outlives the account.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), default=None)
    amount_due: Mapped[int]
    amount_paid: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[datetime | None] = mapped_column(default=None)
    period_end: Mapped[datetime | None] = mapped_column(default=None)
    hosted_invoice_url: Mapped[str] = mapped_column(String(1000), default="")
    state_at: Mapped[datetime]


class BillingEvent(Base):
    """Every Stripe event received, once: the primary key makes a second delivery a no-op."""

    __tablename__ = "billing_events"

    stripe_event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What applying it did: applied, stale, ignored, unknown_customer, ...
    outcome: Mapped[str] = mapped_column(String(30), default="received")


class UsageCounter(Base):
    """How much of a monthly allowance a user used; one row per (user, metric, month), bumped
    with an atomic upsert so concurrent requests cannot both take the last unit."""

    __tablename__ = "usage_counters"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(30), primary_key=True)
    # The calendar month in UTC, "YYYY-MM".
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    used: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
