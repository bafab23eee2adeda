from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hiremebahamas.billing.entitlements import Usage
from hiremebahamas.billing.service import Overview
from hiremebahamas.billing.tiers import TierSpec
from hiremebahamas.core.text import InputModel
from hiremebahamas.models import BillingInterval


class CheckoutIn(InputModel):
    model_config = ConfigDict(extra="forbid")

    tier: Literal["pro", "business"]
    interval: Literal["month", "year"] = "month"


class UrlOut(BaseModel):
    url: str


class PriceOut(BaseModel):
    amount_cents: int
    label: str
    lookup_key: str | None


class LimitsOut(BaseModel):
    """None means unlimited."""

    messages_per_month: int | None
    posts_per_month: int | None
    follows: int | None
    can_post_jobs: bool
    featured_jobs_per_month: int | None
    team_seats: int | None


class TierOut(BaseModel):
    code: str
    name: str
    currency: str
    prices: dict[str, PriceOut]
    limits: LimitsOut

    @classmethod
    def of(cls, tier: TierSpec) -> TierOut:
        prices = {
            interval.value: PriceOut(
                amount_cents=tier.price_cents(interval),
                label=tier.price_label(interval),
                lookup_key=tier.lookup_key(interval) if tier.is_paid else None,
            )
            for interval in BillingInterval
        }
        limits = LimitsOut(
            messages_per_month=tier.messages_per_month,
            posts_per_month=tier.posts_per_month,
            follows=tier.follows,
            can_post_jobs=tier.can_post_jobs,
            featured_jobs_per_month=tier.featured_jobs_per_month,
            team_seats=tier.team_seats,
        )
        return cls(code=tier.code.value, name=tier.name, currency=tier.currency, prices=prices, limits=limits)


class TiersOut(BaseModel):
    items: list[TierOut]


class UsageOut(BaseModel):
    used: int
    limit: int | None
    period: str | None


class SubscriptionOut(BaseModel):
    tier: str
    tier_name: str
    status: str | None
    interval: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    complimentary_until: datetime | None
    """Set while the tier is a comp from the team (free, never billed) and when it ends."""
    usage: dict[str, UsageOut]

    @classmethod
    def of(cls, overview: Overview) -> SubscriptionOut:
        sub = overview.subscription
        return cls(
            tier=overview.tier.code.value,
            tier_name=overview.tier.name,
            status=overview.status,
            interval=sub.interval.value if sub is not None else None,
            current_period_end=sub.current_period_end if sub is not None else None,
            cancel_at_period_end=sub.cancel_at_period_end if sub is not None else False,
            complimentary_until=overview.complimentary_until,
            usage={name: _usage(line) for name, line in overview.usage.items()},
        )


def _usage(line: Usage) -> UsageOut:
    return UsageOut(used=line.used, limit=line.limit, period=line.period)


class WebhookOut(BaseModel):
    received: bool
    outcome: str
