"""A comp (an admin's TierGrant) counts like a subscription of its tier until it ends: a comped
Free member can do what the tier allows, and once `ends_at` passes they cannot, with no job
run. Lists that show everyone's plan stay at a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import httpx

from hiremebahamas.billing import entitlements
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import StaffRole
from hiremebahamas.models.base import utcnow
from tests.billing.factories import Member, bulk_users, comp_tier, grant_tier, member
from tests.billing.test_entitlements import _company, _job, _post, _refused
from tests.factories import Member as StaffMember
from tests.factories import add_user
from tests.helpers import counted_queries


async def test_a_comped_free_member_posts_past_the_free_allowance(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    for n in range(1, 6):
        assert (await _post(client, ann, n)).status_code == 201
    _refused(await _post(client, ann, 6), "pro")
    await comp_tier(runtime, ann.id, "pro")
    assert (await _post(client, ann, 7)).status_code == 201


async def test_a_comped_business_owner_posts_jobs_and_adds_seats(client: httpx.AsyncClient, runtime: Runtime) -> None:
    boss = await member(runtime, "boss", employer=True)
    helper = await member(runtime, "helper", employer=True)
    slug = await _company(client, boss)
    _refused(await client.post("/api/jobs", json=_job(slug), headers=boss.headers), "business")
    await comp_tier(runtime, boss.id, "business")
    assert (await client.post("/api/jobs", json=_job(slug), headers=boss.headers)).status_code == 201
    added = await client.post(
        f"/api/companies/{slug}/members", json={"username": helper.username}, headers=boss.headers
    )
    assert added.status_code == 201, added.text


async def test_a_comp_stops_counting_once_it_ends(runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    ends = utcnow() + timedelta(days=2)
    await comp_tier(runtime, ann.id, "pro", ends_at=ends)
    async with runtime.database.sessionmaker() as session:
        assert (await entitlements.plan_of(session, ann.id)).tier.code == "pro"
        later = await entitlements.plan_of(session, ann.id, ends + timedelta(seconds=1))
        assert later.tier.code == "free"
        assert later.grant is None
        assert (await entitlements.plan_of(session, ann.id, ends)).tier.code == "free"  # the end is exclusive


async def test_a_comp_that_ended_already_gives_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    boss = await member(runtime, "boss", employer=True)
    await comp_tier(runtime, boss.id, "business", ends_at=utcnow() - timedelta(minutes=1))
    slug = await _company(client, boss)
    _refused(await client.post("/api/jobs", json=_job(slug), headers=boss.headers), "business")
    me = (await client.get("/api/subscriptions/me", headers=boss.headers)).json()
    assert (me["tier"], me["complimentary_until"]) == ("free", None)


async def test_a_paid_subscription_wins_over_a_lower_comp(runtime: Runtime) -> None:
    ann: Member = await member(runtime, "ann")
    await comp_tier(runtime, ann.id, "pro")
    await grant_tier(runtime, ann.id, "business")
    async with runtime.database.sessionmaker() as session:
        plan = await entitlements.plan_of(session, ann.id)
    assert plan.tier.code == "business"
    assert plan.subscription is not None
    assert plan.grant is None


async def _admin(runtime: Runtime) -> StaffMember:
    async with runtime.database.sessionmaker.begin() as session:
        user = await add_user(session, email="ada@example.com", username="ada", staff_role=StaffRole.ADMIN)
        return await StaffMember.sign_in(session, runtime.settings, user)


async def test_the_staff_list_shows_comps_in_a_constant_number_of_queries(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await _admin(runtime)

    async def listed() -> tuple[int, dict[str, str]]:
        with counted_queries(runtime) as log:
            response = await client.get("/api/admin/users?limit=100", headers=admin.headers)
        assert response.status_code == 200
        return log.count, {item["username"]: item["tier"] for item in response.json()["items"]}

    few = await bulk_users(runtime, "few", 2)
    await comp_tier(runtime, few[0], "business")
    small_count, tiers = await listed()
    assert tiers["few0"] == "business"
    many = await bulk_users(runtime, "many", 20)
    for user_id in many[:10]:
        await comp_tier(runtime, user_id, "pro")
    for user_id in many[10:15]:
        await grant_tier(runtime, user_id, "business")
    large_count, tiers = await listed()
    assert large_count == small_count
    assert [tiers[f"many{n}"] for n in (0, 9, 10, 14, 15)] == ["pro", "pro", "business", "business", "free"]
    comped = await client.get("/api/admin/users?tier=pro&limit=100", headers=admin.headers)
    assert {item["username"] for item in comped.json()["items"]} == {f"many{n}" for n in range(10)}
    free = await client.get("/api/admin/users?tier=free&limit=100", headers=admin.headers)
    assert "few0" not in {item["username"] for item in free.json()["items"]}
