"""The reports queue and its resolutions: one entry per reported thing, newest or most reported
first, with a preview and the author's record; dismissing, removing the content (gone for
everyone else, marked for its author), warning, suspending; the reporters and the author told,
every open report on the thing resolved, each in the audit log."""

from __future__ import annotations

from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import StaffRole
from tests.factories import Member
from tests.helpers import PASSWORD, sign_in, submit
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
