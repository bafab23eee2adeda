"""Who pays for what: the plans themselves (as `seed-tiers` makes them), Stripe customers,
subscriptions in every state, their invoices, and this month's usage counters."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing.tiers import SEED, seed_tiers, tier_by_code
from hiremebahamas.demo.ids import at, uuid7_at
from hiremebahamas.demo.people import NETWORKER, POPULAR
from hiremebahamas.demo.world import DAY, World
from hiremebahamas.models import (
    BillingCustomer,
    BillingInterval,
    Invoice,
    Subscription,
    SubscriptionStatus,
    TierCode,
    UsageCounter,
)

_PERIOD = {BillingInterval.MONTH: 30 * DAY, BillingInterval.YEAR: 365 * DAY}
_SUBSCRIPTION_COLUMNS = [
    "id", "user_id", "stripe_subscription_id", "stripe_customer_id", "tier", "interval", "status",
    "current_period_start", "current_period_end", "cancel_at_period_end", "canceled_at", "ended_at", "state_at",
    "created_at", "updated_at",
]  # fmt: skip
_INVOICE_COLUMNS = [
    "id", "stripe_invoice_id", "user_id", "stripe_subscription_id", "amount_due", "amount_paid", "currency",
    "status", "period_start", "period_end", "hosted_invoice_url", "state_at", "created_at", "updated_at",
]  # fmt: skip


async def load_tiers(session: AsyncSession) -> None:
    await seed_tiers(session)


def choose_tiers(world: World) -> None:
    """Company owners mostly on Business (it posts jobs), the two showcase accounts on Pro (no
    follow limit), most others on Free."""
    rng, people = world.rng, world.people
    owners = {team[0] for team in world.companies.teams}
    for i in range(len(people)):
        draw = rng.random()
        if i in owners:
            tier = TierCode.BUSINESS if draw < 0.85 else TierCode.PRO if draw < 0.95 else TierCode.FREE
        elif people.employer[i]:
            tier = TierCode.BUSINESS if draw < 0.15 else TierCode.PRO if draw < 0.45 else TierCode.FREE
        else:
            tier = TierCode.BUSINESS if draw < 0.01 else TierCode.PRO if draw < 0.16 else TierCode.FREE
        if i in (POPULAR, NETWORKER) and tier == TierCode.FREE:
            tier = TierCode.PRO
        people.tier.append(tier)


async def load_subscriptions(world: World) -> None:
    rng, people, now = world.rng, world.people, world.now
    customers = world.writer.sink(BillingCustomer, ["user_id", "stripe_customer_id", "created_at"], None)
    subscriptions = world.writer.sink(Subscription, _SUBSCRIPTION_COLUMNS, None)
    invoices = world.writer.sink(Invoice, _INVOICE_COLUMNS, None)
    for i, tier in enumerate(people.tier):
        # A few Free people once paid and cancelled: their ended subscription stays on record.
        churned = tier == TierCode.FREE and rng.random() < 0.04
        if tier == TierCode.FREE and not churned:
            continue
        customer = f"cus_demo{rng.getrandbits(64):016x}"
        since = people.joined[i] + rng.uniform(0, max(DAY, now - people.joined[i]) / 2)
        await customers.put((people.ids[i], customer, at(since)))
        interval = BillingInterval.MONTH if rng.random() < 0.75 else BillingInterval.YEAR
        period = _PERIOD[interval]
        start = now - rng.uniform(0, period)
        canceled_at = ended_at = None
        cancel_at_end = False
        if churned:
            status, ended = SubscriptionStatus.CANCELED, now - rng.uniform(DAY, 90 * DAY)
            start, canceled_at, ended_at = ended - period, at(ended - rng.uniform(0, period)), at(ended)
            tier = rng.choice((TierCode.PRO, TierCode.BUSINESS))
        else:
            draw = rng.random()
            status = (
                SubscriptionStatus.TRIALING
                if draw < 0.05
                else SubscriptionStatus.PAST_DUE
                if draw < 0.09
                else SubscriptionStatus.ACTIVE
            )
            if status == SubscriptionStatus.ACTIVE and rng.random() < 0.08:
                cancel_at_end, canceled_at = True, at(now - rng.uniform(0, now - start))
        subscription_id = f"sub_demo{rng.getrandbits(64):016x}"
        await subscriptions.put(
            (
                uuid7_at(rng, since), people.ids[i], subscription_id, customer, tier.value, interval.value,
                status.value, at(start), at(start + period), cancel_at_end, canceled_at, ended_at, at(start),
                at(since), at(start),
            )
        )  # fmt: skip
        if status == SubscriptionStatus.TRIALING:
            continue
        spec = tier_by_code(list(SEED), tier)
        amount = spec.price_cents(interval)
        paid = 0 if status == SubscriptionStatus.PAST_DUE else amount
        invoice_status = "open" if status == SubscriptionStatus.PAST_DUE else "paid"
        invoice_id = f"in_demo{rng.getrandbits(64):016x}"
        await invoices.put(
            (
                uuid7_at(rng, start), invoice_id, people.ids[i], subscription_id, amount, paid, spec.currency,
                invoice_status, at(start), at(start + period), "", at(start), at(start), at(start),
            )
        )  # fmt: skip
    for sink in (customers, subscriptions, invoices):
        await sink.close()


async def load_usage(world: World) -> None:
    """This month's allowances used, counted from the rows made (what the app's upserts would hold)."""
    columns = ["user_id", "metric", "period", "used", "updated_at"]
    sink = world.writer.sink(UsageCounter, columns, len(world.usage))
    period = at(world.now).strftime("%Y-%m")
    for (person, metric), used in sorted(world.usage.items()):
        await sink.put((world.people.ids[person], metric, period, used, at(world.now)))
    await sink.close()
