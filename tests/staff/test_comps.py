"""Comping a tier: an admin gives Pro or Business for 1 to 24 months, or ends it early. Who may,
the refusals, what the person sees and is told, the audit entries, and that no revenue figure
or invoice ever counts it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry, Invoice, Notification, Subscription, TierGrant
from hiremebahamas.staff.service import dashboard
from tests.helpers import page_csrf, sign_in, submit
from tests.staff.conftest import Staffed


async def _comp(client: httpx.AsyncClient, by: Any, username: str = "sam-seeker", **body: Any) -> httpx.Response:
    payload = {"tier": "pro", "months": 3, "reason": "Launch partner", **body}
    return await client.post(f"/api/admin/users/{username}/comp", json=payload, headers=by.headers)


async def _end(client: httpx.AsyncClient, by: Any, username: str = "sam-seeker", **body: Any) -> httpx.Response:
    payload = {"reason": "Partnership over", **body}
    return await client.post(f"/api/admin/users/{username}/comp/end", json=payload, headers=by.headers)


async def _entries(runtime: Runtime, action: str) -> list[AuditEntry]:
    async with runtime.database.sessionmaker() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.created_at)
        return list((await session.execute(query)).scalars())


async def test_a_comp_gives_the_tier_tells_the_person_and_is_audited(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    response = await _comp(client, people.admin, months=3)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["tier"] == "pro"
    assert body["comp"]["tier"] == "pro"
    assert body["comp"]["ended_at"] is None

    me = (await client.get("/api/subscriptions/me", headers=people.seeker.headers)).json()
    assert me["tier"] == "pro"
    assert me["complimentary_until"] == body["comp"]["ends_at"]
    assert me["status"] is None  # no subscription: nothing to cancel, nothing billed
    detail = (await client.get("/api/admin/users/sam-seeker", headers=people.admin.headers)).json()["user"]
    assert detail["comp"]["reason"] == "Launch partner"
    assert detail["subscription"] is None

    [entry] = await _entries(runtime, "user.comp_tier")
    assert entry.actor_name == "ada-admin"
    assert entry.reason == "Launch partner"
    assert entry.before == {"tier": "free", "comp": None}
    assert entry.after is not None
    assert (entry.after["tier"], entry.after["comp"]["tier"]) == ("pro", "pro")
    assert datetime.fromisoformat(entry.after["comp"]["ends_at"]) == datetime.fromisoformat(body["comp"]["ends_at"])
    async with runtime.database.sessionmaker() as session:
        notes = list(
            (await session.execute(select(Notification).where(Notification.user_id == people.seeker.id))).scalars()
        )
    assert [note.type for note in notes] == ["billing.tier_comped"]
    notified = (await client.get("/api/notifications", headers=people.seeker.headers)).json()["items"]
    assert "Pro for free until" in notified[0]["text"]


async def test_a_comp_is_never_revenue(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    assert (await _comp(client, people.admin, tier="business", months=24)).status_code == 200
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(Subscription))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(Invoice))).scalar_one() == 0
        assert (await dashboard(session)).failed_payments == 0
    sign_in(client, people.seeker)
    page = await client.get("/account/billing")
    assert "Business, complimentary until" in page.text
    assert "Cancel plan" not in page.text


async def test_ending_a_comp_early_puts_the_person_back_on_free(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    assert (await _comp(client, people.admin)).status_code == 200
    ended = await _end(client, people.admin)
    assert ended.status_code == 200, ended.text
    assert ended.json()["user"]["tier"] == "free"
    assert ended.json()["comp"]["ended_at"] is not None
    me = (await client.get("/api/subscriptions/me", headers=people.seeker.headers)).json()
    assert (me["tier"], me["complimentary_until"]) == ("free", None)
    [entry] = await _entries(runtime, "user.end_comp")
    assert entry.reason == "Partnership over"
    assert entry.before is not None
    assert entry.before["tier"] == "pro"
    assert entry.after == {"tier": "free", "comp": None}
    # Nothing left to end; a new comp may be given again.
    again = await _end(client, people.admin)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "not_found")
    assert (await _comp(client, people.admin, months=1)).status_code == 200


async def test_a_second_comp_while_one_is_live_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    assert (await _comp(client, people.admin)).status_code == 200
    second = await _comp(client, people.admin, tier="business", months=12)
    assert second.status_code == 409
    assert "end it first" in second.json()["error"]["message"]
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(TierGrant))).scalar_one() == 1
    assert len(await _entries(runtime, "user.comp_tier")) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"months": 0}, "months"),
        ({"months": 25}, "months"),
        ({"months": "x"}, "months"),
        ({"tier": "free"}, "tier"),
        ({"tier": "platinum"}, "tier"),
        ({"reason": ""}, "reason"),
        ({"reason": "Partner\x00"}, "reason"),
        ({"reason": "Partner\u202e"}, "reason"),
    ],
)
async def test_a_malformed_comp_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, body: dict[str, Any], field: str
) -> None:
    response = await _comp(client, people.admin, **body)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(TierGrant))).scalar_one() == 0


async def test_only_admins_comp_and_never_themselves(client: httpx.AsyncClient, people: Staffed) -> None:
    refused = await _comp(client, people.moderator)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert (await _end(client, people.moderator)).status_code == 403
    own = await _comp(client, people.admin, username="ada-admin")
    assert own.status_code == 403
    unknown = await _comp(client, people.admin, username="nobody-here")
    assert unknown.status_code == 404
    assert (await _end(client, people.admin, username="nobody-here")).status_code == 404
    assert (await _end(client, people.admin, reason="")).status_code == 422


async def test_the_staff_page_gives_and_ends_a_comp(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    sign_in(client, people.admin)
    page = await client.get("/admin/users/sam-seeker")
    assert 'action="/admin/users/sam-seeker/comp"' in page.text
    form = {"tier": "business", "months": "2", "reason": "Press partner"}
    given = await submit(client, "/admin/users/sam-seeker/comp", form, page="/admin/users/sam-seeker")
    assert given.status_code == 303, given.text
    page = await client.get("/admin/users/sam-seeker")
    assert "complimentary" in page.text
    assert 'action="/admin/users/sam-seeker/comp/end"' in page.text

    refused = await submit(client, "/admin/users/sam-seeker/comp", form, page="/admin/users/sam-seeker")
    assert refused.status_code == 409  # the page again, with why (the end form is shown instead)
    bad = await submit(
        client, "/admin/users/erin-employer/comp", {**form, "months": "25"}, page="/admin/users/sam-seeker"
    )
    assert bad.status_code == 422
    ended = await submit(client, "/admin/users/sam-seeker/comp/end", {"reason": "Done"}, page="/admin/users/sam-seeker")
    assert ended.status_code == 303
    assert len(await _entries(runtime, "user.end_comp")) == 1


async def test_moderators_see_no_comp_form(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.moderator)
    page = await client.get("/admin/users/sam-seeker")
    assert page.status_code == 200
    assert "/sam-seeker/comp" not in page.text
    token = await page_csrf(client, "/admin/users/sam-seeker")
    form = {"tier": "pro", "months": "1", "reason": "x", "csrf_token": token}
    assert (await client.post("/admin/users/sam-seeker/comp", data=form)).status_code == 404
