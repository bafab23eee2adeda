"""What the benchmark measures: one small function per scenario, and the seed data they use.

A scenario is a decorated function that describes the next request of a virtual user (the
load generator sends it); adding one is a few lines:

    @scenario("GET /api/jobs?q=nurse: full-text job search, signed in")
    def jobs_search(data: SeedData) -> Call:
        return Call("GET", "/api/jobs?q=nurse", headers=data.random_user().auth)

It is called once per request, so keep it cheap: pick from `data`, do not compute.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.load import Call

SEED_PASSWORD = "bench-Passw0rd-long-enough"  # noqa: S105 - throwaway accounts on a throwaway database
SEED_CONCURRENCY = 8
"""Registration and login hash with argon2id (CPU-bound), so more parallel requests only queue."""


@dataclass(frozen=True)
class SeededUser:
    email: str
    password: str
    access_token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass(frozen=True)
class SeedData:
    """What was created through the public API before the scenarios run."""

    users: tuple[SeededUser, ...] = ()

    def random_user(self) -> SeededUser:
        return random.choice(self.users)


ScenarioFunction = Callable[[SeedData], Call]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    next_call: ScenarioFunction
    latency_target: bool = True
    """False: reported, but judged on errors only (e.g. login, which is argon2id by design)."""
    needs_users: bool = False
    max_concurrency: int | None = None
    max_duration: float | None = None


SCENARIOS: dict[str, Scenario] = {}
"""In run order: cheap reads first, writes (login sessions) last."""


def scenario(
    description: str,
    *,
    latency_target: bool = True,
    needs_users: bool = False,
    max_concurrency: int | None = None,
    max_duration: float | None = None,
) -> Callable[[ScenarioFunction], ScenarioFunction]:
    """Register the decorated function as a scenario named after it."""

    def register(function: ScenarioFunction) -> ScenarioFunction:
        name = function.__name__
        SCENARIOS[name] = Scenario(
            name=name,
            description=description,
            next_call=function,
            latency_target=latency_target,
            needs_users=needs_users,
            max_concurrency=max_concurrency,
            max_duration=max_duration,
        )
        return function

    return register


@scenario("GET /health: liveness, touches nothing; the floor of the whole stack")
def health(data: SeedData) -> Call:
    return Call("GET", "/health")


@scenario("GET /ready: readiness, one `SELECT 1` on a pooled database connection (and a Redis PING)")
def ready(data: SeedData) -> Call:
    return Call("GET", "/ready")


@scenario("GET /: anonymous home page, Jinja2 render with CSRF cookie and security headers")
def home_page(data: SeedData) -> Call:
    return Call("GET", "/")


@scenario(
    "GET /api/users/me with a random user's bearer token: JWT check, rate limit, the account (and profile) reads",
    needs_users=True,
)
def me(data: SeedData) -> Call:
    return Call("GET", "/api/users/me", headers=data.random_user().auth)


@scenario(
    "POST /api/auth/login: argon2id verify (19 MiB, 2 passes) + new session and refresh token rows",
    latency_target=False,
    needs_users=True,
    max_concurrency=8,
    max_duration=10,
)
def login(data: SeedData) -> Call:
    user = data.random_user()
    return Call("POST", "/api/auth/login", json={"email": user.email, "password": user.password})


class SeedingFailed(RuntimeError):
    pass


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise SeedingFailed(f"{what}: HTTP {response.status_code} {response.text[:300]}")


async def _seed_user(client: httpx.AsyncClient, index: int) -> SeededUser:
    email = f"bench-user-{index:05d}@example.com"
    body = {
        "email": email,
        "password": SEED_PASSWORD,
        "first_name": "Bench",
        "last_name": f"User{index}",
        "account_type": "employer" if index % 5 == 0 else "job_seeker",
    }
    _expect(await client.post("/api/auth/register", json=body), 201, f"register {email}")
    response = await client.post("/api/auth/login", json={"email": email, "password": SEED_PASSWORD})
    _expect(response, 200, f"login {email}")
    token: str = response.json()["access_token"]
    return SeededUser(email=email, password=SEED_PASSWORD, access_token=token)


async def seed(client: httpx.AsyncClient, users: int, concurrency: int = SEED_CONCURRENCY) -> SeedData:
    """Register `users` accounts and log each in, through the public API."""
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> SeededUser:
        async with gate:
            return await _seed_user(client, index)

    seeded = await asyncio.gather(*(one(index) for index in range(users)))
    return SeedData(users=tuple(seeded))
