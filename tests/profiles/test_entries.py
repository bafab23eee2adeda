"""Experience and education entries: add, edit, delete, only by their owner, with sane dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.profiles import entries
from tests.helpers import signed_up
from tests.profiles.factory import member

JOB = {"title": "Bookkeeper", "company_name": "Island Books", "island": "exuma", "start_date": "2019-03-01"}
SCHOOL = {"school": "University of The Bahamas", "degree": "BSc", "field_of_study": "Accounting", "start_year": 2012}


async def test_experience_add_edit_delete(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    created = await client.post("/api/users/me/experience", json=JOB, headers=ann.headers)
    assert created.status_code == 201, created.text
    entry = created.json()["experience"]
    assert entry["end_date"] is None
    assert entry["island"] == "exuma"

    patched = await client.patch(
        f"/api/users/me/experience/{entry['id']}",
        json={"end_date": "2023-06-30", "title": "Senior bookkeeper", "island": None},
        headers=ann.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["experience"]["title"] == "Senior bookkeeper"
    assert patched.json()["experience"]["island"] is None
    assert patched.json()["experience"]["company_name"] == "Island Books"

    profile = (await client.get("/api/users/ann", headers=ann.headers)).json()["profile"]
    assert [item["title"] for item in profile["experience"]] == ["Senior bookkeeper"]

    deleted = await client.delete(f"/api/users/me/experience/{entry['id']}", headers=ann.headers)
    assert deleted.status_code == 204
    assert (await client.get("/api/users/ann", headers=ann.headers)).json()["profile"]["experience"] == []
    again = await client.delete(f"/api/users/me/experience/{entry['id']}", headers=ann.headers)
    assert again.status_code == 404
    for start in ("2015-01-01", "2021-05-01", "2018-09-01"):
        body = {**JOB, "start_date": start}
        assert (await client.post("/api/users/me/experience", json=body, headers=ann.headers)).status_code == 201
    profile = (await client.get("/api/users/ann", headers=ann.headers)).json()["profile"]
    assert [item["start_date"] for item in profile["experience"]] == ["2021-05-01", "2018-09-01", "2015-01-01"]


BAD_EXPERIENCE: list[tuple[dict[str, Any], str]] = [
    ({**JOB, "end_date": "2019-02-28"}, "end_date"),
    ({**JOB, "start_date": (date.today() + timedelta(days=2)).isoformat()}, "start_date"),
    ({**JOB, "title": "x" * 151}, "title"),
    ({**JOB, "title": "   "}, "title"),
    ({**JOB, "company_name": ""}, "company_name"),
    ({**JOB, "description": "x" * 2001}, "description"),
    ({**JOB, "island": "atlantis"}, "island"),
    ({**JOB, "start_date": "not a date"}, "start_date"),
    ({"title": "Bookkeeper"}, "company_name"),
]


async def test_invalid_experience_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    for body, field in BAD_EXPERIENCE:
        response = await client.post("/api/users/me/experience", json=body, headers=ann.headers)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["error"]["fields"], (body, response.text)
    assert (await client.get("/api/users/ann", headers=ann.headers)).json()["profile"]["experience"] == []
    entry = (await client.post("/api/users/me/experience", json=JOB, headers=ann.headers)).json()["experience"]
    response = await client.patch(
        f"/api/users/me/experience/{entry['id']}", json={"end_date": "2001-01-01"}, headers=ann.headers
    )
    assert response.status_code == 422
    assert "end_date" in response.json()["error"]["fields"]
    profile = (await client.get("/api/users/ann", headers=ann.headers)).json()["profile"]
    assert profile["experience"][0]["end_date"] is None


async def test_only_the_owner_touches_an_entry(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    job = (await client.post("/api/users/me/experience", json=JOB, headers=ann.headers)).json()["experience"]
    school = (await client.post("/api/users/me/education", json=SCHOOL, headers=ann.headers)).json()["education"]
    for path in (f"/api/users/me/experience/{job['id']}", f"/api/users/me/education/{school['id']}"):
        patched = await client.patch(path, json={"title": "Mine now", "school": "Mine now"}, headers=bob.headers)
        assert patched.status_code == 404
        assert (await client.delete(path, headers=bob.headers)).status_code == 404
        assert (await client.delete(path)).status_code == 401
    profile = (await client.get("/api/users/ann", headers=ann.headers)).json()["profile"]
    assert profile["experience"][0]["title"] == "Bookkeeper"
    assert profile["education"][0]["school"] == "University of The Bahamas"
    assert (await client.post("/api/users/me/experience", json=JOB)).status_code == 401
    assert (await client.post("/api/users/me/education", json=SCHOOL)).status_code == 401
    account = await signed_up(client, runtime, "fresh@example.com", verified=False)
    response = await client.post("/api/users/me/experience", json=JOB, headers=account.headers)
    assert response.status_code == 201


async def test_education_add_edit_delete(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    created = await client.post("/api/users/me/education", json=SCHOOL, headers=ann.headers)
    assert created.status_code == 201, created.text
    entry = created.json()["education"]
    assert entry["end_year"] is None
    patched = await client.patch(
        f"/api/users/me/education/{entry['id']}", json={"end_year": 2016, "degree": "BBA"}, headers=ann.headers
    )
    assert patched.status_code == 200
    assert patched.json()["education"] | {"id": None} == {
        "id": None,
        "school": "University of The Bahamas",
        "degree": "BBA",
        "field_of_study": "Accounting",
        "start_year": 2012,
        "end_year": 2016,
    }
    bad = await client.patch(f"/api/users/me/education/{entry['id']}", json={"end_year": 2000}, headers=ann.headers)
    assert bad.status_code == 422
    assert "end_year" in bad.json()["error"]["fields"]
    assert (await client.delete(f"/api/users/me/education/{entry['id']}", headers=ann.headers)).status_code == 204


BAD_EDUCATION: list[tuple[dict[str, Any], str]] = [
    ({**SCHOOL, "end_year": 2010}, "end_year"),
    ({**SCHOOL, "start_year": 1800}, "start_year"),
    ({**SCHOOL, "school": ""}, "school"),
    ({**SCHOOL, "degree": "x" * 151}, "degree"),
]


async def test_invalid_education_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    for body, field in BAD_EDUCATION:
        response = await client.post("/api/users/me/education", json=body, headers=ann.headers)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["error"]["fields"], (body, response.text)


async def test_entries_per_profile_are_capped(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entries, "MAX_ENTRIES", 3)
    ann = await member(runtime, "ann")
    for _ in range(3):
        assert (await client.post("/api/users/me/education", json=SCHOOL, headers=ann.headers)).status_code == 201
    response = await client.post("/api/users/me/education", json=SCHOOL, headers=ann.headers)
    assert response.status_code == 409
