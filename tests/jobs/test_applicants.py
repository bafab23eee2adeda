"""The team's view of applicants: cards with the applicant's profile, counts per stage, bulk
moves from the page, and notes that only the team sees (API and page)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import counted_queries, page_csrf, sign_in, submit
from tests.jobs.conftest import Person, add_colleague, person, post_job


async def _apply(client: httpx.AsyncClient, who: Person, job: dict[str, Any], letter: str = "Hello.") -> str:
    response = await client.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": letter}, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["application"]["id"])


async def _note(client: httpx.AsyncClient, who: Person, application_id: str, body: Any) -> httpx.Response:
    return await client.post(f"/api/applications/{application_id}/notes", json={"body": body}, headers=who.headers)


async def test_applicant_cards_show_the_profile_the_letter_and_counts_per_stage(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    profile = {"headline": "Front desk lead, 8 years", "island": "exuma", "skills": ["Opera PMS", "Spanish"]}
    assert (await client.patch("/api/users/me", json=profile, headers=seeker.headers)).status_code == 200
    job = await post_job(client, employer, company["slug"])
    letter = "Dear team,\n\nI have run the desk of a 200-room resort."
    first = await _apply(client, seeker, job, letter)
    other = await person(runtime, "other@example.com", first_name="Oli")
    await _apply(client, other, job)
    await client.patch(f"/api/applications/{first}", json={"status": "interview"}, headers=employer.headers)

    listed = await client.get(f"/api/jobs/{job['id']}/applications", headers=employer.headers)
    applicant = next(item for item in listed.json()["items"] if item["id"] == first)["applicant"]
    assert applicant["headline"] == "Front desk lead, 8 years"
    assert applicant["island_label"] == "Exuma"
    assert applicant["skills"] == ["opera pms", "spanish"]

    sign_in(client, employer)
    page = await client.get(f"/jobs/{job['id']}/applicants")
    assert page.status_code == 200
    assert "Front desk lead, 8 years" in page.text
    assert "Exuma · Applied" in page.text
    assert "opera pms" in page.text
    assert "Dear team,<br>\n<br>\nI have run the desk" in page.text  # the letter, readable, not folded away
    assert f'href="/messages/new?to={seeker.username}"' in page.text
    assert 'data-stage="interview">Interview <span class="badge badge-neutral">1</span>' in page.text
    assert 'data-stage="hired">Hired <span class="badge badge-neutral">0</span>' in page.text
    assert 'All <span class="badge badge-neutral">2</span>' in page.text
    client.cookies.clear()


async def test_bulk_moves_from_the_applicants_page(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    job = await post_job(client, employer, company["slug"])
    people = [await person(runtime, f"p{n}@example.com", first_name=f"P{n}") for n in range(3)]
    ids = [await _apply(client, who, job) for who in people]
    path = f"/jobs/{job['id']}/applicants"
    sign_in(client, employer)
    token = await page_csrf(client, path)
    moved = await client.post(
        "/applications/bulk-status",
        data={"csrf_token": token, "application_ids": ids[:2], "status": "interview", "next": path},
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == path
    page = await client.get(path, params={"status": "interview"})
    assert page.text.count('data-status="interview"') == 2
    nothing_ticked = await client.post(
        "/applications/bulk-status", data={"csrf_token": token, "status": "interview", "next": path}
    )
    assert nothing_ticked.status_code == 303
    assert "Tick the applicants" in (await client.get(path)).text
    backwards = await client.post(
        "/applications/bulk-status", data={"csrf_token": token, "application_ids": ids, "status": "reviewing"}
    )
    assert backwards.status_code == 409
    assert "P0 Rolle: An application at interview" in backwards.text
    assert (await client.get(path, params={"status": "applied"})).text.count('data-status="applied"') == 1
    no_csrf = await client.post("/applications/bulk-status", data={"application_ids": ids, "status": "rejected"})
    assert no_csrf.status_code == 403
    sign_in(client, rival)
    token = await page_csrf(client, "/jobs")
    refused = await client.post(
        "/applications/bulk-status", data={"csrf_token": token, "application_ids": ids, "status": "rejected"}
    )
    assert refused.status_code == 404
    client.cookies.clear()


async def test_notes_on_an_applicant_are_for_the_team_only(
    client: httpx.AsyncClient,
    runtime: Runtime,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    rival: Person,
) -> None:
    colleague = await add_colleague(client, runtime, employer, company["slug"])
    job = await post_job(client, employer, company["slug"])
    application_id = await _apply(client, seeker, job)
    written = await _note(client, employer, application_id, "Strong on the phone.\nCall back Friday.")
    assert written.status_code == 201, written.text
    assert written.json()["by"] == employer.username
    shared = await client.get(f"/api/applications/{application_id}/notes", headers=colleague.headers)
    assert [item["body"] for item in shared.json()["items"]] == ["Strong on the phone.\nCall back Friday."]
    # The applicant and other companies: as if the application did not exist.
    for outsider in (seeker, rival):
        assert (
            await client.get(f"/api/applications/{application_id}/notes", headers=outsider.headers)
        ).status_code == 404
        assert (await _note(client, outsider, application_id, "Hmm")).status_code == 404
    seen_by_seeker = await client.get(f"/api/applications/{application_id}", headers=seeker.headers)
    assert "Strong on the phone" not in seen_by_seeker.text
    assert (await _note(client, employer, application_id, "")).status_code == 422
    assert (await _note(client, employer, application_id, "bad\u0000note")).status_code == 422
    assert (await _note(client, employer, application_id, "x" * 2001)).status_code == 422
    assert (await _note(client, employer, application_id, 5)).status_code == 422
    assert (await _note(client, employer, str(uuid.uuid4()), "Hi")).status_code == 404
    anonymous = await client.post(f"/api/applications/{application_id}/notes", json={"body": "Hi"})
    assert anonymous.status_code == 401

    # The page: written from the applicant's card, shown to the team there.
    path = f"/jobs/{job['id']}/applicants"
    sign_in(client, colleague)
    saved = await submit(
        client, f"/applications/{application_id}/notes", {"body": "Interview on Monday.", "next": path}, page=path
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{path}#applicant-{application_id}"
    page = (await client.get(path)).text
    assert "Strong on the phone.<br>\nCall back Friday." in page
    assert "Interview on Monday." in page
    assert "Team notes (2)" in page
    sign_in(client, seeker)
    assert "Interview on Monday." not in (await client.get("/applications")).text
    client.cookies.clear()


async def test_the_applicants_page_costs_the_same_queries_however_many_applicants(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    counts = []
    for round_, size in enumerate((2, 8)):
        job = await post_job(client, employer, company["slug"], title=f"Job {round_}")
        for number in range(size):
            who = await person(runtime, f"q{round_}-{number}@example.com", first_name=f"Q{number}")
            await client.patch("/api/users/me", json={"skills": ["Cooking"]}, headers=who.headers)
            application_id = await _apply(client, who, job)
            await _note(client, employer, application_id, "Seen.")
        sign_in(client, employer)
        with counted_queries(runtime) as log:
            page = await client.get(f"/jobs/{job['id']}/applicants")
        assert page.status_code == 200
        assert page.text.count("Team notes (1)") == size
        counts.append(len(log.statements))
        client.cookies.clear()
    assert counts[0] == counts[1]
