"""The erasure run: what goes, what stays for others, companies handed on or closed, files gone
from local storage and from S3; safe to run again, bounded, and only for accounts still due."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select

from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.s3storage import S3Storage
from hiremebahamas.models import (
    Comment,
    Company,
    CompanyMember,
    CompanyRole,
    Follow,
    Invoice,
    Job,
    JobStatus,
    Post,
    PostLike,
    Profile,
    ProfileViewer,
    Upload,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.privacy.erasure import due_accounts
from hiremebahamas.privacy.tasks import erase_deleted_accounts
from tests.factories import Member
from tests.privacy.conftest import add_company, ask_deletion, erase_due, make_due, member
from tests.uploads.files import pdf, picture


async def _upload(client: httpx.AsyncClient, who: Member, data: bytes, purpose: str) -> uuid.UUID:
    files = {"file": ("file.bin", data, "application/octet-stream")}
    response = await client.post("/api/uploads", data={"purpose": purpose}, files=files, headers=who.headers)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def _keys(runtime: Runtime, owner: uuid.UUID) -> list[str]:
    async with runtime.database.sessionmaker() as session:
        rows = (await session.execute(select(Upload).where(Upload.owner_id == owner))).scalars()
        return [key for upload in rows for key in (upload.storage_key, upload.thumbnail_key) if key]


async def _files_of_a_member(client: httpx.AsyncClient, runtime: Runtime, ann: Member) -> list[str]:
    avatar = await _upload(client, ann, picture(), "avatar")
    assert (await client.patch("/api/users/me", json={"avatar_upload_id": str(avatar)}, headers=ann.headers)).is_success
    await _upload(client, ann, pdf(), "cv")
    keys = await _keys(runtime, ann.id)
    assert len(keys) >= 3  # the avatar, its thumbnail, the CV
    return keys


async def _assert_gone(runtime: Runtime, keys: list[str]) -> None:
    for key in keys:
        with pytest.raises(NotFound):
            await runtime.storage.get(key)


async def _view_each_other(client: httpx.AsyncClient, runtime: Runtime, ann: Member, bob: Member) -> None:
    for viewer, viewed in ((ann, bob), (bob, ann)):
        assert (await client.get(f"/api/users/{viewed.username}", headers=viewer.headers)).status_code == 200
    await runtime.tasks.drain()  # the views are stored
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(ProfileViewer))).scalar_one() == 2


async def test_the_erasure_removes_the_person_and_keeps_what_others_need(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "ann", employer=True), await member(runtime, "bob", employer=True)
    keys = await _files_of_a_member(client, runtime, ann)
    bobs_post = (await client.post("/api/posts", json={"body": "Bob's news"}, headers=bob.headers)).json()["post"]
    await client.post(f"/api/posts/{bobs_post['id']}/like", headers=ann.headers)
    await client.post(f"/api/posts/{bobs_post['id']}/comments", json={"body": "Congrats"}, headers=ann.headers)
    await client.post(f"/api/posts/{bobs_post['id']}/comments", json={"body": "Thanks"}, headers=bob.headers)
    await client.post("/api/posts", json={"body": "Ann's news"}, headers=ann.headers)
    await client.post("/api/users/bob/follow", headers=ann.headers)
    await client.post("/api/users/ann/follow", headers=bob.headers)
    await _view_each_other(client, runtime, ann, bob)
    started = await client.post("/api/conversations", json={"recipient": "bob", "body": "Hi Bob"}, headers=ann.headers)
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation"]["id"]
    logo = await _upload(client, ann, picture(), "company_logo")
    shared = await add_company(runtime, "shared", [(ann, CompanyRole.OWNER), (bob, CompanyRole.MEMBER)])
    alone = await add_company(runtime, "alone", [(ann, CompanyRole.OWNER)])
    async with runtime.database.sessionmaker.begin() as session:
        (await session.get_one(Company, shared)).logo_upload_id = logo
        session.add(
            Invoice(
                stripe_invoice_id="in_test_1", user_id=ann.id, amount_due=1500, amount_paid=1500,
                currency="usd", status="paid", state_at=utcnow(),
            )
        )  # fmt: skip
    logo_keys = [key for key in await _keys(runtime, ann.id) if key not in keys]

    assert (await ask_deletion(client, ann)).status_code == 202
    assert await erase_due(runtime) == 0  # not yet: the grace period is not over
    await make_due(runtime, ann.id)
    assert await erase_due(runtime) == 1

    await _assert_gone(runtime, keys)
    for key in logo_keys:  # the company's logo went on with the company
        assert await runtime.storage.get(key)
    async with runtime.database.sessionmaker() as session:
        tombstone = await session.get_one(User, ann.id)
        post = await session.get_one(Post, uuid.UUID(bobs_post["id"]))
        counts = {
            model.__name__: (await session.execute(select(func.count()).select_from(model).where(clause))).scalar_one()
            for model, clause in (
                (Profile, Profile.user_id == ann.id),
                (Post, Post.author_id == ann.id),
                (Comment, Comment.author_id == ann.id),
                (PostLike, PostLike.user_id == ann.id),
                (Follow, (Follow.follower_id == ann.id) | (Follow.followee_id == ann.id)),
                (ProfileViewer, (ProfileViewer.viewer_id == ann.id) | (ProfileViewer.profile_id == ann.id)),
                (Upload, Upload.owner_id == ann.id),
                (CompanyMember, CompanyMember.user_id == ann.id),
            )
        }
        invoice = (await session.execute(select(Invoice))).scalar_one()
        team = {row.user_id: row.role for row in (await session.execute(select(CompanyMember))).scalars()}
        jobs = {row.company_id: row.status for row in (await session.execute(select(Job))).scalars()}
        logo_owner = (await session.execute(select(Upload.owner_id).where(Upload.id == logo))).scalar_one()
    assert set(counts.values()) == {0}, counts
    assert (tombstone.full_name, tombstone.is_active, tombstone.erased_at is not None) == ("Deleted user", False, True)
    assert "@" not in tombstone.email
    assert tombstone.deletion_due_at is None
    assert (post.like_count, post.comment_count) == (0, 1)  # Bob's own comment stays
    assert invoice.user_id is None  # kept for the accounts, without who paid it
    assert team == {bob.id: CompanyRole.OWNER}
    assert logo_owner == bob.id
    assert jobs == {shared: JobStatus.OPEN, alone: JobStatus.CLOSED}

    messages = await client.get(f"/api/conversations/{conversation_id}/messages", headers=bob.headers)
    assert messages.status_code == 200, messages.text
    (message,) = messages.json()["items"]
    assert (message["body"], message["sender"]["first_name"], message["sender"]["last_name"]) == (
        "Hi Bob", "Deleted", "user",
    )  # fmt: skip

    assert await erase_due(runtime) == 0  # once only
    async with runtime.database.sessionmaker() as session:
        assert await due_accounts(session) == []


async def test_a_run_is_bounded_and_skips_restored_accounts(client: httpx.AsyncClient, runtime: Runtime) -> None:
    people = [await member(runtime, f"person-{number}") for number in range(3)]
    for who in people:
        assert (await ask_deletion(client, who)).status_code == 202
        await make_due(runtime, who.id)
    async with runtime.database.sessionmaker() as session:
        assert len(await due_accounts(session, limit=2)) == 2
    async with runtime.database.sessionmaker.begin() as session:
        (await session.get_one(User, people[0].id)).deletion_due_at = None  # restored meanwhile
    await erase_deleted_accounts(runtime.tasks.context)  # the periodic run itself
    async with runtime.database.sessionmaker() as session:
        kept = await session.get_one(User, people[0].id)
        erased = [await session.get_one(User, who.id) for who in people[1:]]
    assert (kept.username, kept.erased_at) == ("person-0", None)
    assert all(user.erased_at is not None for user in erased)


async def test_the_erasure_removes_files_from_s3(s3_app: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, runtime = s3_app
    assert isinstance(runtime.storage, S3Storage)
    ann = await member(runtime, "ann")
    keys = await _files_of_a_member(client, runtime, ann)
    for key in keys:
        assert await runtime.storage.get(key)
    assert (await ask_deletion(client, ann)).status_code == 202
    await make_due(runtime, ann.id)
    assert await erase_due(runtime) == 1
    await _assert_gone(runtime, keys)
