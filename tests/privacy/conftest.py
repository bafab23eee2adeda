"""People and things for the deletion tests: members with content, companies with jobs, and
helpers that ask for a deletion, move its date and run the erasure."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.storage import Storage
from hiremebahamas.models import Company, CompanyMember, CompanyRole, EmploymentType, Job, JobCategory, JobStatus, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.privacy.erasure import due_accounts, erase_account
from tests.factories import Member
from tests.helpers import PASSWORD
from tests.staff.conftest import make_member, people  # noqa: F401 - the staff tests' signed-in people
from tests.uploads.test_api import s3_app  # noqa: F401 - the app on the S3 test server


async def member(runtime: Runtime, name: str, *, employer: bool = False) -> Member:
    return await make_member(runtime, name, employer=employer)


async def ask_deletion(client: httpx.AsyncClient, who: Member, password: str = PASSWORD) -> httpx.Response:
    return await client.request("DELETE", "/api/users/me", json={"password": password}, headers=who.headers)


async def login(client: httpx.AsyncClient, who: Member) -> httpx.Response:
    client.cookies.clear()
    return await client.post("/api/auth/login", json={"email": who.email, "password": PASSWORD})


async def restore(client: httpx.AsyncClient, who: Member, password: str = PASSWORD, **extra: Any) -> httpx.Response:
    body = {"email": who.email, "password": password, **extra}
    return await client.post("/api/users/me/restore", json=body)


async def make_due(runtime: Runtime, user_id: uuid.UUID) -> None:
    """The grace period is over (as if the days had passed)."""
    async with runtime.database.sessionmaker.begin() as session:
        past = utcnow() - timedelta(minutes=1)
        await session.execute(update(User).where(User.id == user_id).values(deletion_due_at=past))


async def erase_due(runtime: Runtime, storage: Storage | None = None) -> int:
    """What one periodic run does, with the test's storage."""
    erased = 0
    async with runtime.database.sessionmaker() as session:
        due = await due_accounts(session)
    for user_id in due:
        async with runtime.database.sessionmaker.begin() as session:
            erased += await erase_account(session, storage or runtime.storage, user_id)
    await runtime.tasks.drain()
    return erased


async def add_company(runtime: Runtime, slug: str, team: list[tuple[Member, CompanyRole]], jobs: int = 1) -> uuid.UUID:
    """A company with its team and `jobs` open jobs."""
    async with runtime.database.sessionmaker.begin() as session:
        company = Company(slug=slug, name=slug.title())
        session.add(company)
        await session.flush()
        for who, role in team:
            session.add(CompanyMember(company_id=company.id, user_id=who.id, role=role))
        for number in range(jobs):
            session.add(
                Job(
                    company_id=company.id,
                    posted_by_id=team[0][0].id,
                    title=f"Cashier {number}",
                    slug=f"cashier-{number}",
                    description="Serve customers.",
                    description_text="Serve customers.",
                    employment_type=EmploymentType.FULL_TIME,
                    category=JobCategory.RETAIL,
                    status=JobStatus.OPEN,
                    published_at=utcnow(),
                    valid_through=utcnow() + timedelta(days=20),
                )
            )
        return company.id
