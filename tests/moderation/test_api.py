"""POST /api/reports: stored for the moderation queue, one open report per reporter and target."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import select, update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Comment, Post, Report, ReportStatus
from tests.factories import Member
from tests.jobs.conftest import create_company, person, post_job
from tests.profiles.factory import member


async def _reports(runtime: Runtime) -> list[Report]:
    async with runtime.database.sessionmaker() as session:
        return list((await session.execute(select(Report).order_by(Report.created_at))).scalars())


async def _post_with_comment(runtime: Runtime, author: Member) -> tuple[str, str]:
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        post = Post(author_id=author.id, body="Cheap flights, DM me")
        session.add(post)
        await session.flush()
        comment = Comment(post_id=post.id, author_id=author.id, body="Really cheap")
        session.add(comment)
        await session.flush()
        return str(post.id), str(comment.id)


async def test_report_a_person(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    body = {"target_type": "user", "target_id": str(bob.id), "reason": "  Fake profile  "}
    response = await client.post("/api/reports", json=body, headers=ann.headers)
    assert response.status_code == 201, response.text
    report = response.json()["report"]
    assert report["status"] == "open"
    assert report["reason"] == "Fake profile"
    (stored,) = await _reports(runtime)
    assert stored.reporter_id == ann.id
    assert stored.target_id == str(bob.id)
    assert str(stored.id) == report["id"]


async def test_reporting_again_returns_the_open_report(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    body = {"target_type": "user", "target_id": str(bob.id), "reason": "Spam"}
    first = await client.post("/api/reports", json=body, headers=ann.headers)
    # The same id in upper case is the same target.
    again = await client.post(
        "/api/reports", json={**body, "target_id": str(bob.id).upper(), "reason": "More spam"}, headers=ann.headers
    )
    assert again.status_code == 200
    assert again.json()["report"] == first.json()["report"]
    assert len(await _reports(runtime)) == 1
    # Another reporter's report is their own.
    carl = await member(runtime, "carl")
    assert (await client.post("/api/reports", json=body, headers=carl.headers)).status_code == 201
    # Once moderators closed the first report, a new one can be filed.
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        await session.execute(update(Report).values(status=ReportStatus.DISMISSED))
    assert (await client.post("/api/reports", json=body, headers=ann.headers)).status_code == 201
    assert len(await _reports(runtime)) == 3


async def _job_and_message(
    client: httpx.AsyncClient, runtime: Runtime, sender: Member, recipient: Member
) -> tuple[str, str]:
    employer = await person(runtime, "emma@example.com", first_name="Emma", employer=True)
    company = await create_company(client, employer, "Conch Shack")
    job = await post_job(client, employer, company["slug"])
    body = {"recipient": recipient.username, "body": "Cheap flights"}
    sent = await client.post("/api/conversations", json=body, headers=sender.headers)
    assert sent.status_code == 201, sent.text
    return str(job["id"]), str(sent.json()["message"]["id"])


async def test_report_posts_comments_jobs_and_messages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    post_id, comment_id = await _post_with_comment(runtime, bob)
    job_id, message_id = await _job_and_message(client, runtime, bob, ann)
    for target_type, target_id in (
        ("post", post_id),
        ("comment", comment_id),
        ("job", job_id),
        ("message", message_id),
    ):
        body = {"target_type": target_type, "target_id": target_id, "reason": "Scam"}
        response = await client.post("/api/reports", json=body, headers=ann.headers)
        assert response.status_code == 201, (target_type, response.text)
    assert [r.target_type for r in await _reports(runtime)] == ["post", "comment", "job", "message"]


async def test_report_failures(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    missing = str(uuid.uuid4())
    good = {"target_type": "user", "target_id": str(ann.id), "reason": "x"}
    assert (await client.post("/api/reports", json=good)).status_code == 401
    myself = await client.post("/api/reports", json=good, headers=ann.headers)
    assert myself.status_code == 400
    for target_type in ("user", "post", "comment", "job", "message"):
        body = {"target_type": target_type, "target_id": missing, "reason": "Gone"}
        response = await client.post("/api/reports", json=body, headers=ann.headers)
        assert response.status_code == 404, target_type
    for body, field in (
        ({**good, "reason": "   "}, "reason"),
        ({**good, "reason": "x" * 1001}, "reason"),
        ({**good, "target_type": "planet"}, "target_type"),
        ({**good, "target_id": "not-an-id"}, "target_id"),
        ({**good, "target_id": ""}, "target_id"),
        ({"target_type": "user", "reason": "x"}, "target_id"),
    ):
        response = await client.post("/api/reports", json=body, headers=ann.headers)
        assert response.status_code == 422, body
        assert field in response.json()["error"]["fields"], body
    assert await _reports(runtime) == []


async def test_the_same_report_sent_twice_at_once_is_stored_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    target = await member(runtime, "target-person")
    reporter = await member(runtime, "reporter")
    body = {"target_type": "user", "target_id": str(target.id), "reason": "Spam"}
    responses = await asyncio.gather(
        *(client.post("/api/reports", json=body, headers=reporter.headers) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    async with runtime.database.sessionmaker() as session:
        stored = (await session.execute(select(Report).where(Report.reporter_id == reporter.id))).scalars().all()
    assert len(stored) == 1
    # Once it is dealt with, the same person may report the same target again.
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(Report).values(status=ReportStatus.DISMISSED))
    again = await client.post("/api/reports", json=body, headers=reporter.headers)
    assert again.status_code == 201
