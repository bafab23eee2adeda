"""A small demo dataset built through the public API, for as long as `hiremebahamas demo-data`
is not there: accounts, two Business employers with companies and open jobs, Pro members,
profiles, posts, follows (one account following everyone, one followed by everyone),
conversations, likes, comments and applications.

Two things the API cannot do without email and Stripe are written with SQL: every account is
verified, and the paid tiers are subscriptions in force."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import create_async_engine

from bench.load import make_httpx_client
from hiremebahamas.models import User
from hiremebahamas.models.base import utcnow
from hiremebahamas.models.billing import BillingInterval, Subscription, SubscriptionStatus, TierCode

PASSWORD = "hiremebahamas-demo"  # noqa: S105 - the demo accounts' documented password
CONCURRENCY = 8
USERS = {"tiny": 24, "small": 60, "medium": 150, "large": 300}
JOBS = {"tiny": 110, "small": 200, "medium": 400, "large": 800}
TITLES = (
    ("Registered Nurse", "healthcare"),
    ("Line Cook", "hospitality"),
    ("Sous Chef", "hospitality"),
    ("Staff Accountant", "accounting"),
    ("Software Developer", "it"),
    ("Front Desk Agent", "hospitality"),
    ("Dive Instructor", "other"),
    ("Electrician", "construction"),
    ("Sales Associate", "retail"),
    ("Marketing Manager", "marketing"),
)
ISLANDS = ("new_providence", "grand_bahama", "abaco", "exuma", "eleuthera")
EMPLOYMENT = ("full_time", "part_time", "contract", "seasonal")
HEADLINES = ("Registered nurse in Nassau", "Chef and hospitality lead", "Accountant, CPA", "Software developer")


def _is_business(index: int) -> bool:
    return index in (1, 9)


def _is_pro(index: int) -> bool:
    return index % 4 == 0 or index == 2


class SeedingFailed(RuntimeError):
    pass


def _check(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 300:
        raise SeedingFailed(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


async def _each(items: list[Any], action: Callable[[Any], Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: Any) -> Any:
        async with gate:
            return await action(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


async def _grant_tiers(database_url: str, emails: list[str]) -> None:
    now = utcnow()
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(update(User).values(email_verified_at=now))
            rows = (await connection.execute(User.__table__.select().where(User.email.in_(emails)))).all()
            by_email = {row.email: row.id for row in rows}
            subscriptions = [
                {
                    "id": uuid.uuid4(),
                    "user_id": by_email[email],
                    "stripe_subscription_id": f"sub_seed_{index}",
                    "stripe_customer_id": f"cus_seed_{index}",
                    "tier": TierCode.BUSINESS if _is_business(index) else TierCode.PRO,
                    "interval": BillingInterval.MONTH,
                    "status": SubscriptionStatus.ACTIVE,
                    "current_period_start": now,
                    "current_period_end": now + timedelta(days=30),
                    "state_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for index, email in enumerate(emails)
                if _is_business(index) or _is_pro(index)
            ]
            await connection.execute(insert(Subscription), subscriptions)
    finally:
        await engine.dispose()


async def seed(base_url: str, database_url: str, size: str) -> None:
    count = USERS[size]
    emails = [f"member{index:04d}@demo.hiremebahamas.com" for index in range(count)]
    async with make_httpx_client(base_url, CONCURRENCY) as client:

        async def register(index: int) -> None:
            body = {
                "email": emails[index],
                "password": PASSWORD,
                "first_name": ("Alicia", "Marcus", "Tamika", "Dwayne", "Keisha", "Andre")[index % 6],
                "last_name": f"Rolle{index}",
                "account_type": "employer" if _is_business(index) else "job_seeker",
            }
            _check(await client.post("/api/auth/register", json=body), f"register {emails[index]}")

        await _each(list(range(count)), register)
        await _grant_tiers(database_url, emails)

        async def login(email: str) -> dict[str, str]:
            response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            return {"Authorization": f"Bearer {_check(response, f'login {email}')['access_token']}"}

        auth = await _each(emails, login)

        async def profile(index: int) -> str:
            body = {"headline": HEADLINES[index % len(HEADLINES)], "island": ISLANDS[index % len(ISLANDS)]}
            me = _check(await client.patch("/api/users/me", json=body, headers=auth[index]), "profile")
            return str(me["user"]["username"])

        usernames = await _each(list(range(count)), profile)
        await _jobs(client, [auth[index] for index in range(count) if _is_business(index)], JOBS[size])

        async def posts(index: int) -> list[str]:
            ids = []
            for number in range(2):
                body = {"body": f"Post {number} by {usernames[index]}: looking forward to the season in the islands."}
                ids.append(
                    _check(await client.post("/api/posts", json=body, headers=auth[index]), "post")["post"]["id"]
                )
            return ids

        post_ids = list(itertools.chain.from_iterable(await _each(list(range(count)), posts)))
        follows = [(0, other) for other in range(1, count)] + [(other, 2) for other in range(3, count)]
        await _each(
            follows,
            lambda pair: client.post(f"/api/users/{usernames[pair[1]]}/follow", headers=auth[pair[0]]),
        )
        talks = [(index, (index + step) % count) for index in range(count) if _is_pro(index) for step in (1, 2)]
        await _each(
            talks,
            lambda pair: client.post(
                "/api/conversations",
                json={"recipient": usernames[pair[1]], "body": "Hello! Are you hiring this season?"},
                headers=auth[pair[0]],
            ),
        )
        reactions = [(index, post_ids[(index * 7) % len(post_ids)]) for index in range(count)]
        await _each(reactions, lambda pair: client.post(f"/api/posts/{pair[1]}/like", headers=auth[pair[0]]))
        await _each(
            reactions,
            lambda pair: client.post(
                f"/api/posts/{pair[1]}/comments", json={"body": "Congratulations!"}, headers=auth[pair[0]]
            ),
        )


async def _jobs(client: httpx.AsyncClient, employers: list[dict[str, str]], count: int) -> None:
    slugs = []
    for number, headers in enumerate(employers):
        body = {"name": f"Island Employer {number}", "island": ISLANDS[number % len(ISLANDS)], "about": "Hiring."}
        slugs.append(
            _check(await client.post("/api/companies", json=body, headers=headers), "company")["company"]["slug"]
        )

    async def job(index: int) -> None:
        title, category = TITLES[index % len(TITLES)]
        body = {
            "title": f"{title} {index}",
            "description": f"{title} wanted on {ISLANDS[index % len(ISLANDS)].replace('_', ' ')}. Apply today.",
            "island": ISLANDS[index % len(ISLANDS)],
            "employment_type": EMPLOYMENT[index % len(EMPLOYMENT)],
            "category": category,
            "salary_min": 20000 + 1000 * (index % 40),
            "salary_max": 30000 + 1000 * (index % 40),
            "salary_period": "year",
            "company_slug": slugs[index % len(slugs)],
        }
        _check(await client.post("/api/jobs", json=body, headers=employers[index % len(employers)]), "job")

    await _each(list(range(count)), job)
