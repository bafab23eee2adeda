"""How Stripe's events move MRR, as the analytics log records it (new, expansion, contraction,
churn, reactivation), and the summary's current MRR right after a subscription starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AnalyticsEvent, StaffRole
from hiremebahamas.models.base import utcnow
from tests.billing import stripe_events as se
from tests.billing.factories import member
from tests.staff.conftest import make_member

T0 = utcnow().replace(microsecond=0) - timedelta(minutes=30)
END = T0 + timedelta(days=30)


async def _moves(runtime: Runtime) -> list[tuple[str, dict[str, Any]]]:
    await runtime.tasks.drain()
    async with runtime.database.sessionmaker() as session:
        query = select(AnalyticsEvent.name, AnalyticsEvent.properties).where(AnalyticsEvent.name.like("subscription_%"))
        return [(name, properties) for name, properties in (await session.execute(query.order_by(AnalyticsEvent.id)))]


async def test_a_subscriptions_life_is_logged_as_mrr_movements(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann = await member(runtime, "ann")
    admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)

    async def send(type_: str, obj: dict[str, Any], minutes: int) -> None:
        response = await se.deliver(client, se.event(type_, obj, T0 + timedelta(minutes=minutes)), secret)
        assert response.status_code == 200, response.text

    pro = se.subscription("sub_life", ann.customer_id, start=T0, end=END)
    await send("customer.subscription.created", pro, 1)
    summary = (await client.get("/api/admin/analytics/summary", headers=admin.headers)).json()
    assert summary["mrr_cents"] == 999  # current at once, from the subscription record
    business = se.subscription("sub_life", ann.customer_id, start=T0, end=END, lookup_key="business_monthly")
    await send("customer.subscription.updated", business, 2)
    annual = se.subscription("sub_life", ann.customer_id, start=T0, end=END, lookup_key="business_annual")
    await send("customer.subscription.updated", annual, 3)
    canceling = {**annual, "cancel_at_period_end": True}
    await send("customer.subscription.updated", canceling, 4)
    await send("customer.subscription.updated", canceling, 5)  # a second delivery moves nothing
    ended = se.subscription(
        "sub_life", ann.customer_id, start=T0, end=END, lookup_key="business_annual", status="canceled", ended_at=END
    )
    await send("customer.subscription.deleted", ended, 6)
    again = se.subscription("sub_back", ann.customer_id, start=T0, end=END)
    await send("customer.subscription.created", again, 7)
    assert await _moves(runtime) == [
        ("subscription_started", {"mrr_before": 0, "mrr_after": 999.0, "reactivation": False}),
        ("subscription_upgraded", {"mrr_before": 999.0, "mrr_after": 4999.0}),
        ("subscription_downgraded", {"mrr_before": 4999.0, "mrr_after": 4158.3333}),
        ("subscription_canceled", {"tier": "business"}),
        ("subscription_ended", {"mrr_before": 4158.3333, "mrr_after": 0}),
        ("subscription_started", {"mrr_before": 0, "mrr_after": 999.0, "reactivation": True}),
    ]
    summary = (await client.get("/api/admin/analytics/summary", headers=admin.headers)).json()
    assert summary["mrr_movements"] == {
        "new": 999,
        "reactivation": 999,
        "expansion": 4000,
        "contraction": -841,
        "churned": -4158,
    }
    assert summary["mrr_cents"] == 999
