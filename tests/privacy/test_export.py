"""GET /api/users/me/export: every section with the person's real rows, nothing of others they
could not see, no secrets; streamed in batches whose number (and queries) follow the rows read,
not their count; rate-limited per user."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import (
    ApplicationStatus,
    BillingInterval,
    Conversation,
    ConversationParticipant,
    Invoice,
    Job,
    Message,
    Subscription,
    SubscriptionStatus,
    TierCode,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.privacy import export
from hiremebahamas.privacy.export import SECTIONS, export_document
from tests.factories import Member
from tests.helpers import counted_queries
from tests.privacy.conftest import add_company, member
from tests.uploads.files import picture


async def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def _world(client: httpx.AsyncClient, runtime: Runtime) -> tuple[Member, Member, Member]:
    """Ann, a seeker who did a bit of everything; Bob, an employer she deals with; Carl, whom
    she blocked and who talks to Bob behind her back."""
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob", employer=True)
    carl = await member(runtime, "carl")
    files = {"file": ("beach.jpg", picture(), "image/jpeg")}
    uploaded = await client.post("/api/uploads", data={"purpose": "avatar"}, files=files, headers=ann.headers)
    avatar = await _ok(uploaded, 201)
    profile = {"headline": "Pastry chef", "avatar_upload_id": avatar["id"], "skills": ["baking"]}
    await _ok(await client.patch("/api/users/me", json=profile, headers=ann.headers))
    experience = {"title": "Baker", "company_name": "Conch Bakery", "start_date": "2020-01-01"}
    await _ok(await client.post("/api/users/me/experience", json=experience, headers=ann.headers), 201)
    await _ok(await client.post("/api/users/me/education", json={"school": "UB"}, headers=ann.headers), 201)
    await _ok(await client.post("/api/posts", json={"body": "Ann's croissants"}, headers=ann.headers), 201)
    bobs = (await _ok(await client.post("/api/posts", json={"body": "Bob's secret"}, headers=bob.headers), 201))["post"]
    await client.post(f"/api/posts/{bobs['id']}/like", headers=ann.headers)
    comment = {"body": "Lovely"}
    await _ok(await client.post(f"/api/posts/{bobs['id']}/comments", json=comment, headers=ann.headers), 201)
    await _ok(await client.post("/api/users/bob/follow", headers=ann.headers))
    await _ok(await client.post("/api/users/ann/follow", headers=bob.headers))  # a notification for Ann
    await _ok(await client.post("/api/users/carl/block", headers=ann.headers))
    await _ok(await client.get("/api/users/bob", headers=ann.headers))  # Ann looks at Bob's profile
    started = {"recipient": "bob", "body": "Hello Bob"}
    await _ok(await client.post("/api/conversations", json=started, headers=ann.headers), 201)
    behind = {"recipient": "carl", "body": "Hush"}
    await _ok(await client.post("/api/conversations", json=behind, headers=bob.headers), 201)
    saved = {"query": {"q": "pastry"}, "frequency": "daily"}
    await _ok(await client.post("/api/saved-searches", json=saved, headers=ann.headers), 201)
    await add_company(runtime, "bobs-bakery", [(bob, "owner")])  # type: ignore[list-item]
    async with runtime.database.sessionmaker.begin() as session:
        job_id = (await session.execute(select(Job.id).where(Job.posted_by_id == bob.id))).scalars().first()
        session.add(_subscription(ann.id))
        session.add(_invoice(ann.id))
        session.add(_invoice(bob.id))
    application = {"cover_letter": "Hire me"}
    applied = await _ok(await client.post(f"/api/jobs/{job_id}/apply", json=application, headers=ann.headers), 201)
    moved = {"status": "reviewing"}
    await _ok(await client.patch(f"/api/applications/{applied['application']['id']}", json=moved, headers=bob.headers))
    await runtime.tasks.drain()  # what the requests gathered for the worker (profile views) is stored
    return ann, bob, carl


def _subscription(user_id: uuid.UUID) -> Subscription:
    return Subscription(
        user_id=user_id,
        stripe_subscription_id=f"sub_{user_id.hex}",
        stripe_customer_id=f"cus_{user_id.hex}",
        tier=TierCode.PRO,
        interval=BillingInterval.MONTH,
        status=SubscriptionStatus.ACTIVE,
    )


def _invoice(user_id: uuid.UUID) -> Invoice:
    return Invoice(
        stripe_invoice_id=f"in_{user_id.hex}",
        user_id=user_id,
        amount_due=900,
        amount_paid=900,
        currency="usd",
        status="paid",
        state_at=utcnow(),
    )


async def test_the_export_has_every_section_with_the_persons_rows(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, _carl = await _world(client, runtime)
    response = await client.get("/api/users/me/export", headers=ann.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="hiremebahamas-ann-{utcnow():%Y-%m-%d}.json"')
    document = response.json()
    assert list(document) == ["exported_at", "format_version", *(name for name, _ in SECTIONS)]
    assert document["format_version"] == 1
    assert document["account"]["username"] == "ann"
    assert document["account"]["email"] == ann.email
    assert document["profile"]["headline"] == "Pastry chef"
    assert [e["title"] for e in document["experience"]] == ["Baker"]
    assert [e["school"] for e in document["education"]] == ["UB"]
    assert document["skills"] == [{"name": "baking"}]
    assert [p["body"] for p in document["posts"]] == ["Ann's croissants"]
    assert [c["body"] for c in document["comments"]] == ["Lovely"]
    assert len(document["likes"]) == 1
    assert [f["username"] for f in document["follows"]] == ["bob"]
    assert [f["username"] for f in document["followers"]] == ["bob"]
    assert [b["username"] for b in document["blocks"]] == ["carl"]
    assert document["profiles_viewed"] == [{"username": "bob", "day": utcnow().date().isoformat()}]
    assert [c["with"] for c in document["conversations"]] == [{"username": "bob", "name": "Bob Rolle"}]
    assert [(m["from"], m["body"]) for m in document["messages"]] == [("ann", "Hello Bob")]
    (application,) = document["applications"]
    assert application["cover_letter"] == "Hire me"
    assert application["status"] == ApplicationStatus.REVIEWING
    assert [(h["to_status"], h["by_you"]) for h in application["history"]][-1] == ("reviewing", False)
    assert [s["query"] for s in document["saved_searches"]] == [{"q": "pastry"}]
    assert "follow.created" in [n["type"] for n in document["notifications"]]
    assert document["companies"] == []
    assert document["jobs"] == []
    assert [s["tier"] for s in document["subscription"]] == ["pro"]
    assert [i["number"] for i in document["invoices"]] == [f"in_{ann.id.hex}"]
    (upload,) = document["uploads"]
    assert upload["purpose"] == "avatar"
    assert upload["archive_file"].startswith(f"files/{upload['id']}/")

    # Nothing of others she could not see, nothing secret.
    text = response.text
    for unseen in ("Bob's secret", "Hush", f"in_{bob.id.hex}", bob.email):
        assert unseen not in text
    async with runtime.database.sessionmaker() as session:
        user = await session.get_one(User, ann.id)
    for secret in ("password", "totp", "token", "argon2", user.password_hash, ann.access_token, f"cus_{ann.id.hex}"):
        assert secret not in text

    # Bob manages a company and its job, which his export has.
    bobs = (await client.get("/api/users/me/export", headers=bob.headers)).json()
    assert [c["slug"] for c in bobs["companies"]] == ["bobs-bakery"]
    assert [c["your_role"] for c in bobs["companies"]] == ["owner"]
    assert [j["posted_by_you"] for j in bobs["jobs"]] == [True]
    assert sorted(c["with"]["username"] for c in bobs["conversations"]) == ["ann", "carl"]


async def test_many_rows_stream_in_batches_with_a_bounded_number_of_queries(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    count = 5_000
    async with runtime.database.sessionmaker.begin() as session:
        conversation = Conversation(user_a_id=min(ann.id, bob.id), user_b_id=max(ann.id, bob.id), started_by_id=ann.id)
        session.add(conversation)
        await session.flush()
        start = utcnow() - timedelta(days=1)
        session.add_all(
            Message(
                conversation_id=conversation.id,
                sender_id=(ann.id, bob.id)[number % 2],
                body=f"message {number}",
                created_at=start + timedelta(seconds=number // 3),  # ties: the id orders them
            )
            for number in range(count)
        )
        sides = (ann.id, bob.id)
        session.add_all(ConversationParticipant(conversation_id=conversation.id, user_id=who) for who in sides)
    carl = await member(runtime, "carl")  # no messages: one query finds none
    with counted_queries(runtime) as none:
        [piece async for piece in export_document(runtime.database.sessionmaker, carl.id)]
    with counted_queries(runtime) as queries:
        pieces = [piece async for piece in export_document(runtime.database.sessionmaker, ann.id)]
    batches = count // export.BATCH
    assert len(pieces) > batches
    assert max(len(piece) for piece in pieces) < export.BATCH * 400  # one batch at a time, never all
    # A query for each batch of messages, and nothing more for 5,000 rows than for none.
    assert queries.count == none.count + batches
    document = json.loads("".join(pieces))
    messages = document["messages"]
    assert sorted(m["body"] for m in messages) == sorted(f"message {n}" for n in range(count))
    assert len({m["id"] for m in messages}) == count  # no row twice across batch edges
    assert [m["created_at"] for m in messages] == sorted(m["created_at"] for m in messages)


async def test_a_removed_message_keeps_its_text_for_its_author_only(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    rude = {"recipient": "bob", "body": "Rude words"}
    await _ok(await client.post("/api/conversations", json=rude, headers=ann.headers), 201)
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(Message).values(removed_at=utcnow()))
    anns = (await client.get("/api/users/me/export", headers=ann.headers)).json()
    bobs = (await client.get("/api/users/me/export", headers=bob.headers)).json()
    assert [m["body"] for m in anns["messages"]] == ["Rude words"]
    assert [m["body"] for m in bobs["messages"]] == [None]
    assert bobs["messages"][0]["removed_at"] is not None


async def test_the_export_is_for_the_signed_in_and_rate_limited(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await client.get("/api/users/me/export")).status_code == 401
    forged = {"Authorization": "Bearer forged"}
    assert (await client.get("/api/users/me/export", headers=forged)).status_code == 401
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    for _ in range(3):  # RATE_LIMIT_EXPORT: 3/hour
        assert (await client.get("/api/users/me/export", headers=ann.headers)).status_code == 200
    refused = await client.get("/api/users/me/export", headers=ann.headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) > 60
    assert (await client.get("/api/users/me/export", headers=bob.headers)).status_code == 200  # per user
