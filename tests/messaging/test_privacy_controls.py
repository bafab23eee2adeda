"""The messaging side of the privacy controls: who may message me, and read receipts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import (
    ApplicationStatus,
    Company,
    CompanyMember,
    EmploymentType,
    Follow,
    Job,
    JobApplication,
    JobCategory,
    JobStatus,
)
from hiremebahamas.models.base import utcnow
from tests.factories import Member
from tests.messaging.people import member
from tests.messaging.test_api import conversation_of, send, start


async def choose(client: httpx.AsyncClient, who: Member, **controls: Any) -> httpx.Response:
    response = await client.patch("/api/users/me", json=controls, headers=who.headers)
    assert response.status_code == 200, response.text
    return response


async def follow(runtime: Runtime, follower: Member, followee: Member) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Follow(follower_id=follower.id, followee_id=followee.id))


async def application(runtime: Runtime, employer: Member, applicant: Member, status: ApplicationStatus) -> None:
    """A job of a company `employer` is on, with `applicant`'s application in `status`."""
    async with runtime.database.sessionmaker.begin() as session:
        company = Company(slug=f"co-{uuid.uuid4().hex[:8]}", name="Reef Co")
        session.add(company)
        await session.flush()
        session.add(CompanyMember(company_id=company.id, user_id=employer.id))
        job = Job(
            company_id=company.id,
            title="Barista",
            slug="barista",
            description="Coffee.",
            employment_type=EmploymentType.FULL_TIME,
            category=JobCategory(next(iter(JobCategory)).value),
            status=JobStatus.OPEN,
            valid_through=utcnow() + timedelta(days=30),
        )
        session.add(job)
        await session.flush()
        session.add(JobApplication(job_id=job.id, applicant_id=applicant.id, status=status))


async def test_everyone_is_the_default(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    me = (await client.get("/api/users/me", headers=bob.headers)).json()["profile"]
    assert (me["messages_from"], me["read_receipts"], me["search_engine_indexing"]) == ("everyone", True, True)
    assert (await start(client, ann, bob)).status_code == 201


async def test_nobody_refuses_new_conversations_and_messages_in_theirs(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    started = await start(client, ann, bob, "Hello before")
    conversation_id = started.json()["conversation"]["id"]
    await choose(client, bob, messages_from="nobody")
    refused = await start(client, ann, bob, "Hello again")
    assert refused.status_code == 403
    assert refused.json()["error"] == {"code": "forbidden", "message": "This person does not accept messages."}
    assert (await send(client, ann, conversation_id, "Still there?")).status_code == 403
    # Bob may still write; Ann started this conversation, so his answer does not reopen it.
    assert (await send(client, bob, conversation_id, "I am here")).status_code == 201
    assert (await send(client, ann, conversation_id, "Great")).status_code == 403


async def test_nobody_still_lets_people_answer_a_conversation_the_person_started(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    await choose(client, bob, messages_from="nobody")
    started = await start(client, bob, ann, "Hi Ann")
    assert started.status_code == 201
    conversation_id = started.json()["conversation"]["id"]
    assert (await send(client, ann, conversation_id, "Hi Bob")).status_code == 201
    assert (await start(client, ann, bob, "Via start")).status_code == 201


async def test_following_lets_only_people_they_follow_write(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cat = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Cat")
    await choose(client, bob, messages_from="following")
    await follow(runtime, bob, ann)
    await follow(runtime, cat, bob)  # Cat follows Bob; Bob does not follow Cat
    assert (await start(client, ann, bob)).status_code == 201
    refused = await start(client, cat, bob)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This person only accepts messages from people they follow."


@pytest.mark.parametrize("status", [ApplicationStatus.APPLIED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER])
async def test_an_employer_with_an_open_application_may_always_write(
    client: httpx.AsyncClient, runtime: Runtime, status: ApplicationStatus
) -> None:
    seeker, employer = await member(runtime, "Ann"), await member(runtime, "Bob")
    await choose(client, seeker, messages_from="nobody")
    await application(runtime, employer, seeker, status)
    assert (await start(client, employer, seeker, "About your application")).status_code == 201


@pytest.mark.parametrize("status", [ApplicationStatus.HIRED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN])
async def test_a_closed_application_does_not_open_the_door(
    client: httpx.AsyncClient, runtime: Runtime, status: ApplicationStatus
) -> None:
    seeker, employer = await member(runtime, "Ann"), await member(runtime, "Bob")
    await choose(client, seeker, messages_from="nobody")
    await application(runtime, employer, seeker, status)
    assert (await start(client, employer, seeker)).status_code == 403


async def test_an_application_elsewhere_does_not_count(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeker, employer = await member(runtime, "Ann"), await member(runtime, "Bob")
    stranger = await member(runtime, "Cat")
    await choose(client, seeker, messages_from="following")
    await application(runtime, employer, seeker, ApplicationStatus.REVIEWING)
    assert (await start(client, stranger, seeker)).status_code == 403
    # Nor does the seeker's own application let a stranger write to the employer's team.
    await choose(client, employer, messages_from="nobody")
    assert (await start(client, stranger, employer)).status_code == 403


async def test_read_receipts_off_hides_when_they_read(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    conversation_id = (await start(client, ann, bob, "Hello")).json()["conversation"]["id"]
    await choose(client, bob, read_receipts=False)
    read = await client.post(f"/api/conversations/{conversation_id}/read", headers=bob.headers)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None  # Bob's own view of his reading is kept
    seen = await conversation_of(client, ann, conversation_id)
    assert seen["other_last_read_message_id"] is None
    assert seen["other_last_read_at"] is None
    page = (await client.get(f"/api/conversations/{conversation_id}/messages", headers=ann.headers)).json()
    assert page["other_last_read_message_id"] is None
    client.cookies.set("hmb_session", ann.cookie)
    ann_page = await client.get(f"/messages/{conversation_id}")
    assert ann_page.status_code == 200
    assert "data-seen" not in ann_page.text

    await choose(client, bob, read_receipts=True)  # back on: what he read shows again
    seen = await conversation_of(client, ann, conversation_id)
    assert seen["other_last_read_message_id"] is not None
    ann_page = await client.get(f"/messages/{conversation_id}")
    assert "data-seen" in ann_page.text


@pytest.mark.parametrize(
    "body",
    [{"messages_from": "friends"}, {"messages_from": "nobody\u0000"}, {"read_receipts": "sometimes"}],
)
async def test_malformed_controls_are_refused(client: httpx.AsyncClient, runtime: Runtime, body: Any) -> None:
    bob = await member(runtime, "Bob")
    response = await client.patch("/api/users/me", json=body, headers=bob.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    me = (await client.get("/api/users/me", headers=bob.headers)).json()["profile"]
    assert (me["messages_from"], me["read_receipts"]) == ("everyone", True)
