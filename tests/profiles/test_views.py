"""Profile pages, driven like a browser without JavaScript: /u/<username>, /profile/edit, /talent."""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.factories import Member
from tests.helpers import PASSWORD, page_csrf, submit
from tests.profiles.factory import member

PROFILE_FORM = {
    "first_name": "Ann",
    "last_name": "Rolle",
    "username": "ann",
    "headline": "Bookkeeper",
    "bio": "",
    "island": "",
    "skills": "",
    "visibility": "public",
}


async def log_in(client: httpx.AsyncClient, who: Member) -> None:
    client.cookies.clear()
    response = await submit(client, "/login", {"email": who.email, "password": PASSWORD})
    assert response.status_code == 303, response.text


async def test_profile_page_shows_everything_escaped(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(
        runtime,
        "ann",
        first_name="<b>Ann</b>",
        headline="Bookkeeper <script>alert(1)</script>",
        bio="See https://ann.example.com/cv for more\nSecond line",
        island="long_island",
        skills=["QuickBooks", "payroll"],
        available_for_hire=True,
        links=[{"label": "Portfolio", "url": "https://ann.example.com"}],
    )
    await runtime.tasks.drain()
    for path, body in (
        ("/api/users/me/experience", {"title": "Clerk", "company_name": "Bay St Co", "start_date": "2020-02-01"}),
        ("/api/users/me/education", {"school": "C. R. Walker", "start_year": 2010, "end_year": 2014}),
    ):
        assert (await httpx_post(client, path, body, ann)).status_code == 201
    page = await client.get("/u/ann")
    assert page.status_code == 200
    text = page.text
    assert "&lt;b&gt;Ann&lt;/b&gt;" in text
    assert "<script>alert(1)</script>" not in text
    assert "Long Island" in text
    assert "Available for hire" in text
    assert '<li class="badge">quickbooks</li>' in text
    assert '<a href="https://ann.example.com" rel="nofollow noopener" target="_blank">Portfolio</a>' in text
    assert '<a href="https://ann.example.com/cv" rel="nofollow noopener">' in text  # bio links, escaped
    assert "Clerk" in text
    assert "Feb 2020 \N{EN DASH} Present" in text
    assert "C. R. Walker" in text
    assert "0</strong> followers" in text
    assert "Log in to follow" in text
    assert "More actions" not in text  # no block/report menu for visitors


async def httpx_post(client: httpx.AsyncClient, path: str, body: Mapping[str, object], who: Member) -> httpx.Response:
    return await client.post(path, json=body, headers=who.headers)


async def test_unknown_and_hidden_profiles_are_404_pages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "shy", visibility="members")
    for path in ("/u/nobody", "/u/shy", "/u/shy/followers"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "We could not find that person" in response.text


async def test_blocker_sees_an_unblock_page_and_the_blocked_a_404(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await log_in(client, ann)
    response = await submit(client, "/u/bob/block", {}, page="/u/bob")
    assert response.status_code == 303
    assert response.headers["location"] == "/u/bob"
    stub = await client.get("/u/bob")
    assert stub.status_code == 200
    assert "You blocked @bob" in stub.text
    blocked_list = await client.get("/profile/blocked")
    assert "@bob" in blocked_list.text
    await log_in(client, bob)
    assert (await client.get("/u/ann")).status_code == 404
    await log_in(client, ann)
    unblocked = await submit(client, "/u/bob/unblock", {}, page="/profile/blocked")
    assert unblocked.status_code == 303
    page = await client.get("/u/bob")
    assert "You unblocked @bob" in page.text
    assert "More actions" in page.text


async def test_edit_profile_form(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    page = await client.get("/profile/edit")
    assert page.status_code == 200
    assert 'value="ann"' in page.text
    form = {
        **PROFILE_FORM,
        "username": "ann-pinder",
        "headline": "Head chef",
        "bio": "I cook.",
        "island": "eleuthera",
        "skills": "Cooking,  Menu Planning , cooking",
        "available_for_hire": "1",
        "visibility": "members",
        "link_label_0": "",
        "link_url_0": "https://ann.example.com",
        "link_label_3": "Blog",
        "link_url_3": "https://blog.example.com",
    }
    saved = await submit(client, "/profile/edit", form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/u/ann-pinder"
    me = (await client.get("/api/users/me")).json()["profile"]
    assert me["headline"] == "Head chef"
    assert me["island"] == "eleuthera"
    assert me["skills"] == ["cooking", "menu planning"]
    assert me["available_for_hire"] is True
    assert me["visibility"] == "members"
    assert [link["url"] for link in me["links"]] == ["https://ann.example.com", "https://blog.example.com"]
    again = await client.get("/profile/edit")
    assert 'value="cooking, menu planning"' in again.text
    # An unchecked box is not sent at all: that means "not available".
    await submit(client, "/profile/edit", {**PROFILE_FORM, "username": "ann-pinder"})
    assert (await client.get("/api/users/me")).json()["profile"]["available_for_hire"] is False


async def test_edit_profile_errors_keep_the_input(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann", headline="Before")
    await member(runtime, "bob")
    await log_in(client, ann)
    bad_link = await submit(
        client, "/profile/edit", {**PROFILE_FORM, "headline": "After", "link_url_2": "javascript:alert(1)"}
    )
    assert bad_link.status_code == 422
    assert "Links must start with http:// or https://." in bad_link.text
    assert re.search(r'id="field-link_url_2"[^>]*aria-invalid="true"', bad_link.text)
    assert 'value="After"' in bad_link.text
    too_many = await submit(client, "/profile/edit", {**PROFILE_FORM, "skills": ",".join(f"s{n}" for n in range(31))})
    assert too_many.status_code == 422
    assert "List at most 30 skills." in too_many.text
    taken = await submit(client, "/profile/edit", {**PROFILE_FORM, "username": "bob"})
    assert taken.status_code == 409
    assert "That username is taken" in taken.text
    too_long = await submit(client, "/profile/edit", {**PROFILE_FORM, "headline": "x" * 161})
    assert too_long.status_code == 422
    bad_island = await submit(client, "/profile/edit", {**PROFILE_FORM, "island": "atlantis"})
    assert bad_island.status_code == 422
    assert (await client.get("/api/users/me")).json()["profile"]["headline"] == "Before"
    assert (await client.get("/api/users/me")).json()["user"]["username"] == "ann"


async def test_experience_and_education_forms(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    job = {"title": "Clerk", "company_name": "Bay St Co", "island": "", "start_date": "2020-02-01", "end_date": ""}
    added = await submit(client, "/profile/experience", job, page="/profile/edit")
    assert added.status_code == 303
    bad = await submit(client, "/profile/experience", {**job, "end_date": "2019-01-01"}, page="/profile/edit")
    assert bad.status_code == 422
    assert "The end date cannot be before the start date." in bad.text
    missing = await submit(client, "/profile/experience", {**job, "start_date": ""}, page="/profile/edit")
    assert missing.status_code == 422
    school = {"school": "UB", "degree": "", "field_of_study": "", "start_year": "2012", "end_year": "2010"}
    bad_years = await submit(client, "/profile/education", school, page="/profile/edit")
    assert bad_years.status_code == 422
    assert "The end year cannot be before the start year." in bad_years.text
    assert (
        await submit(client, "/profile/education", {**school, "end_year": ""}, page="/profile/edit")
    ).status_code == 303
    me = (await client.get("/api/users/me")).json()["profile"]
    assert [item["title"] for item in me["experience"]] == ["Clerk"]
    assert [item["school"] for item in me["education"]] == ["UB"]
    for kind, entry_id in (("experience", me["experience"][0]["id"]), ("education", me["education"][0]["id"])):
        removed = await submit(client, f"/profile/{kind}/{entry_id}/delete", {}, page="/profile/edit")
        assert removed.status_code == 303
    me = (await client.get("/api/users/me")).json()["profile"]
    assert me["experience"] == me["education"] == []


async def test_someone_elses_entry_cannot_be_deleted(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    body = {"title": "Clerk", "company_name": "Bay St Co", "start_date": "2020-02-01"}
    entry = (await httpx_post(client, "/api/users/me/experience", body, ann)).json()["experience"]
    await log_in(client, bob)
    response = await submit(client, f"/profile/experience/{entry['id']}/delete", {}, page="/profile/edit")
    assert response.status_code == 404
    assert len((await client.get("/api/users/ann")).json()["profile"]["experience"]) == 1


async def test_edit_pages_need_sign_in_and_csrf(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.get("/profile/edit")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/profile/edit"
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    await page_csrf(client, "/profile/edit")
    forged = await client.post("/profile/edit", data={**PROFILE_FORM, "headline": "Hacked"})
    assert forged.status_code == 403
    assert (await client.get("/api/users/me")).json()["profile"]["headline"] == ""


async def test_talent_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "chef", headline="Head chef <i>", island="exuma", skills=["cooking"], available_for_hire=True)
    await member(runtime, "coder", headline="Developer", skills=["python"], available_for_hire=True)
    page = await client.get("/talent")
    assert page.status_code == 200
    assert "Head chef &lt;i&gt;" in page.text
    assert "Developer" in page.text
    found = await client.get("/talent", params={"q": "chef", "island": "exuma"})
    assert 'href="/u/chef"' in found.text
    assert 'href="/u/coder"' not in found.text
    by_skill = await client.get("/talent", params={"skill": "Python"})
    assert 'href="/u/coder"' in by_skill.text
    assert 'href="/u/chef"' not in by_skill.text
    nothing = await client.get("/talent", params={"q": "astronaut", "island": "atlantis", "sort": "x"})
    assert nothing.status_code == 200
    assert "No one matches yet" in nothing.text
    expired = await client.get("/talent", params={"cursor": "garbage"})
    assert expired.status_code == 404


async def test_talent_page_links_to_the_next_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    for n in range(21):
        await member(runtime, f"worker-{n:02d}", available_for_hire=True)
    first = await client.get("/talent", params={"q": "ann"})
    match = re.search(r'href="(/talent\?[^"]+)">More people', first.text)
    assert match
    second = await client.get(match.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert second.text.count('class="card person-card"') == 1
