"""Accounts and plans written straight to the database, for tests about what a plan allows.

`grant_tier` is what other domains' tests can use to give someone a paid plan (e.g. Business
for an employer that posts jobs) without going through a checkout.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.models import (
    AccountType,
    BillingCustomer,
    BillingInterval,
    Subscription,
    SubscriptionStatus,
    TierCode,
    TierGrant,
    User,
)
from hiremebahamas.models.base import new_id, utcnow
from tests import factories
from tests.factories import add_user


class Member(factories.Member):
    """A member with the Stripe customer that `member` records for them."""

    @property
    def customer_id(self) -> str:
        return f"cus_test_{self.id.hex[:16]}"


async def member(runtime: Runtime, name: str, *, employer: bool = False, verified: bool = True) -> Member:
    """A signed-in, verified account (no password hashing per account: tests stay fast)."""
    async with runtime.database.sessionmaker.begin() as session:
        user = await add_user(
            session,
            email=f"{name}@example.com",
            username=name.lower(),
            first_name=name.capitalize(),
            employer=employer,
            verified=verified,
        )
        signed_in = await Member.sign_in(session, runtime.settings, user)
        await insert_ignoring_conflicts(
            session, BillingCustomer, user_id=user.id, stripe_customer_id=signed_in.customer_id
        )
    return signed_in


async def bulk_users(runtime: Runtime, prefix: str, count: int) -> list[uuid.UUID]:
    """Plain accounts (no sessions) to be followed and the like."""
    ids = [new_id() for _ in range(count)]
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(
            User(
                id=user_id,
                email=f"{prefix}{n}@example.com",
                username=f"{prefix}{n}",
                password_hash="x",
                first_name="Person",
                last_name=str(n),
                account_type=AccountType.JOB_SEEKER,
                email_verified_at=utcnow(),
            )
            for n, user_id in enumerate(ids)
        )
    return ids


async def grant_tier(
    runtime: Runtime,
    user_id: uuid.UUID,
    tier: str = "pro",
    *,
    status: str = "active",
    period_end: datetime | None = None,
    cancel_at_period_end: bool = False,
) -> str:
    """Give `user_id` a subscription as if Stripe had reported it; returns its Stripe id."""
    now = utcnow()
    stripe_id = f"sub_test_{uuid.uuid4().hex[:16]}"
    async with runtime.database.sessionmaker.begin() as session:
        customer = (
            await session.execute(select(BillingCustomer.stripe_customer_id).where(BillingCustomer.user_id == user_id))
        ).scalar_one_or_none()
        if customer is None:
            customer = f"cus_test_{user_id.hex[:16]}"
            session.add(BillingCustomer(user_id=user_id, stripe_customer_id=customer))
        session.add(
            Subscription(
                user_id=user_id,
                stripe_subscription_id=stripe_id,
                stripe_customer_id=customer,
                tier=TierCode(tier),
                interval=BillingInterval.MONTH,
                status=SubscriptionStatus(status),
                current_period_start=now - timedelta(days=1),
                current_period_end=period_end or now + timedelta(days=29),
                cancel_at_period_end=cancel_at_period_end,
                state_at=now - timedelta(days=1),
            )
        )
    return stripe_id


async def comp_tier(
    runtime: Runtime, user_id: uuid.UUID, tier: str = "pro", *, ends_at: datetime | None = None
) -> None:
    """Give `user_id` a comp (staff/comps.py's row) that started a day ago."""
    now = utcnow()
    async with runtime.database.sessionmaker.begin() as session:
        session.add(
            TierGrant(
                user_id=user_id, tier=TierCode(tier), starts_at=now - timedelta(days=1),
                ends_at=ends_at or now + timedelta(days=30), reason="test",
            )
        )  # fmt: skip
