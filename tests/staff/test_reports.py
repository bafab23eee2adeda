"""The reports queue and its resolutions: one entry per reported thing, newest or most reported
first, with a preview and the author's record; dismissing, removing the content (gone for
everyone else, marked for its author), warning, suspending; the reporters and the author told,
every open report on the thing resolved, each in the audit log."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import (
    AccountType,
    Comment,
    Company,
    Conversation,
    EmploymentType,
    Job,
    JobCategory,
    Message,
    Post,
    Report,
    ReportStatus,
    ReportTarget,
    StaffRole,
    User,
)
from hiremebahamas.models.base import utcnow
from tests.factories import Member
from tests.helpers import PASSWORD, counted_queries, sign_in, submit
from tests.staff.conftest import make_member


async def _report(client: httpx.AsyncClient, who: Member, kind: str, target_id: str, reason: str) -> None:
    body = {"target_type": kind, "target_id": target_id, "reason": reason}
    assert (await client.post("/api/reports", json=body, headers=who.headers)).status_code == 201


async def _queue(client: httpx.AsyncClient, moderator: Member, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/admin/reports", params=params, headers=moderator.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _notes(client: httpx.AsyncClient, who: Member) -> list[str]:
    return [item["type"] for item in (await client.get("/api/notifications", headers=who.headers)).json()["items"]]


async def test_removing_a_reported_post(client: httpx.AsyncClient, runtime: Runtime) -> None:
    author = await make_member(runtime, "ann-author")
    reporters = [await make_member(runtime, f"rex-{n}") for n in range(2)]
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    post = (await client.post("/api/posts", json={"body": "Buy followers cheap"}, headers=author.headers)).json()[
        "post"
    ]
    for reporter in reporters:
        await _report(client, reporter, "post", post["id"], "Spam")
    [entry] = await _queue(client, moderator)
    assert entry["report_count"] == 2
    assert entry["target_preview"]["text"] == "Buy followers cheap"
    assert entry["target_preview"]["author"] == "ann-author"

    resolved = await client.post(
        f"/api/admin/reports/{entry['id']}/resolve",
        json={"action": "remove_content", "note": "No selling followers"},
        headers=moderator.headers,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["report"]["status"] == "actioned"
    assert await _queue(client, moderator) == []  # both reports resolved
    # Gone for everyone else; its author still sees it, marked.
    assert (await client.get(f"/api/posts/{post['id']}", headers=reporters[0].headers)).status_code == 404
    own = await client.get(f"/api/posts/{post['id']}", headers=author.headers)
    assert own.json()["post"]["removed_by_moderators"] is True
    sign_in(client, author)
    assert "Removed by moderators" in (await client.get(f"/posts/{post['id']}")).text
    sign_in(client, None)
    assert "moderation.content_removed" in await _notes(client, author)
    for reporter in reporters:
        assert "moderation.report_resolved" in await _notes(client, reporter)
    again = await client.post(
        f"/api/admin/reports/{entry['id']}/resolve", json={"action": "dismiss"}, headers=moderator.headers
    )
    assert again.status_code == 409


async def test_the_queue_orders_and_pages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    people = [await make_member(runtime, f"person-{n}") for n in range(4)]
    # person-0 is reported by three people, person-1 by one, person-2 last.
    for reporter in people[1:]:
        await _report(client, reporter, "user", str(people[0].id), "Fake profile")
    await _report(client, people[0], "user", str(people[1].id), "Rude")
    await _report(client, people[0], "user", str(people[2].id), "Rude")
    newest = [item["target_id"] for item in await _queue(client, moderator)]
    assert newest == [str(people[2].id), str(people[1].id), str(people[0].id)]
    most = await _queue(client, moderator, sort="most_reported")
    assert most[0]["target_id"] == str(people[0].id)
    assert most[0]["report_count"] == 3
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 1, "sort": "most_reported", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/admin/reports", params=params, headers=moderator.headers)).json()
        seen += [item["target_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["target_id"] for item in most]
    forged = await client.get("/api/admin/reports", params={"cursor": "forged"}, headers=moderator.headers)
    assert forged.status_code == 422


async def test_warning_suspending_and_repeat_offenders(client: httpx.AsyncClient, runtime: Runtime) -> None:
    author = await make_member(runtime, "ann-author")
    reporter = await make_member(runtime, "rex-reporter")
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    first = (await client.post("/api/posts", json={"body": "Rude words"}, headers=author.headers)).json()["post"]
    await _report(client, reporter, "post", first["id"], "Abuse")
    [entry] = await _queue(client, moderator)
    warned = await client.post(
        f"/api/admin/reports/{entry['id']}/resolve",
        json={"action": "warn", "note": "Be kind"},
        headers=moderator.headers,
    )
    assert warned.status_code == 200
    assert "moderation.warning" in await _notes(client, author)
    second = (await client.post("/api/posts", json={"body": "More rude words"}, headers=author.headers)).json()["post"]
    await _report(client, reporter, "post", second["id"], "Abuse again")
    [entry] = await _queue(client, moderator)
    assert entry["author_actioned_before"] == 1  # the warning counts against the record
    suspended = await client.post(
        f"/api/admin/reports/{entry['id']}/resolve",
        json={"action": "suspend_author", "note": "Repeated abuse"},
        headers=moderator.headers,
    )
    assert suspended.status_code == 200
    login = await client.post("/api/auth/login", json={"email": author.email, "password": PASSWORD})
    assert login.status_code == 403
    assert "Repeated abuse" in login.json()["error"]["message"]
    user = (await client.get("/api/admin/users/ann-author", headers=moderator.headers)).json()["user"]
    assert user["status"] == "suspended"
    assert user["suspension_reason"] == "Repeated abuse"


async def test_dismissing_from_the_page_and_refusals(client: httpx.AsyncClient, runtime: Runtime) -> None:
    reporter = await make_member(runtime, "rex-reporter")
    target = await make_member(runtime, "tia-target")
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    await _report(client, reporter, "user", str(target.id), "Looks fake")
    sign_in(client, moderator)
    page = await client.get("/admin/reports")
    assert "Looks fake" in page.text
    assert "@tia-target" in page.text
    report_id = (await _queue(client, moderator))[0]["id"]
    bad = await submit(client, f"/admin/reports/{report_id}/resolve", {"action": "nuke"}, page="/admin/reports")
    assert bad.status_code == 303  # back to the queue with the reason it was refused
    assert len(await _queue(client, moderator)) == 1
    nothing = await submit(
        client, f"/admin/reports/{report_id}/resolve", {"action": "remove_content"}, page="/admin/reports"
    )
    assert nothing.status_code == 303  # no picture to remove: refused, the report stays open
    assert len(await _queue(client, moderator)) == 1
    done = await submit(client, f"/admin/reports/{report_id}/resolve", {"action": "dismiss"}, page="/admin/reports")
    assert done.status_code == 303
    assert "No open report." in (await client.get("/admin/reports")).text
    sign_in(client, None)
    audit = await client.get(
        "/api/admin/audit", headers=(await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)).headers
    )
    assert [entry["action"] for entry in audit.json()["items"]] == ["report.dismiss"]


async def test_a_reported_message_loses_its_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sender = await make_member(runtime, "sam-sender")
    recipient = await make_member(runtime, "rita-recipient")
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    started = await client.post(
        "/api/conversations",
        json={"recipient": "rita-recipient", "body": "Send me your bank PIN"},
        headers=sender.headers,
    )
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation"]["id"]
    messages = (await client.get(f"/api/conversations/{conversation_id}/messages", headers=recipient.headers)).json()
    await _report(client, recipient, "message", messages["items"][0]["id"], "Phishing")
    [entry] = await _queue(client, moderator)
    assert entry["target_preview"]["text"] == "Send me your bank PIN"
    resolved = await client.post(
        f"/api/admin/reports/{entry['id']}/resolve", json={"action": "remove_content"}, headers=moderator.headers
    )
    assert resolved.status_code == 200
    after = (await client.get(f"/api/conversations/{conversation_id}/messages", headers=recipient.headers)).json()
    assert (after["items"][0]["body"], after["items"][0]["removed_by_moderators"]) == ("", True)


async def _reported_things(runtime: Runtime, author: Member, reporter: Member, each: int, prefix: str = "") -> None:
    """`each` posts, comments, messages, jobs and people, in turn, each with two open reports
    (so any page of the newest has every kind), the author with a report acted on before."""
    async with runtime.database.sessionmaker.begin() as session:
        people = [
            User(email=f"{prefix}p{n}@example.com", username=f"{prefix}p{n}", password_hash="x", first_name="P",
                 last_name=str(n), account_type=AccountType.JOB_SEEKER)
            for n in range(each)
        ]  # fmt: skip
        company = Company(slug=f"{prefix}reef-co", name="Reef Co")
        session.add_all([*people, company])
        await session.flush()
        conversation = Conversation(user_a_id=author.id, user_b_id=people[0].id, started_by_id=author.id)
        posts = [Post(author_id=author.id, body=f"Post {n}") for n in range(each)]
        session.add_all([conversation, *posts])
        await session.flush()
        comments = [Comment(post_id=posts[n].id, author_id=author.id, body=f"Comment {n}") for n in range(each)]
        messages = [Message(conversation_id=conversation.id, sender_id=author.id, body=f"Hi {n}") for n in range(each)]
        jobs = [
            Job(company_id=company.id, posted_by_id=author.id, title=f"Job {n}", slug=f"job-{n}",
                description="Pay a fee", employment_type=EmploymentType.FULL_TIME, category=JobCategory.HOSPITALITY,
                valid_through=utcnow() + timedelta(days=30))
            for n in range(each)
        ]  # fmt: skip
        session.add_all([*comments, *messages, *jobs])
        await session.flush()
        kinds = (ReportTarget.POST, ReportTarget.COMMENT, ReportTarget.MESSAGE, ReportTarget.JOB, ReportTarget.USER)
        start = utcnow() - timedelta(hours=1)
        for n, ids in enumerate(
            zip(*([thing.id for thing in things] for things in (posts, comments, messages, jobs, people)), strict=True)
        ):
            for kind, thing_id in zip(kinds, ids, strict=True):
                at = start + timedelta(seconds=n * 10 + kinds.index(kind))
                session.add_all(
                    Report(reporter_id=who.id, target_type=kind, target_id=str(thing_id), reason="Scam", created_at=at)
                    for who in (author, reporter)
                )
        session.add(
            Report(reporter_id=reporter.id, target_type=ReportTarget.POST, target_id=str(posts[0].id),
                   reason="Old", status=ReportStatus.ACTIONED)
        )  # fmt: skip


async def test_the_queue_costs_the_same_queries_however_long_its_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    author = await make_member(runtime, "ann-author")
    reporter = await make_member(runtime, "rex-reporter")
    sign_in(client, moderator)
    counts: dict[tuple[str, int], int] = {}
    for each, prefix in ((1, "a"), (9, "b")):  # 5 entries, then 50: every kind on both
        await _reported_things(runtime, author, reporter, each, prefix)
        entries = 5 if each == 1 else 50
        for sort in ("newest", "most_reported"):
            with counted_queries(runtime) as log:
                items = await _queue(client, moderator, limit=50, sort=sort)
            assert len(items) == entries
            assert {item["target_type"] for item in items} == {kind.value for kind in ReportTarget}
            counts[(f"api {sort}", entries)] = log.count
            with counted_queries(runtime) as log:
                page = await client.get("/admin/reports", params={"sort": sort})
            assert page.text.count("Resolve with") == entries
            counts[(f"page {sort}", entries)] = log.count
    for surface in ("api newest", "api most_reported", "page newest", "page most_reported"):
        assert counts[(surface, 5)] == counts[(surface, 50)], counts


async def test_the_queue_previews_every_kind_of_thing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    author = await make_member(runtime, "ann-author")
    reporter = await make_member(runtime, "rex-reporter")
    await _reported_things(runtime, author, reporter, each=1)
    async with runtime.database.sessionmaker.begin() as session:  # reported, then deleted
        gone = str(uuid.uuid4())
        session.add(Report(reporter_id=reporter.id, target_type=ReportTarget.POST, target_id=gone, reason="Spam"))
    entries = {item["target_type"]: item for item in await _queue(client, moderator)}
    shown = {kind: item["target_preview"] for kind, item in entries.items() if item["target_id"] != gone}
    assert {kind: preview["text"] for kind, preview in shown.items()} == {
        "post": "Post 0", "comment": "Comment 0", "message": "Hi 0", "job": "Job 0: Pay a fee", "user": "P 0 (@p0)",
    }  # fmt: skip
    assert shown["message"]["url"] is None
    assert shown["user"]["url"] == "/u/p0"
    assert shown["comment"]["url"] == shown["post"]["url"]
    assert {kind: preview["author"] for kind, preview in shown.items()} == {
        "post": "ann-author", "comment": "ann-author", "message": "ann-author", "job": "ann-author", "user": "p0",
    }  # fmt: skip
    assert {kind: item["author_actioned_before"] for kind, item in entries.items() if item["target_id"] != gone} == {
        "post": 1, "comment": 1, "message": 1, "job": 1, "user": 0,
    }  # fmt: skip
    assert {kind: item["report_count"] for kind, item in entries.items() if item["target_id"] != gone} == {
        "post": 2, "comment": 2, "message": 2, "job": 2, "user": 2,
    }  # fmt: skip
    deleted = next(item for item in await _queue(client, moderator) if item["target_id"] == gone)
    assert deleted["target_preview"] == {
        "text": "(deleted since it was reported)", "url": None, "author": None, "removed": True,
    }  # fmt: skip
    assert deleted["reporter"] == "rex-reporter"
