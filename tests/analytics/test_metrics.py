"""The operator's figures against fixtures whose answers were worked out by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from hiremebahamas.analytics.events import Event, store_events
from hiremebahamas.analytics.rollup import rollup_day
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import BillingInterval, DailyFigure, StaffRole, Subscription, SubscriptionStatus, TierCode
from hiremebahamas.models.base import new_id, utcnow
from tests.factories import add_user
from tests.staff.conftest import Staffed, make_member

DAY = date(2026, 11, 10)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _subscription(
    runtime: Runtime,
    tier: TierCode,
    interval: BillingInterval,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    *,
    created_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> uuid.UUID:
    async with runtime.database.sessionmaker.begin() as session:
        name = f"payer-{uuid.uuid4().hex[:8]}"
        user = await add_user(session, email=f"{name}@example.com", username=name)
        session.add(
            Subscription(
                user_id=user.id,
                stripe_subscription_id=f"sub_{uuid.uuid4().hex[:12]}",
                stripe_customer_id=f"cus_{uuid.uuid4().hex[:12]}",
                tier=tier,
                interval=interval,
                status=status,
                created_at=created_at or utcnow(),
                ended_at=ended_at,
            )
        )
        return user.id


async def _summary(client: httpx.AsyncClient, admin: Any, days: int = 30) -> dict[str, Any]:
    response = await client.get(f"/api/admin/analytics/summary?days={days}", headers=admin.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_mrr_counts_an_annual_plan_as_a_twelfth_and_only_paying_subscriptions(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH)
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH, SubscriptionStatus.PAST_DUE)
    await _subscription(runtime, TierCode.BUSINESS, BillingInterval.YEAR)
    # Neither pays: a trial, and a subscription that has ended.
    await _subscription(runtime, TierCode.BUSINESS, BillingInterval.MONTH, SubscriptionStatus.TRIALING)
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH, SubscriptionStatus.CANCELED, ended_at=utcnow())
    summary = await _summary(client, admin)
    # 2 x $9.99 + $499 / 12 = $61.5633…
    assert summary["mrr_cents"] == 6156
    assert summary["arr_cents"] == 73876
    assert summary["active_subscriptions"] == {"pro": 2, "business": 1}
    assert summary["arppu_cents"] == 2052  # $61.5633 over three paying members
    # Six accounts: the admin and the five payers.
    assert summary["users_total"] == 6
    assert summary["arpu_cents"] == round(6156.33 / 6)


async def _log(runtime: Runtime, *events: tuple[Event, uuid.UUID | None, datetime, dict[str, Any]]) -> None:
    await store_events(
        runtime.tasks.context,
        events=[
            {
                "name": event.value,
                "user_id": str(user_id) if user_id else None,
                "occurred_at": when.isoformat(),
                "properties": properties,
            }
            for event, user_id, when, properties in events
        ],
    )


async def _figures(runtime: Runtime, day: date) -> dict[tuple[str, str], int]:
    async with runtime.database.sessionmaker.begin() as session:
        await rollup_day(session, day)
    async with runtime.database.sessionmaker() as session:
        rows = (await session.execute(DailyFigure.__table__.select().where(DailyFigure.day == day))).all()
    return {(row.metric, row.dimension): row.value for row in rows}


async def test_active_members_retention_and_first_actions_of_a_day(runtime: Runtime) -> None:
    ann, bob, cat, dan, eve = (new_id() for _ in range(5))
    await _log(
        runtime,
        # Ann and Bob sign up a day apart before DAY; Cat a week before, Dan 30 days before.
        (Event.SIGNED_UP, ann, at(DAY - timedelta(days=1)), {}),
        (Event.SIGNED_UP, bob, at(DAY - timedelta(days=1), 15), {}),
        (Event.SIGNED_UP, cat, at(DAY - timedelta(days=7)), {}),
        (Event.SIGNED_UP, dan, at(DAY - timedelta(days=30)), {}),
        (Event.POST_CREATED, dan, at(DAY - timedelta(days=20)), {}),
        # On DAY: Ann comes back (day-1 retained) and posts for the first time; Cat comes back
        # (day-7 retained); Dan comes back (day-30) and posts again, which is no first action.
        (Event.VISITED, ann, at(DAY, 8), {}),
        (Event.POST_CREATED, ann, at(DAY, 9), {}),
        (Event.MESSAGE_SENT, ann, at(DAY, 10), {}),
        (Event.VISITED, cat, at(DAY, 11), {}),
        (Event.POST_CREATED, dan, at(DAY, 23), {}),
        # Eve, a member for 40 days, posts for the first time: no new member's first action.
        (Event.SIGNED_UP, eve, at(DAY - timedelta(days=40)), {}),
        (Event.POST_CREATED, eve, at(DAY, 7), {}),
        # The next day does not count for DAY.
        (Event.VISITED, bob, at(DAY + timedelta(days=1), 0), {}),
    )
    figures = await _figures(runtime, DAY)
    assert figures[("dau", "")] == 4  # Ann, Cat, Dan, Eve
    assert figures[("wau", "")] == 5  # and Bob, who signed up the day before
    assert figures[("mau", "")] == 5  # Dan's sign-up 30 days before is outside the 30 days
    assert figures[("retained_d1", (DAY - timedelta(days=1)).isoformat())] == 1  # Ann, not Bob
    assert figures[("retained_d7", (DAY - timedelta(days=7)).isoformat())] == 1
    assert figures[("retained_d30", (DAY - timedelta(days=30)).isoformat())] == 1
    assert figures[("first_actions", "")] == 1  # Ann; Dan posted before, Eve is no new member
    assert figures[("events.post_created", "")] == 3
    assert figures[("events.visited", "")] == 2


async def test_mrr_movements_of_a_day_and_the_mrr_at_its_end(runtime: Runtime) -> None:
    ann, bob, cat, dan = (new_id() for _ in range(4))
    await _log(
        runtime,
        (Event.SUBSCRIPTION_STARTED, ann, at(DAY), {"mrr_before": 0, "mrr_after": 999, "reactivation": False}),
        (Event.SUBSCRIPTION_STARTED, bob, at(DAY), {"mrr_before": 0, "mrr_after": 999, "reactivation": True}),
        (Event.SUBSCRIPTION_UPGRADED, cat, at(DAY), {"mrr_before": 999, "mrr_after": 4999}),
        (Event.SUBSCRIPTION_DOWNGRADED, dan, at(DAY), {"mrr_before": 4999, "mrr_after": 4158.3333}),
        (Event.SUBSCRIPTION_ENDED, dan, at(DAY, 20), {"mrr_before": 4158.3333, "mrr_after": 0}),
        (Event.SUBSCRIPTION_CANCELED, ann, at(DAY, 21), {"tier": "pro"}),  # no MRR moves until it ends
    )
    # At DAY's end: a Pro monthly and a Business annual pay; one ended during DAY does not.
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH, created_at=at(DAY - timedelta(days=3)))
    await _subscription(runtime, TierCode.BUSINESS, BillingInterval.YEAR, created_at=at(DAY - timedelta(days=40)))
    await _subscription(
        runtime, TierCode.PRO, BillingInterval.MONTH, SubscriptionStatus.CANCELED,
        created_at=at(DAY - timedelta(days=60)), ended_at=at(DAY, 20),
    )  # fmt: skip
    # Started after DAY: not in DAY's MRR.
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH, created_at=at(DAY + timedelta(days=1)))
    figures = await _figures(runtime, DAY)
    assert figures[("mrr_new", "")] == 999
    assert figures[("mrr_reactivation", "")] == 999
    assert figures[("mrr_expansion", "")] == 4000
    assert figures[("mrr_contraction", "")] == -841
    assert figures[("mrr_churned", "")] == -4158
    assert figures[("mrr_cents", "")] == round(999 + 49900 / 12)
    assert figures[("paying", "pro")] == 1
    assert figures[("paying", "business")] == 1


async def test_rolling_a_day_up_again_replaces_its_figures(runtime: Runtime) -> None:
    ann = new_id()
    await _log(runtime, (Event.POST_CREATED, ann, at(DAY), {}))
    assert (await _figures(runtime, DAY))[("events.post_created", "")] == 1
    await _log(runtime, (Event.POST_CREATED, ann, at(DAY, 13), {}))
    assert (await _figures(runtime, DAY))[("events.post_created", "")] == 2


async def test_the_summary_adds_today_to_the_rolled_up_days(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)
    today = utcnow().date()
    ann, bob = new_id(), new_id()
    await _log(
        runtime,
        (Event.SIGNED_UP, ann, at(today - timedelta(days=3)), {}),
        (Event.SIGNED_UP, bob, at(today - timedelta(days=1)), {}),
        (Event.VISITED, bob, datetime.combine(today, datetime.min.time(), tzinfo=UTC), {}),
    )
    for back in (3, 2, 1):
        await _figures(runtime, today - timedelta(days=back))
    await _log(runtime, (Event.SIGNED_UP, new_id(), utcnow(), {}))  # today, not rolled up
    summary = await _summary(client, admin, days=7)
    assert summary["signups"] == 3
    assert summary["dau"] == 2  # Bob's visit and today's sign-up
    assert summary["wau"] == 3
    # Of the two who signed up in the window a day or more ago, Bob came back the next day
    # (today); Ann did not (three days ago, rolled up two days ago).
    assert summary["retention"]["d1"] == 0.5
    assert summary["funnel"]["signups"] == 3
    # Three days before the window of 1 day: only today's sign-up.
    assert (await _summary(client, admin, days=1))["signups"] == 1


async def test_the_timeseries_has_a_value_for_every_day(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)
    today = utcnow().date()
    await _log(runtime, (Event.JOB_APPLIED, new_id(), at(today - timedelta(days=2)), {}))
    await _figures(runtime, today - timedelta(days=2))
    response = await client.get("/api/admin/analytics/timeseries?metric=applications&days=5", headers=admin.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["date"] for item in items] == [(today - timedelta(days=n)).isoformat() for n in range(4, -1, -1)]
    assert [item["value"] for item in items] == [0, 0, 1, 0, 0]


@pytest.mark.parametrize(
    "path",
    [
        "/api/admin/analytics/summary?days=0",
        "/api/admin/analytics/summary?days=367",
        "/api/admin/analytics/summary?days=x",
        "/api/admin/analytics/timeseries?metric=revenue",
        "/api/admin/analytics/timeseries",
        "/api/admin/analytics/timeseries?metric=dau&days=-1",
    ],
)
async def test_malformed_questions_get_a_clear_error(client: httpx.AsyncClient, runtime: Runtime, path: str) -> None:
    admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)
    response = await client.get(path, headers=admin.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("path", ["/api/admin/analytics/summary", "/api/admin/analytics/timeseries?metric=dau"])
async def test_only_admins_see_the_business_figures(client: httpx.AsyncClient, people: Staffed, path: str) -> None:
    assert (await client.get(path)).status_code == 401
    for who in (people.seeker, people.employer, people.moderator):
        response = await client.get(path, headers=who.headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert (await client.get(path, headers=people.admin.headers)).status_code == 200
