"""The data the scenarios run on: a demo dataset in the benchmark's database, the subjects the
scenarios act as (picked from it with SQL) signed in through the public API, and what the
requests point at (jobs, companies, profiles, posts, conversations, words that match)."""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bench.load import make_httpx_client
from hiremebahamas.demo import DEMO_PASSWORD

SIZES = ("tiny", "small", "medium", "large")
SIGN_IN_CONCURRENCY = 8
"""Login verifies an argon2id hash (CPU-bound): more parallel requests only queue."""
SEEKERS = 64
"""Signed-in job seekers: one per connection of the default load."""
POOL_LIMIT = 500
"""Ids of each kind the requests pick from at random."""
_WORD = re.compile(r"[a-z]{4,}")


class DataProblem(RuntimeError):
    """The dataset lacks something a scenario needs."""


@dataclass(frozen=True)
class Account:
    username: str
    email: str
    token: str
    cookie: str
    """The Cookie header a browser would send after signing in (session and CSRF cookies)."""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def session(self) -> dict[str, str]:
        return {"Cookie": self.cookie}


class ApplyPool:
    """(seeker, open job) pairs with no application yet, each handed out once: every apply
    request is a new application, so a 409 duplicate counts as the error it is."""

    def __init__(self, pairs: Iterator[tuple[Account, str]]) -> None:
        self._pairs = pairs

    def take(self) -> tuple[Account, str] | None:
        return next(self._pairs, None)


@dataclass(frozen=True)
class Subjects:
    seekers: tuple[Account, ...]
    pro: Account
    """On the Pro tier: no monthly post limit."""
    business: Account
    """On the Business tier, on a company's team."""
    heavy_follower: Account
    heavy_follower_follows: int
    celebrity_follower: Account
    celebrity_followers: int
    """How many people follow the account `celebrity_follower` follows."""
    messagers: tuple[tuple[Account, str], ...]
    """Accounts on a paid tier (no monthly message limit) with one of their conversation ids."""
    job_ids: tuple[str, ...]
    job_paths: tuple[str, ...]
    company_slugs: tuple[str, ...]
    usernames: tuple[str, ...]
    post_ids: tuple[str, ...]
    job_words: tuple[str, ...]
    talent_words: tuple[str, ...]
    filters: tuple[str, ...]
    """Query strings of island + employment type that match open jobs."""
    deep_page: str
    """A search's page reached by following next_cursor (page 5 when the data has that many)."""
    deep_page_number: int
    applications: ApplyPool

    def seeker(self) -> Account:
        return random.choice(self.seekers)

    def counts(self) -> dict[str, Any]:
        return {
            "seekers": len(self.seekers),
            "heavy_follower_follows": self.heavy_follower_follows,
            "celebrity_followers": self.celebrity_followers,
            "messagers": len(self.messagers),
            "jobs": len(self.job_ids),
            "companies": len(self.company_slugs),
            "profiles": len(self.usernames),
            "posts": len(self.post_ids),
            "job_words": list(self.job_words),
            "talent_words": list(self.talent_words),
            "deep_page": self.deep_page_number,
        }


# --------------------------------------------------------------------------
# picking with SQL


@dataclass(frozen=True)
class _Row:
    username: str
    email: str


async def _people(connection: AsyncConnection, sql: str, **params: Any) -> list[_Row]:
    rows = (await connection.execute(text(sql), params)).all()
    return [_Row(username=row.username, email=row.email) for row in rows]


async def _one(connection: AsyncConnection, what: str, sql: str, **params: Any) -> _Row:
    found = await _people(connection, sql, **params)
    if not found:
        raise DataProblem(f"the dataset has no {what}")
    return found[0]


async def _column(connection: AsyncConnection, sql: str, **params: Any) -> list[Any]:
    return list((await connection.execute(text(sql), params)).scalars())


# The queries name what a subject must be: an active, verified account; a paid tier is a
# subscription whose status still grants it (billing/entitlements.py).


@dataclass
class _Picked:
    seekers: list[_Row]
    pro: _Row
    business: _Row
    heavy: _Row
    heavy_follows: int
    fan: _Row
    celebrity_followers: int
    messagers: list[tuple[_Row, str]]
    jobs: list[tuple[str, str, str]]
    """(id, slug, company id) of open jobs."""
    companies: list[str]
    usernames: list[str]
    posts: list[str]
    job_titles: list[str]
    skills: list[str]
    filters: list[str]
    applied: set[tuple[str, str]]
    """(username, job id) of the seekers' existing applications."""
    teams: set[tuple[str, str]]
    """(username, company id) of the seekers' company memberships: they may not apply there."""


async def _pick(connection: AsyncConnection) -> _Picked:
    seekers = await _people(
        connection,
        "SELECT u.username, u.email FROM users u WHERE u.is_active AND u.email_verified_at IS NOT NULL "
        "AND u.account_type = 'job_seeker' ORDER BY u.username LIMIT :n",
        n=SEEKERS,
    )
    if not seekers:
        raise DataProblem("the dataset has no verified job seekers")
    paid = (
        "SELECT u.username, u.email FROM users u JOIN subscriptions s ON s.user_id = u.id "
        "WHERE u.is_active AND u.email_verified_at IS NOT NULL "
        "AND s.status IN ('active', 'trialing', 'past_due') AND s.tier = :tier "
        "AND (:team = false OR EXISTS (SELECT 1 FROM company_members m WHERE m.user_id = u.id)) "
        "ORDER BY u.username LIMIT 1"
    )
    pro = await _one(connection, "verified Pro user", paid, tier="pro", team=False)
    business = await _one(
        connection, "verified Business employer on a company's team", paid, tier="business", team=True
    )
    heavy_row = (
        await connection.execute(
            text(
                "SELECT u.username, u.email, count(*) AS n FROM follows f JOIN users u ON u.id = f.follower_id "
                "WHERE u.is_active AND u.email_verified_at IS NOT NULL "
                "GROUP BY u.id, u.username, u.email ORDER BY n DESC, u.username LIMIT 1"
            )
        )
    ).first()
    celebrity_row = (
        await connection.execute(
            text("SELECT followee_id, count(*) AS n FROM follows GROUP BY followee_id ORDER BY n DESC LIMIT 1")
        )
    ).first()
    if heavy_row is None or celebrity_row is None:
        raise DataProblem("the dataset has no follows")
    fan = await _one(
        connection,
        "follower of the most followed account",
        "SELECT u.username, u.email FROM follows f JOIN users u ON u.id = f.follower_id "
        "WHERE f.followee_id = :celebrity AND u.username <> :heavy "
        "AND u.is_active AND u.email_verified_at IS NOT NULL ORDER BY u.username LIMIT 1",
        celebrity=celebrity_row.followee_id,
        heavy=heavy_row.username,
    )
    messager_rows = (
        await connection.execute(
            text(
                # Both sides active and neither blocking the other: the message must go through.
                "SELECT DISTINCT ON (u.id) u.username, u.email, p.conversation_id FROM conversation_participants p "
                "JOIN users u ON u.id = p.user_id JOIN subscriptions s ON s.user_id = u.id "
                "JOIN conversations c ON c.id = p.conversation_id "
                "JOIN users a ON a.id = c.user_a_id JOIN users b ON b.id = c.user_b_id "
                "WHERE u.is_active AND u.email_verified_at IS NOT NULL AND a.is_active AND b.is_active "
                "AND s.status IN ('active', 'trialing', 'past_due') AND s.tier IN ('pro', 'business') "
                "AND NOT EXISTS (SELECT 1 FROM blocks k WHERE k.blocker_id IN (c.user_a_id, c.user_b_id) "
                "AND k.blocked_id IN (c.user_a_id, c.user_b_id)) "
                "ORDER BY u.id, p.last_message_at DESC LIMIT :n"
            ),
            {"n": SEEKERS},
        )
    ).all()
    jobs = [
        (str(row.id), row.slug, str(row.company_id))
        for row in (
            await connection.execute(
                text(
                    "SELECT id, slug, company_id FROM jobs WHERE status = 'open' "
                    "AND valid_through > now() + interval '1 day' ORDER BY published_at DESC NULLS LAST"
                )
            )
        ).all()
    ]
    if not jobs:
        raise DataProblem("the dataset has no open jobs")
    usernames = [row.username for row in seekers]
    return _Picked(
        seekers=seekers,
        pro=pro,
        business=business,
        heavy=_Row(heavy_row.username, heavy_row.email),
        heavy_follows=int(heavy_row.n),
        fan=fan,
        celebrity_followers=int(celebrity_row.n),
        messagers=[(_Row(row.username, row.email), str(row.conversation_id)) for row in messager_rows],
        jobs=jobs,
        companies=await _column(
            connection,
            "SELECT c.slug FROM companies c WHERE EXISTS "
            "(SELECT 1 FROM jobs j WHERE j.company_id = c.id AND j.status = 'open') ORDER BY c.slug LIMIT :n",
            n=POOL_LIMIT,
        ),
        usernames=await _column(
            connection,
            "SELECT u.username FROM users u JOIN profiles p ON p.user_id = u.id "
            "WHERE u.is_active AND p.visibility = 'public' ORDER BY u.username LIMIT :n",
            n=POOL_LIMIT,
        ),
        posts=[
            str(post)
            for post in await _column(
                connection,
                # Authors in no block: every seeker may see, like and comment on these posts.
                "SELECT p.id FROM posts p JOIN users u ON u.id = p.author_id WHERE u.is_active AND NOT EXISTS "
                "(SELECT 1 FROM blocks k WHERE p.author_id IN (k.blocker_id, k.blocked_id)) ORDER BY p.id LIMIT :n",
                n=POOL_LIMIT,
            )
        ],
        job_titles=await _column(connection, "SELECT title FROM jobs WHERE status = 'open' LIMIT 5000"),
        # Skills of public profiles: what people search the directory for (headlines are mostly
        # filler words such as "with" and "years").
        skills=await _column(
            connection,
            "SELECT s.name FROM profile_skills ps JOIN skills s ON s.id = ps.skill_id "
            "JOIN profiles p ON p.user_id = ps.user_id WHERE p.visibility = 'public' LIMIT 5000",
        ),
        filters=[
            f"island={row.island}&employment_type={row.employment_type}"
            for row in (
                await connection.execute(
                    text(
                        "SELECT island, employment_type, count(*) AS n FROM jobs WHERE status = 'open' "
                        "AND island IS NOT NULL GROUP BY island, employment_type ORDER BY n DESC LIMIT 3"
                    )
                )
            ).all()
        ],
        applied={
            (row.username, str(row.job_id))
            for row in (
                await connection.execute(
                    text(
                        "SELECT u.username, a.job_id FROM job_applications a JOIN users u ON u.id = a.applicant_id "
                        "WHERE u.username = ANY(:names)"
                    ),
                    {"names": usernames},
                )
            ).all()
        },
        teams={
            (row.username, str(row.company_id))
            for row in (
                await connection.execute(
                    text(
                        "SELECT u.username, m.company_id FROM company_members m JOIN users u ON u.id = m.user_id "
                        "WHERE u.username = ANY(:names)"
                    ),
                    {"names": usernames},
                )
            ).all()
        },
    )


def _common_words(texts: list[str], count: int) -> tuple[str, ...]:
    words: Counter[str] = Counter()
    for value in texts:
        words.update(set(_WORD.findall(value.lower())))
    return tuple(word for word, _ in words.most_common(count))


# --------------------------------------------------------------------------
# signing in and following cursors, through the API


async def _sign_in(client: httpx.AsyncClient, row: _Row, password: str) -> Account:
    response = await client.post("/api/auth/login", json={"email": row.email, "password": password})
    if response.status_code != 200:
        raise DataProblem(f"login {row.email}: HTTP {response.status_code} {response.text[:200]}")
    # Read from the headers: a cookie jar would drop the Secure cookies production sets on http.
    cookie = "; ".join(header.split(";", 1)[0] for header in response.headers.get_list("set-cookie"))
    return Account(username=row.username, email=row.email, token=response.json()["access_token"], cookie=cookie)


async def _deep_page(client: httpx.AsyncClient, queries: list[str], pages: int = 5) -> tuple[str, int]:
    """Follow next_cursor from page 1 up to `pages`, on the first query that has that many pages
    (else the deepest page found): the path of that page, and its number."""
    best = ("/api/jobs", 1)
    for query in queries:
        first = f"/api/jobs?{query}" if query else "/api/jobs"
        path, number = first, 1
        while number < pages:
            response = await client.get(path)
            response.raise_for_status()
            cursor = response.json().get("next_cursor")
            if not cursor:
                break
            path, number = f"{first}{'&' if query else '?'}cursor={quote(cursor)}", number + 1
        if number > best[1]:
            best = (path, number)
        if number == pages:
            break
    return best


def _apply_pairs(seekers: list[Account], picked: _Picked) -> Iterator[tuple[Account, str]]:
    """Job by job, each seeker that has not applied there and is not on its company's team."""
    for job_id, _slug, company_id in picked.jobs:
        for seeker in seekers:
            if (seeker.username, job_id) not in picked.applied and (seeker.username, company_id) not in picked.teams:
                yield seeker, job_id


async def prepare(database_url: str, base_url: str) -> Subjects:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            picked = await _pick(connection)
    finally:
        await engine.dispose()
    gate = asyncio.Semaphore(SIGN_IN_CONCURRENCY)
    async with make_httpx_client(base_url, SIGN_IN_CONCURRENCY) as client:

        async def sign_in(row: _Row) -> Account:
            async with gate:
                return await _sign_in(client, row, DEMO_PASSWORD)

        rows = [*picked.seekers, picked.pro, picked.business, picked.heavy, picked.fan]
        rows += [row for row, _ in picked.messagers]
        accounts = await asyncio.gather(*(sign_in(row) for row in rows))
        seekers = accounts[: len(picked.seekers)]
        pro, business, heavy, fan = accounts[len(picked.seekers) : len(picked.seekers) + 4]
        messagers = tuple(
            (account, conversation)
            for account, (_, conversation) in zip(accounts[len(picked.seekers) + 4 :], picked.messagers, strict=True)
        )
        job_words = _common_words(picked.job_titles, 5)
        deep_page, deep_number = await _deep_page(client, [f"q={word}" for word in job_words[:1]] + [""])
    if not messagers:
        raise DataProblem("no account on a paid tier takes part in a conversation")
    return Subjects(
        seekers=tuple(seekers),
        pro=pro,
        business=business,
        heavy_follower=heavy,
        heavy_follower_follows=picked.heavy_follows,
        celebrity_follower=fan,
        celebrity_followers=picked.celebrity_followers,
        messagers=messagers,
        job_ids=tuple(job_id for job_id, _, _ in picked.jobs[:POOL_LIMIT]),
        job_paths=tuple(f"/jobs/{job_id}-{slug}" for job_id, slug, _ in picked.jobs[:POOL_LIMIT]),
        company_slugs=tuple(picked.companies),
        usernames=tuple(picked.usernames),
        post_ids=tuple(picked.posts),
        job_words=job_words,
        talent_words=_common_words(picked.skills, 5) or job_words,
        filters=tuple(picked.filters),
        deep_page=deep_page,
        deep_page_number=deep_number,
        applications=ApplyPool(_apply_pairs(list(seekers), picked)),
    )
