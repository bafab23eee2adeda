"""Companies over the API: who may create and edit them, their team, their logo."""

from __future__ import annotations

from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import UploadPurpose
from tests.jobs.conftest import Person, add_upload, create_company, person, post_job, titles


async def test_an_employer_creates_its_company_and_owns_it(client: httpx.AsyncClient, employer: Person) -> None:
    body = {
        "name": "Café Nassau & Co.",
        "island": "new_providence",
        "website": "cafenassau.example.com",
        "about": "Coffee.",
    }
    response = await client.post("/api/companies", json=body, headers=employer.headers)
    assert response.status_code == 201, response.text
    company = response.json()["company"]
    assert company["slug"] == "cafe-nassau-co"
    assert company["url"] == "/companies/cafe-nassau-co"
    assert company["website"] == "https://cafenassau.example.com"
    assert company["island_label"] == "New Providence"
    assert company["members"] == [{"username": employer.username, "name": "Bea Rolle", "role": "owner"}]
    public = await client.get("/api/companies/cafe-nassau-co")
    assert public.status_code == 200
    assert public.json()["company"]["name"] == "Café Nassau & Co."


async def test_slugs_stay_unique(client: httpx.AsyncClient, runtime: Runtime, employer: Person) -> None:
    other = await person(runtime, "other@example.com", employer=True)
    first = await create_company(client, employer, "Island Bank")
    second = await create_company(client, other, "Island Bank")
    assert (first["slug"], second["slug"]) == ("island-bank", "island-bank-2")
    third = await person(runtime, "third@example.com", employer=True)
    taken = await client.post("/api/companies", json={"name": "X Bank", "slug": "island-bank"}, headers=third.headers)
    assert taken.status_code == 409
    assert taken.json()["error"]["fields"]["slug"]
    bad = await client.post("/api/companies", json={"name": "X Bank", "slug": "Not a slug!"}, headers=third.headers)
    assert bad.status_code == 422
    reserved = await client.post("/api/companies", json={"name": "X Bank", "slug": "new"}, headers=third.headers)
    assert reserved.status_code == 422


async def test_who_may_create_a_company(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, seeker: Person
) -> None:
    seeker_try = await client.post("/api/companies", json={"name": "Seeker Co"}, headers=seeker.headers)
    assert seeker_try.status_code == 403
    assert seeker_try.json()["error"]["code"] == "forbidden"
    unverified = await person(runtime, "new@example.com", employer=True, verified=False)
    response = await client.post("/api/companies", json={"name": "New Co"}, headers=unverified.headers)
    assert response.json()["error"]["code"] == "email_unverified"
    assert (await client.post("/api/companies", json={"name": "Anon Co"})).status_code == 401
    assert (await client.post("/api/companies", json={"name": "A"}, headers=employer.headers)).status_code == 422
    too_long = {"name": "Co", "about": "x" * 5001}
    assert (await client.post("/api/companies", json=too_long, headers=employer.headers)).status_code == 422
    bad_site = await client.post(
        "/api/companies", json={"name": "Co", "website": "javascript:alert(1)"}, headers=employer.headers
    )
    assert bad_site.status_code == 422
    await create_company(client, employer, "First Co")
    again = await client.post("/api/companies", json={"name": "Second Co"}, headers=employer.headers)
    assert again.status_code == 409


async def test_unknown_company_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/companies/nobody-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_owners_edit_the_company_and_renaming_reindexes_its_jobs(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    await post_job(client, employer, company["slug"], title="Chef", description="Cook for guests.", skills=[])
    path = f"/api/companies/{company['slug']}"
    assert (await client.patch(path, json={"name": "Hacked"}, headers=rival.headers)).status_code == 403
    response = await client.patch(
        path, json={"name": "Pink Sands Hotel", "about": "On the beach."}, headers=employer.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["company"]["name"] == "Pink Sands Hotel"
    assert response.json()["company"]["slug"] == company["slug"]  # the address does not move
    assert titles(await client.get("/api/jobs", params={"q": "pink sands"})) == ["Chef"]
    assert titles(await client.get("/api/jobs", params={"q": "coral"})) == []


async def test_team_members_are_added_and_removed_by_owners(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    colleague = await person(runtime, "colleague@example.com", employer=True)
    members = f"/api/companies/{company['slug']}/members"
    username = colleague.username
    added = await client.post(members, json={"username": username}, headers=employer.headers)
    assert added.status_code == 201, added.text
    assert {m["username"]: m["role"] for m in added.json()["company"]["members"]}[username] == "member"
    assert (await client.post(members, json={"username": username}, headers=employer.headers)).status_code == 409
    job_seeker = await client.post(members, json={"username": seeker.username}, headers=employer.headers)
    assert job_seeker.status_code == 422
    unknown = await client.post(members, json={"username": "nobody-at-all"}, headers=employer.headers)
    assert unknown.status_code == 422
    # A member manages jobs but not the team or the page.
    third = await person(runtime, "third@example.com", employer=True)
    by_member = await client.post(members, json={"username": third.username}, headers=colleague.headers)
    assert by_member.status_code == 403
    assert (
        await client.patch(f"/api/companies/{company['slug']}", json={"about": "x"}, headers=colleague.headers)
    ).status_code == 403
    job = await post_job(client, colleague, company["slug"])
    assert job["company"]["slug"] == company["slug"]
    # The last owner cannot leave; a member can.
    owner_name = employer.username
    assert (await client.delete(f"{members}/{owner_name}", headers=employer.headers)).status_code == 409
    assert (await client.delete(f"{members}/{username}", headers=colleague.headers)).status_code == 204
    after = await client.get(f"/api/companies/{company['slug']}")
    assert [m["username"] for m in after.json()["company"]["members"]] == [owner_name]


async def test_the_logo_must_be_a_company_logo_upload_of_the_team(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    path = f"/api/companies/{company['slug']}"
    logo = await add_upload(runtime, employer, UploadPurpose.COMPANY_LOGO)
    not_a_logo = await add_upload(runtime, employer, UploadPurpose.CV)
    someone_elses = await add_upload(runtime, seeker, UploadPurpose.COMPANY_LOGO)
    for upload_id, status in ((not_a_logo, 422), (someone_elses, 404)):
        response = await client.patch(path, json={"logo_upload_id": str(upload_id)}, headers=employer.headers)
        assert response.status_code == status
        assert response.json()["error"]["fields"]["logo"]
    response = await client.patch(path, json={"logo_upload_id": str(logo)}, headers=employer.headers)
    assert response.status_code == 200
    assert response.json()["company"]["logo_url"] == f"/media/{logo}/thumb"
    removed = await client.patch(path, json={"remove_logo": True}, headers=employer.headers)
    assert removed.json()["company"]["logo_url"] is None
