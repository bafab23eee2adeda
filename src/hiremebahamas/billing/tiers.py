"""The plans as data: the seed values (PRODUCT.md's table), what operators stored, and prices.

`load_tiers` answers from the `tiers` table and falls back to the seed for a tier nobody stored
yet, so a fresh database (or one `seed-tiers` has not run on) still has all three plans.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import response_areas
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.models import BillingInterval, Tier, TierCode
from hiremebahamas.models.base import utcnow


@dataclass(frozen=True)
class TierSpec:
    """A plan. A limit of None means unlimited."""

    code: TierCode
    name: str
    rank: int
    monthly_price_cents: int
    annual_price_cents: int
    currency: str
    messages_per_month: int | None
    posts_per_month: int | None
    follows: int | None
    can_post_jobs: bool
    featured_jobs_per_month: int | None
    team_seats: int | None

    @property
    def is_paid(self) -> bool:
        return self.code != TierCode.FREE

    def price_cents(self, interval: BillingInterval) -> int:
        return self.monthly_price_cents if interval == BillingInterval.MONTH else self.annual_price_cents

    def price_label(self, interval: BillingInterval) -> str:
        """ "$9.99/month", "$99/year", "$0"."""
        cents = self.price_cents(interval)
        if cents == 0:
            return "$0"
        return f"{format_money(cents)}/{interval.value}"

    def lookup_key(self, interval: BillingInterval) -> str:
        """The Stripe price lookup key: pro_monthly, pro_annual, business_monthly, business_annual."""
        return f"{self.code.value}_{'monthly' if interval == BillingInterval.MONTH else 'annual'}"


SEED: tuple[TierSpec, ...] = (
    TierSpec(TierCode.FREE, "Free", 0, 0, 0, "usd", 10, 5, 100, False, 0, 1),
    TierSpec(TierCode.PRO, "Pro", 1, 999, 9900, "usd", None, None, None, False, 0, 1),
    TierSpec(TierCode.BUSINESS, "Business", 2, 4999, 49900, "usd", None, None, None, True, 5, 5),
)
_SPEC_FIELDS = [field.name for field in fields(TierSpec)]


def format_money(cents: int) -> str:
    """ "$9.99", "$99" (whole dollars without cents)."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"


def parse_lookup_key(key: str | None) -> tuple[TierCode, BillingInterval] | None:
    if not key:
        return None
    code, _, cadence = key.rpartition("_")
    intervals = {"monthly": BillingInterval.MONTH, "annual": BillingInterval.YEAR}
    if code not in TierCode.__members__.values() or cadence not in intervals:
        return None
    return TierCode(code), intervals[cadence]


def _spec(row: Tier) -> TierSpec:
    return TierSpec(**{name: getattr(row, name) for name in _SPEC_FIELDS})


async def load_tiers(session: AsyncSession) -> list[TierSpec]:
    """Every plan, cheapest first: stored rows, the seed for the ones not stored."""
    stored = {row.code: _spec(row) for row in (await session.execute(select(Tier))).scalars()}
    return sorted((stored.get(seed.code, seed) for seed in SEED), key=lambda spec: spec.rank)


def tier_by_code(tiers: list[TierSpec], code: TierCode) -> TierSpec:
    return next(spec for spec in tiers if spec.code == code)


async def seed_tiers(session: AsyncSession) -> list[str]:
    """Create the three plans, or reset them to the seed's prices and limits (idempotent)."""
    changes: list[str] = []
    for seed in SEED:
        values = {name: getattr(seed, name) for name in _SPEC_FIELDS}
        if await insert_ignoring_conflicts(session, Tier, **values, updated_at=utcnow()):
            changes.append(f"created {seed.code.value}")
            continue
        row = await session.get(Tier, seed.code)
        assert row is not None  # the insert conflicted with it
        if _spec(row) != seed:
            for name, value in values.items():
                setattr(row, name, value)
            changes.append(f"updated {seed.code.value}")
    await session.flush()
    if changes:
        response_areas.invalidate_after_commit(session, "billing")
    return changes
