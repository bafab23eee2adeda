"""Applying and the hiring pipeline over the API: who may apply to what, the transitions that
are allowed, who sees applicants and CVs, history, notifications and emails."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.jobs.applications.service import can_read_cv
from hiremebahamas.models import Notification, Upload, UploadPurpose, User
from hiremebahamas.models.base import utcnow
from tests.helpers import counted_queries, emails_to, text_of
from tests.jobs.conftest import Person, add_colleague, add_upload, person, post_job, set_job


async def _apply(client: httpx.AsyncClient, who: Person, job: dict[str, Any], **body: Any) -> httpx.Response:
    return await client.post(
        f"/api/jobs/{job['id']}/apply", json={"cover_letter": "I love guests.", **body}, headers=who.headers
    )


async def _move(client: httpx.AsyncClient, who: Person, application_id: str, status: str) -> httpx.Response:
    return await client.patch(f"/api/applications/{application_id}", json={"status": status}, headers=who.headers)


async def _notifications(runtime: Runtime, user: Person) -> list[tuple[str, dict[str, Any]]]:
    async with runtime.database.sessionmaker() as session:
        rows = await session.execute(
            select(Notification.type, Notification.data)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at)
        )
        return [(type_, data) for type_, data in rows]


async def test_a_seeker_applies_with_a_cv_and_the_team_is_told(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    colleague = await add_colleague(client, runtime, employer, company["slug"])
    job = await post_job(client, employer, company["slug"])
    cv = await add_upload(runtime, seeker, UploadPurpose.CV)
    response = await _apply(client, seeker, job, cv_upload_id=str(cv))
    assert response.status_code == 201, response.text
    application = response.json()["application"]
    assert application["status"] == "applied"
    assert application["cv"] == {
        "id": str(cv),
        "name": "ann-rolle-cv.pdf",
        "url": f"/media/{cv}/original",
    }
    assert application["job"]["title"] == "Front Desk Manager"
    for member in (employer, colleague):
        ((kind, data),) = await _notifications(runtime, member)
        assert kind == "application.created"
        assert data["application_id"] == application["id"]
        (email,) = await emails_to(runtime, member.email)
        assert email["Subject"] == "New application for Front Desk Manager"
        assert f"/jobs/{job['id']}/applicants" in text_of(email)
        assert "Sam Rolle" in text_of(email)


async def test_applications_that_are_refused(
    client: httpx.AsyncClient,
    runtime: Runtime,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    rival: Person,
) -> None:
    job = await post_job(client, employer, company["slug"])
    assert (await client.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": "x"})).status_code == 401
    unverified = await person(runtime, "new@example.com", verified=False)
    assert (await _apply(client, unverified, job)).json()["error"]["code"] == "email_unverified"
    own = await _apply(client, employer, job)
    assert own.status_code == 403
    assert "team of this company" in own.json()["error"]["message"]
    empty = await _apply(client, seeker, job, cover_letter="   ")
    assert empty.status_code == 422
    too_long = await _apply(client, seeker, job, cover_letter="x" * 5001)
    assert too_long.status_code == 422
    malformed = await client.post(
        f"/api/jobs/{job['id']}/apply", json={"cover_letter": 5, "cv_upload_id": "nope"}, headers=seeker.headers
    )
    assert malformed.status_code == 422
    someone_elses = await add_upload(runtime, rival, UploadPurpose.CV)
    assert (
        await _apply(client, seeker, job, cv_upload_id=str(someone_elses))
    ).status_code == 404  # as if it did not exist
    not_a_cv = await add_upload(runtime, seeker, UploadPurpose.AVATAR)
    response = await _apply(client, seeker, job, cv_upload_id=str(not_a_cv))
    assert response.status_code == 422
    assert "cv_upload_id" in response.json()["error"]["fields"]
    unknown = await client.post(f"/api/jobs/{uuid.uuid4()}/apply", json={"cover_letter": "x"}, headers=seeker.headers)
    assert unknown.status_code == 404
    assert (await _apply(client, seeker, job)).status_code == 201
    duplicate = await _apply(client, seeker, job)
    assert duplicate.status_code == 409
    assert "already applied" in duplicate.json()["error"]["message"]


async def test_closed_expired_and_draft_jobs_take_no_applications(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    closed = await post_job(client, employer, company["slug"], title="Closed")
    await client.patch(f"/api/jobs/{closed['id']}", json={"status": "closed"}, headers=employer.headers)
    expired = await post_job(client, employer, company["slug"], title="Expired")
    await set_job(runtime, expired["id"], valid_through=utcnow() - timedelta(hours=1))
    draft = await post_job(client, employer, company["slug"], title="Draft", status="draft")
    refused = await _apply(client, seeker, closed)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "This job is closed and no longer takes applications."
    assert (await _apply(client, seeker, expired)).json()["error"]["message"] == (
        "This job is expired and no longer takes applications."
    )
    assert (await _apply(client, seeker, draft)).status_code == 404


async def test_the_pipeline_moves_forward_any_number_of_stages_and_records_every_change(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    job = await post_job(client, employer, company["slug"])
    application_id = (await _apply(client, seeker, job)).json()["application"]["id"]
    # Straight to interview: one change, one notification, one email.
    skip = await _move(client, employer, application_id, "interview")
    assert skip.status_code == 200, skip.text
    assert skip.json()["application"]["status"] == "interview"
    back = await _move(client, employer, application_id, "reviewing")
    assert back.status_code == 409
    assert back.json()["error"]["message"] == (
        "An application at interview can move to offer or hired or not selected, not to reviewing."
    )
    # Asking again for the stage it is at changes nothing and tells nobody.
    again = await _move(client, employer, application_id, "interview")
    assert again.status_code == 200
    assert again.json()["application"]["status"] == "interview"
    hired = await _move(client, employer, application_id, "hired")
    assert hired.status_code == 200
    after = await _move(client, employer, application_id, "rejected")
    assert after.status_code == 409
    assert "already hired" in after.json()["error"]["message"]
    history = await client.get(f"/api/applications/{application_id}", headers=seeker.headers)
    events = history.json()["application"]["events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "applied"),
        ("applied", "interview"),
        ("interview", "hired"),
    ]
    assert [e["by"] for e in events] == [seeker.username] + [employer.username] * 2
    kinds = [(kind, data["status"]) for kind, data in await _notifications(runtime, seeker)]
    assert kinds == [("application.status_changed", s) for s in ("interview", "hired")]
    subjects = [" ".join(m["Subject"].split()) for m in await emails_to(runtime, seeker.email)]
    assert subjects == [
        "Your application for Front Desk Manager at Coral Reef Resort: Interview",
        "Your application for Front Desk Manager at Coral Reef Resort: Hired",
    ]


async def _bulk(client: httpx.AsyncClient, who: Person, ids: list[str], status: str) -> httpx.Response:
    body = {"application_ids": ids, "status": status}
    return await client.post("/api/applications/bulk-status", json=body, headers=who.headers)


async def test_bulk_moves_several_applicants_in_one_request_and_tells_each_once(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    people = [await person(runtime, f"b{n}@example.com", first_name=f"B{n}") for n in range(3)]
    ids = [(await _apply(client, who, job)).json()["application"]["id"] for who in people]
    await _move(client, employer, ids[0], "reviewing")
    response = await _bulk(client, employer, [ids[0], ids[1], ids[1]], "interview")
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == ids[:2]  # the repeated id counts once
    assert {item["status"] for item in response.json()["items"]} == {"interview"}
    # The same request again: already there, so nothing changes and nobody hears of it twice.
    assert (await _bulk(client, employer, ids[:2], "interview")).status_code == 200
    for who, expected in zip(people, (["reviewing", "interview"], ["interview"], []), strict=True):
        assert [data["status"] for _kind, data in await _notifications(runtime, who)] == expected
    untouched = await client.get(f"/api/applications/{ids[2]}", headers=employer.headers)
    assert untouched.json()["application"]["status"] == "applied"


async def test_bulk_moves_all_or_nothing(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    job = await post_job(client, employer, company["slug"])
    people = [await person(runtime, f"c{n}@example.com", first_name=f"C{n}") for n in range(2)]
    ids = [(await _apply(client, who, job)).json()["application"]["id"] for who in people]
    await _move(client, employer, ids[1], "offer")
    backwards = await _bulk(client, employer, ids, "interview")
    assert backwards.status_code == 409
    error = backwards.json()["error"]
    assert error["application_id"] == ids[1]
    assert error["message"] == (
        "C1 Rolle: An application at offer can move to hired or not selected, not to interview."
    )
    first = await client.get(f"/api/applications/{ids[0]}", headers=employer.headers)
    assert first.json()["application"]["status"] == "applied"  # not moved: the request failed as a whole
    wrong_employer = await _bulk(client, rival, ids, "rejected")
    assert wrong_employer.status_code == 404
    unknown = await _bulk(client, employer, [ids[0], str(uuid.uuid4())], "reviewing")
    assert unknown.status_code == 404
    assert (await _bulk(client, employer, ids, "promoted")).status_code == 422
    assert (await _bulk(client, employer, [], "reviewing")).status_code == 422
    assert (await _bulk(client, employer, ["nope"], "reviewing")).status_code == 422
    assert (await _bulk(client, employer, [str(uuid.uuid4())] * 101, "reviewing")).status_code == 422
    assert (await _bulk(client, employer, ids, "withdrawn")).status_code == 403
    control = await client.post(
        "/api/applications/bulk-status",
        json={"application_ids": ids, "status": "review\u0000ing"},
        headers=employer.headers,
    )
    assert control.status_code == 422
    applicant = people[0]
    assert (await _bulk(client, applicant, ids[:1], "reviewing")).status_code == 404
    anonymous = await client.post("/api/applications/bulk-status", json={"application_ids": ids, "status": "reviewing"})
    assert anonymous.status_code == 401
    for who in people[:1]:
        assert await _notifications(runtime, who) == []


async def test_who_moves_what(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], seeker: Person, rival: Person
) -> None:
    job = await post_job(client, employer, company["slug"])
    application_id = (await _apply(client, seeker, job)).json()["application"]["id"]
    assert (await _move(client, seeker, application_id, "reviewing")).status_code == 403
    assert (await _move(client, employer, application_id, "withdrawn")).status_code == 403
    assert (await _move(client, rival, application_id, "reviewing")).status_code == 404
    assert (await _move(client, employer, application_id, "reviewing")).status_code == 200
    assert (await _move(client, employer, application_id, "applied")).status_code == 409
    assert (await _move(client, employer, application_id, "promoted")).status_code == 422
    assert (await _move(client, employer, application_id, "rejected")).status_code == 200
    # Rejected is final: not even the seeker can withdraw it.
    assert (await _move(client, seeker, application_id, "withdrawn")).status_code == 409
    other = await post_job(client, employer, company["slug"], title="Chef")
    second = (await _apply(client, seeker, other)).json()["application"]["id"]
    assert (await _move(client, employer, second, "reviewing")).status_code == 200
    withdrawn = await _move(client, seeker, second, "withdrawn")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["application"]["status"] == "withdrawn"
    assert (await _move(client, employer, second, "interview")).status_code == 409
    assert (
        await client.patch(f"/api/applications/{uuid.uuid4()}", json={"status": "withdrawn"}, headers=seeker.headers)
    ).status_code == 404


async def test_only_the_team_sees_applicants(
    client: httpx.AsyncClient,
    runtime: Runtime,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    rival: Person,
) -> None:
    job = await post_job(client, employer, company["slug"])
    path = f"/api/jobs/{job['id']}/applications"
    await _apply(client, seeker, job)
    others = [await person(runtime, f"p{n}@example.com", first_name=f"P{n}") for n in range(4)]
    for other in others:
        await _apply(client, other, job)
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=seeker.headers)).status_code == 403
    assert (await client.get(path, headers=rival.headers)).status_code == 403
    single = await client.get(
        f"/api/applications/{(await client.get(path, headers=employer.headers)).json()['items'][0]['id']}",
        headers=rival.headers,
    )
    assert single.status_code == 404
    # Newest first, in keyset pages.
    first = await client.get(path, params={"limit": 3}, headers=employer.headers)
    assert [item["applicant"]["name"] for item in first.json()["items"]] == ["P3 Rolle", "P2 Rolle", "P1 Rolle"]
    rest = await client.get(path, params={"limit": 3, "cursor": first.json()["next_cursor"]}, headers=employer.headers)
    assert [item["applicant"]["name"] for item in rest.json()["items"]] == ["P0 Rolle", "Sam Rolle"]
    assert rest.json()["next_cursor"] is None
    # Filtered by status.
    sam = rest.json()["items"][1]["id"]
    await _move(client, employer, sam, "reviewing")
    reviewing = await client.get(path, params={"status": "reviewing"}, headers=employer.headers)
    assert [item["applicant"]["name"] for item in reviewing.json()["items"]] == ["Sam Rolle"]


async def test_seekers_list_their_own_applications(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    first = await post_job(client, employer, company["slug"], title="Chef")
    second = await post_job(client, employer, company["slug"], title="Baker")
    application_id = (await _apply(client, seeker, first)).json()["application"]["id"]
    await _apply(client, seeker, second)
    await _move(client, employer, application_id, "reviewing")
    mine = await client.get("/api/applications/mine", headers=seeker.headers)
    assert [(item["job"]["title"], item["status"]) for item in mine.json()["items"]] == [
        ("Baker", "applied"),
        ("Chef", "reviewing"),
    ]
    assert (await client.get("/api/applications/mine", headers=employer.headers)).json()["items"] == []
    assert (await client.get("/api/applications/mine")).status_code == 401


async def test_only_the_applicant_and_the_team_can_get_the_cv(
    client: httpx.AsyncClient,
    runtime: Runtime,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    rival: Person,
) -> None:
    job = await post_job(client, employer, company["slug"])
    cv = await add_upload(runtime, seeker, UploadPurpose.CV)
    application_id = (await _apply(client, seeker, job, cv_upload_id=str(cv))).json()["application"]["id"]
    outsider = await person(runtime, "outsider@example.com")
    async with runtime.database.sessionmaker() as session:
        upload = await session.get_one(Upload, cv)
        users = {p.email: await session.get_one(User, p.id) for p in (employer, rival, seeker, outsider)}
        assert await can_read_cv(session, users[employer.email], upload)
        assert not await can_read_cv(session, users[rival.email], upload)
        assert not await can_read_cv(session, users[outsider.email], upload)
    for who, expected in ((employer, 303), (seeker, 303), (rival, 404), (outsider, 404)):
        client.cookies.clear()
        client.cookies.set("hmb_session", who.cookie)
        response = await client.get(f"/applications/{application_id}/cv")
        assert response.status_code == expected, who.email
        if expected == 303:
            assert response.headers["location"] == f"/media/{cv}/original?inline=1"  # a PDF opens in the browser
    client.cookies.clear()


async def test_a_page_of_applicants_costs_the_same_queries_however_long_it_is(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    for number in range(12):
        applicant = await person(runtime, f"a{number}@example.com", first_name=f"A{number}")
        await _apply(client, applicant, job, cv_upload_id=str(await add_upload(runtime, applicant)))
    await runtime.tasks.drain()
    counts = []
    for limit in (3, 12):
        with counted_queries(runtime) as log:
            response = await client.get(
                f"/api/jobs/{job['id']}/applications", params={"limit": limit}, headers=employer.headers
            )
        assert len(response.json()["items"]) == limit
        counts.append(len(log.statements))
    assert counts[0] == counts[1]


async def test_the_seeker_reads_each_stage_by_its_label(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    job = await post_job(client, employer, company["slug"])
    application_id = (await _apply(client, seeker, job)).json()["application"]["id"]
    assert (await _move(client, employer, application_id, "rejected")).status_code == 200
    items = (await client.get("/api/notifications", headers=seeker.headers)).json()["items"]
    assert [item["text"] for item in items] == ["Your application for Front Desk Manager is now: Not selected."]
    page = await client.get("/notifications", headers=seeker.headers)
    assert "is now: Not selected." in page.text
    assert "rejected" not in page.text
