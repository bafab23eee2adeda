"""Helpers for the posts tests: members signed up through the API, and rows written directly
where a test needs many of them (the query-count test) or a row no endpoint here makes
(uploads)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AccountType, Block, Follow, Notification, Post, StaffRole, Upload, UploadPurpose, User
from hiremebahamas.models.base import utcnow
from tests.factories import add_user, sign_in
from tests.helpers import PASSWORD, Account


@dataclass
class Member:
    account: Account
    id: uuid.UUID
    username: str
    cookie: str
    """The browser session cookie of the same sign-in."""

    @property
    def headers(self) -> dict[str, str]:
        return self.account.headers


async def member(
    client: httpx.AsyncClient, runtime: Runtime, first_name: str, *, verified: bool = True, admin: bool = False
) -> Member:
    """A signed-in account, written directly: registration and login have their own tests,
    and skipping their password hashing keeps these tests fast."""
    email = f"{first_name.lower()}@example.com"
    async with runtime.database.sessionmaker.begin() as session:
        username = f"{first_name.lower()}-rolle"
        user = await add_user(
            session,
            email=email,
            username=username,
            first_name=first_name,
            verified=verified,
            staff_role=StaffRole.ADMIN if admin else None,
        )
        login = await sign_in(session, runtime.settings, user)
    tokens = login.tokens
    account = Account(email, PASSWORD, tokens.access_token, tokens.refresh_token, {"id": str(user.id)})
    return Member(account, user.id, user.username, login.cookie_value)


async def follow(runtime: Runtime, follower: uuid.UUID, *followees: uuid.UUID) -> None:
    """Follows written directly, a day old (as if made before the test's timelines existed)."""
    at = utcnow() - timedelta(days=1)
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(Follow(follower_id=follower, followee_id=followee, created_at=at) for followee in followees)


async def block(runtime: Runtime, blocker: uuid.UUID, blocked: uuid.UUID) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Block(blocker_id=blocker, blocked_id=blocked))


async def add_upload(
    runtime: Runtime, owner: uuid.UUID, purpose: UploadPurpose = UploadPurpose.POST_IMAGE
) -> uuid.UUID:
    upload_id = uuid.uuid4()
    async with runtime.database.sessionmaker.begin() as session:
        session.add(
            Upload(
                id=upload_id,
                owner_id=owner,
                purpose=purpose,
                content_type="image/webp",
                size=1234,
                storage_key=f"test/{upload_id}",
                thumbnail_key=f"test/{upload_id}-thumb",
                width=800,
                height=600,
            )
        )
    return upload_id


async def add_posts(runtime: Runtime, author: uuid.UUID, bodies: list[str]) -> None:
    """Posts written directly, a minute apart, the last one newest: for tests that need more
    than a Free plan's monthly posts."""
    start = utcnow() - timedelta(minutes=len(bodies))
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(
            Post(author_id=author, body=body, created_at=start + timedelta(minutes=n)) for n, body in enumerate(bodies)
        )


async def notifications(runtime: Runtime, user_id: uuid.UUID, type_: str) -> list[Notification]:
    async with runtime.database.sessionmaker() as session:
        query = select(Notification).where(Notification.user_id == user_id, Notification.type == type_)
        return list((await session.execute(query)).scalars())


async def add_people(runtime: Runtime, count: int, prefix: str) -> list[uuid.UUID]:
    """Verified accounts written directly (no password hashing): for tests that need many."""
    users = [
        User(
            email=f"{prefix}{n}@example.com",
            username=f"{prefix}{n}",
            password_hash="x",
            first_name=f"{prefix.title()}{n}",
            last_name="Test",
            account_type=AccountType.JOB_SEEKER,
            email_verified_at=utcnow(),
        )
        for n in range(count)
    ]
    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(users)
    return [user.id for user in users]
