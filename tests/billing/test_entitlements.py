"""Each tier boundary through the real endpoints: exactly at the limit is allowed, one over is
refused with 402 `upgrade_required` naming the plan that lifts it; and the monthly counter
cannot be overrun by concurrent requests."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from hiremebahamas.billing import entitlements
from hiremebahamas.core.errors import Conflict, UpgradeRequired
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Company, CompanyMember, CompanyRole, Conversation, Follow, Job, UsageCounter, User
from hiremebahamas.models.base import new_id, utcnow
from tests.billing.factories import Member, bulk_users, grant_tier, member


def _refused(response: httpx.Response, tier: str) -> None:
    assert response.status_code == 402, response.text
    error = response.json()["error"]
    assert error["code"] == "upgrade_required"
    assert error["required_tier"] == tier
    assert error["message"]


async def _post(client: httpx.AsyncClient, who: Member, n: int) -> httpx.Response:
    return await client.post("/api/posts", json={"body": f"Post number {n}"}, headers=who.headers)


async def test_free_allows_five_posts_a_month_then_402(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    for n in range(1, 6):
        assert (await _post(client, ann, n)).status_code == 201  # the 5th is still allowed
    _refused(await _post(client, ann, 6), "pro")
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert me["usage"]["posts"]["used"] == 5  # the refused one took nothing
    assert me["usage"]["posts"]["limit"] == 5

    await grant_tier(runtime, ann.id, "pro")
    assert (await _post(client, ann, 7)).status_code == 201  # lifted at once
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert me["usage"]["posts"] == {"used": 6, "limit": None, "period": utcnow().strftime("%Y-%m")}


async def test_last_months_posts_do_not_count(runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    async with runtime.database.sessionmaker.begin() as session:
        user = await session.get(User, ann.id)
        assert user is not None
        for _ in range(5):
            await entitlements.ensure_can_post(session, user, datetime(2026, 10, 31, 23, 59, tzinfo=UTC))
        with pytest.raises(UpgradeRequired):
            await entitlements.ensure_can_post(session, user, datetime(2026, 10, 1, tzinfo=UTC))
        # A new calendar month (UTC) starts a new allowance.
        await entitlements.ensure_can_post(session, user, datetime(2026, 11, 1, tzinfo=UTC))


async def _start(client: httpx.AsyncClient, sender: Member, recipient: Member) -> str:
    response = await client.post(
        "/api/conversations", json={"recipient": recipient.username, "body": "Hello 1"}, headers=sender.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["conversation"]["id"])


async def _send(client: httpx.AsyncClient, sender: Member, conversation_id: str, n: int) -> httpx.Response:
    path = f"/api/conversations/{conversation_id}/messages"
    return await client.post(path, json={"body": f"Message {n}"}, headers=sender.headers)


async def test_free_allows_ten_messages_in_conversations_you_start(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    conversation_id = await _start(client, ann, bob)  # message 1
    for n in range(2, 11):
        assert (await _send(client, ann, conversation_id, n)).status_code == 201  # up to the 10th
    _refused(await _send(client, ann, conversation_id, 11), "pro")

    # Replies in a conversation someone else started are unlimited.
    for n in range(1, 13):
        assert (await _send(client, bob, conversation_id, n)).status_code == 201

    await grant_tier(runtime, ann.id, "pro")
    assert (await _send(client, ann, conversation_id, 11)).status_code == 201


async def test_messages_in_a_conversation_someone_else_started_are_not_counted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob, cara = await member(runtime, "ann"), await member(runtime, "bob"), await member(runtime, "cara")
    started_by_bob = await _start(client, bob, ann)
    for n in range(12):
        assert (await _send(client, ann, started_by_bob, n)).status_code == 201
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert me["usage"]["messages"]["used"] == 0
    await _start(client, ann, cara)
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert me["usage"]["messages"]["used"] == 1


async def _conversation(runtime: Runtime, starter: uuid.UUID, other: uuid.UUID) -> uuid.UUID:
    async with runtime.database.sessionmaker.begin() as session:
        low, high = sorted((starter, other))
        conversation = Conversation(
            id=new_id(), user_a_id=low, user_b_id=high, started_by_id=starter, created_at=utcnow()
        )
        session.add(conversation)
    return conversation.id


async def test_concurrent_messages_cannot_pass_the_limit(runtime: Runtime) -> None:
    """Fifteen sends at once, each in its own transaction: exactly ten get through."""
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    conversation_id = await _conversation(runtime, ann.id, bob.id)

    async def send() -> bool:
        try:
            async with runtime.database.unit_of_work(runtime.tasks) as session:
                sender = await session.get(User, ann.id)
                conversation = await session.get(Conversation, conversation_id)
                assert sender is not None
                assert conversation is not None
                await entitlements.ensure_can_send_message(session, sender, conversation)
                await asyncio.sleep(0.01)  # hold the transaction open: the others must wait or see it
        except UpgradeRequired:
            return False
        return True

    results = await asyncio.gather(*(send() for _ in range(15)))
    assert results.count(True) == 10
    async with runtime.database.sessionmaker() as session:
        counters = (await session.execute(select(UsageCounter.used).where(UsageCounter.user_id == ann.id))).scalars()
        assert list(counters) == [10]


async def _follow(client: httpx.AsyncClient, who: Member, username: str) -> httpx.Response:
    return await client.post(f"/api/users/{username}/follow", headers=who.headers)


async def test_free_allows_following_one_hundred_people(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    others = await bulk_users(runtime, "person", 102)
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(Follow(follower_id=ann.id, followee_id=other) for other in others[:99])
    assert (await _follow(client, ann, "person99")).status_code == 200  # the 100th
    _refused(await _follow(client, ann, "person100"), "pro")  # the 101st
    assert (await _follow(client, ann, "person99")).status_code == 200  # following again is no new follow
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert me["usage"]["follows"] == {"used": 100, "limit": 100, "period": None}

    assert (await client.delete("/api/users/person0/follow", headers=ann.headers)).status_code in (200, 204)
    assert (await _follow(client, ann, "person100")).status_code == 200  # a total, not a monthly count
    await grant_tier(runtime, ann.id, "pro")
    assert (await _follow(client, ann, "person101")).status_code == 200


async def test_concurrent_follows_cannot_pass_the_limit(runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    others = await bulk_users(runtime, "person", 105)
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(Follow(follower_id=ann.id, followee_id=other) for other in others[:97])

    async def follow(other: uuid.UUID) -> bool:
        from hiremebahamas.social import graph

        try:
            async with runtime.database.unit_of_work(runtime.tasks) as session:
                await graph.follow(session, ann.id, other)
                await asyncio.sleep(0.01)
        except UpgradeRequired:
            return False
        return True

    results = await asyncio.gather(*(follow(other) for other in others[97:]))
    assert results.count(True) == 3
    async with runtime.database.sessionmaker() as session:
        assert await entitlements.follow_count(session, ann.id) == 100


async def _company(client: httpx.AsyncClient, owner: Member) -> str:
    response = await client.post("/api/companies", json={"name": "Coral Reef Resort"}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["company"]["slug"])


def _job(slug: str) -> dict[str, object]:
    return {
        "title": "Front Desk Manager",
        "description": "Lead the **front desk** team of a busy resort.",
        "island": "new_providence",
        "remote": False,
        "employment_type": "full_time",
        "category": "hospitality",
        "company_slug": slug,
    }


async def test_only_business_can_post_jobs(client: httpx.AsyncClient, runtime: Runtime) -> None:
    boss = await member(runtime, "boss", employer=True)
    slug = await _company(client, boss)
    _refused(await client.post("/api/jobs", json=_job(slug), headers=boss.headers), "business")
    await grant_tier(runtime, boss.id, "pro")
    _refused(await client.post("/api/jobs", json=_job(slug), headers=boss.headers), "business")
    await grant_tier(runtime, boss.id, "business")
    response = await client.post("/api/jobs", json=_job(slug), headers=boss.headers)
    assert response.status_code == 201, response.text


async def test_team_seats_follow_the_owners_plan(client: httpx.AsyncClient, runtime: Runtime) -> None:
    boss = await member(runtime, "boss", employer=True)
    staff = [await member(runtime, f"staff{n}", employer=True) for n in range(5)]
    slug = await _company(client, boss)

    async def add(who: Member) -> httpx.Response:
        return await client.post(
            f"/api/companies/{slug}/members", json={"username": who.username}, headers=boss.headers
        )

    _refused(await add(staff[0]), "business")  # Free: the owner alone
    await grant_tier(runtime, boss.id, "pro")
    _refused(await add(staff[0]), "business")  # Pro: still one seat
    await grant_tier(runtime, boss.id, "business")
    for who in staff[:4]:
        assert (await add(who)).status_code == 201  # 5 with the owner
    response = await add(staff[4])
    assert response.status_code == 409  # no plan has more seats
    assert response.json()["error"]["code"] == "conflict"


async def _business_owner(runtime: Runtime, tier: str | None) -> User:
    boss = await member(runtime, f"boss{uuid.uuid4().hex[:6]}", employer=True)
    if tier:
        await grant_tier(runtime, boss.id, tier)
    async with runtime.database.sessionmaker() as session:
        user = await session.get(User, boss.id)
        assert user is not None
        return user


async def test_featured_jobs_five_a_month_on_business_only(runtime: Runtime) -> None:
    free, pro, business = [await _business_owner(runtime, tier) for tier in (None, "pro", "business")]
    async with runtime.database.sessionmaker.begin() as session:
        for user in (free, pro):
            with pytest.raises(UpgradeRequired) as refused:
                await entitlements.ensure_can_feature_job(session, user)
            assert refused.value.extra["required_tier"] == "business"
        for _ in range(5):
            await entitlements.ensure_can_feature_job(session, business)
        with pytest.raises(Conflict):
            await entitlements.ensure_can_feature_job(session, business)


async def test_a_downgrade_deletes_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    boss = await member(runtime, "boss", employer=True)
    await grant_tier(
        runtime, boss.id, "business", period_end=utcnow() + timedelta(seconds=2), cancel_at_period_end=True
    )
    slug = await _company(client, boss)
    assert (await client.post("/api/jobs", json=_job(slug), headers=boss.headers)).status_code == 201
    async with runtime.database.sessionmaker() as session:
        later = utcnow() + timedelta(seconds=3)
        assert (await entitlements.plan_of(session, boss.id, later)).tier.code == "free"
        jobs = (await session.execute(select(Job.status).join(Company).where(Company.slug == slug))).scalars()
        assert list(jobs) == ["open"]
        members = select(CompanyMember.role).where(CompanyMember.user_id == boss.id)
        assert list((await session.execute(members)).scalars()) == [CompanyRole.OWNER]
