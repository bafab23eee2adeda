"""Marketplace fixtures and helpers: an employer with a company, a seeker, posting jobs,
uploads (rows only: these tests are about who may use a file, not about storing it), moving
time for a job, and counting SQL queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from hiremebahamas.accounts.usernames import suggest_username
from hiremebahamas.core import response_areas
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.jobs.postings.schemas import JobIn
from hiremebahamas.jobs.postings.service import create_job
from hiremebahamas.models import (
    BillingInterval,
    Job,
    Subscription,
    SubscriptionStatus,
    TierCode,
    Upload,
    UploadPurpose,
    User,
)
from hiremebahamas.models.base import utcnow
from tests.factories import add_user, sign_in
from tests.helpers import PASSWORD, Account


@dataclass
class Person(Account):
    cookie: str = ""
    """The browser session cookie of the same sign-in (for page tests)."""

    @property
    def id(self) -> uuid.UUID:
        assert self.user is not None
        return uuid.UUID(self.user["id"])

    @property
    def username(self) -> str:
        assert self.user is not None
        return str(self.user["username"])


async def person(
    runtime: Runtime,
    email: str,
    *,
    first_name: str = "Ann",
    employer: bool = False,
    verified: bool = True,
    business: bool | None = None,
) -> Person:
    """A signed-in account written directly: registration and login have their own tests, and
    skipping their password hashing keeps these tests fast. Employers are on the Business plan
    (posting jobs needs it) unless `business=False`."""
    async with runtime.database.sessionmaker.begin() as session:
        username = await suggest_username(session, first_name, "Rolle")
        user = await add_user(
            session, email=email, username=username, first_name=first_name, employer=employer, verified=verified
        )
        if business if business is not None else employer:
            session.add(business_subscription(user.id))
        login = await sign_in(session, runtime.settings, user)
    info = {"id": str(user.id), "username": user.username, "email": email}
    tokens = login.tokens
    return Person(email, PASSWORD, tokens.access_token, tokens.refresh_token, info, login.cookie_value)


def business_subscription(owner_id: uuid.UUID) -> Subscription:
    now = utcnow()
    return Subscription(
        user_id=owner_id,
        stripe_subscription_id=f"sub_test_{owner_id.hex}",
        stripe_customer_id=f"cus_test_{owner_id.hex}",
        tier=TierCode.BUSINESS,
        interval=BillingInterval.MONTH,
        status=SubscriptionStatus.ACTIVE,
        current_period_start=now,
        current_period_end=now + timedelta(days=30),
    )


def job_body(company_slug: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Front Desk Manager",
        "description": "Lead the **front desk** team of a busy resort.\n\n- Guest relations\n- Scheduling",
        "island": "new_providence",
        "remote": False,
        "employment_type": "full_time",
        "category": "hospitality",
        "salary_min": 40000,
        "salary_max": 55000,
        "salary_period": "year",
        "company_slug": company_slug,
        "skills": ["Customer service", "Scheduling"],
    }
    return {**body, **overrides}


async def post_job(client: httpx.AsyncClient, owner: Account, company_slug: str, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/jobs", json=job_body(company_slug, **overrides), headers=owner.headers)
    assert response.status_code == 201, response.text
    job: dict[str, Any] = response.json()["job"]
    return job


async def add_jobs(runtime: Runtime, owner: Person, company_slug: str, titles: list[str], **overrides: Any) -> None:
    """Many open jobs at once, through the service in one transaction (no HTTP round trips, and
    no alert tasks: those are dropped with the session)."""
    async with runtime.database.sessionmaker.begin() as session:
        user = await session.get_one(User, owner.id)
        for title in titles:
            await create_job(session, user, JobIn.model_validate(job_body(company_slug, title=title, **overrides)))


async def create_company(client: httpx.AsyncClient, owner: Account, name: str, **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/companies", json={"name": name, **extra}, headers=owner.headers)
    assert response.status_code == 201, response.text
    company: dict[str, Any] = response.json()["company"]
    return company


async def add_colleague(
    client: httpx.AsyncClient, runtime: Runtime, owner: Account, company_slug: str, email: str = "colleague@example.com"
) -> Person:
    """An employer `owner` adds to the company's team (first name Cal)."""
    colleague = await person(runtime, email, first_name="Cal", employer=True)
    added = await client.post(
        f"/api/companies/{company_slug}/members", json={"username": colleague.username}, headers=owner.headers
    )
    assert added.status_code == 201, added.text
    return colleague


def user_id(account: Account) -> uuid.UUID:
    assert account.user is not None
    return uuid.UUID(account.user["id"])


async def add_upload(runtime: Runtime, owner: Account, purpose: UploadPurpose = UploadPurpose.CV) -> uuid.UUID:
    upload_id = uuid.uuid4()
    async with runtime.database.sessionmaker.begin() as session:
        session.add(
            Upload(
                id=upload_id,
                owner_id=user_id(owner),
                purpose=purpose,
                content_type="application/pdf",
                size=1234,
                storage_key=f"test/{upload_id}",
                original_name="ann-rolle-cv.pdf",
            )
        )
    return upload_id


async def set_job(runtime: Runtime, job_id: str, **values: Any) -> None:
    """Change a job behind the app's back (move its dates into the past, feature it, …). The
    server's kept anonymous answers are dropped too: for them time passing shows only after
    CACHE_DEFAULT_TTL, which the tests of search itself do not wait for."""
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        await session.execute(update(Job).where(Job.id == uuid.UUID(job_id)).values(**values))
        response_areas.invalidate_after_commit(session, "jobs")


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
async def employer(runtime: Runtime) -> Person:
    return await person(runtime, "boss@example.com", first_name="Bea", employer=True)


@pytest.fixture
async def company(client: httpx.AsyncClient, employer: Account) -> dict[str, Any]:
    return await create_company(client, employer, "Coral Reef Resort", island="new_providence")


@pytest.fixture
async def seeker(runtime: Runtime) -> Person:
    return await person(runtime, "seeker@example.com", first_name="Sam")


@pytest.fixture
async def rival(client: httpx.AsyncClient, runtime: Runtime) -> Person:
    """An employer of another company."""
    account = await person(runtime, "rival@example.com", first_name="Rex", employer=True)
    await create_company(client, account, "Blue Lagoon Tours", island="grand_bahama")
    return account
