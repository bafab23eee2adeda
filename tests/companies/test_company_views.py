"""Company pages: creating one with a logo, the public page, the team's view, editing and the team form."""

from __future__ import annotations

import re
from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import page_csrf, sign_in, submit
from tests.jobs.conftest import Person, person, post_job
from tests.uploads.files import picture


async def test_an_employer_creates_a_company_page_with_a_logo(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person
) -> None:
    sign_in(client, employer)
    token = await page_csrf(client, "/companies/new")
    form = {
        "csrf_token": token,
        "name": "Sea Grape Bakery",
        "website": "seagrape.example.com",
        "island": "eleuthera",
        "about": "Fresh bread at https://seagrape.example.com daily.",
    }
    too_short = await client.post("/companies/new", data={**form, "name": "S"})
    assert too_short.status_code == 422
    not_a_picture = await client.post("/companies/new", data=form, files={"logo": ("logo.png", b"nope", "image/png")})
    assert not_a_picture.status_code == 422
    created = await client.post(
        "/companies/new", data=form, files={"logo": ("logo.png", picture("PNG", (300, 300)), "image/png")}
    )
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/companies/sea-grape-bakery"
    page = await client.get("/companies/sea-grape-bakery")
    assert "<h1>Sea Grape Bakery</h1>" in page.text
    logo = re.search(r'<img class="company-logo" src="([^"]+)"', page.text)
    assert logo is not None
    assert (await client.get(logo.group(1))).status_code == 200
    assert '<a href="https://seagrape.example.com" rel="nofollow noopener">' in page.text
    assert "Post your first job" in page.text  # the team's view
    sign_in(client, None)
    public = await client.get("/companies/sea-grape-bakery")
    assert "Post your first job" not in public.text
    assert "Sea Grape Bakery has no open jobs right now." in public.text
    # Its jobs carry the logo on their cards elsewhere (search).
    await post_job(client, employer, "sea-grape-bakery", title="Baker")
    search = await client.get("/jobs", params={"q": "baker"})
    card_logo = re.search(r'<img class="job-card__logo" src="([^"]+)"', search.text)
    assert card_logo is not None
    assert card_logo.group(1) == logo.group(1)


async def test_the_public_page_lists_open_jobs_and_the_team(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    await post_job(client, employer, company["slug"], title="Chef")
    await post_job(client, employer, company["slug"], title="Secret draft", status="draft")
    page = await client.get(f"/companies/{company['slug']}")
    assert "Chef" in page.text
    assert "Secret draft" not in page.text
    assert "Bea Rolle" in page.text
    # One Jobs section, and the company's name is said once, above its jobs.
    assert page.text.count('id="jobs-heading"') == 1
    assert 'class="job-card__company"' not in page.text
    sign_in(client, employer)
    team_view = await client.get(f"/companies/{company['slug']}")
    assert team_view.text.count('id="jobs-heading"') == 1
    assert "Secret draft" in team_view.text
    assert '<span class="badge badge-neutral" data-job-status="draft">Draft</span>' in team_view.text
    assert "0 applicants" in team_view.text
    assert 'class="job-card__company"' not in team_view.text
    assert (await client.get("/companies/no-such-company")).status_code == 404


async def test_owners_edit_the_page_and_the_team(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    slug = company["slug"]
    colleague = await person(runtime, "colleague@example.com", first_name="Cal", employer=True)
    sign_in(client, rival)
    assert (await client.get(f"/companies/{slug}/edit")).status_code == 403
    refused = await submit(client, f"/companies/{slug}/edit", {"name": "Hacked"}, page="/jobs")
    assert refused.status_code == 403
    sign_in(client, employer)
    edit_path = f"/companies/{slug}/edit"
    saved = await submit(
        client,
        edit_path,
        {"name": "Coral Reef Resort & Spa", "website": "", "island": "exuma", "about": "Now with a spa."},
        page=edit_path,
    )
    assert saved.status_code == 303
    page = await client.get(f"/companies/{slug}")
    assert "Coral Reef Resort &amp; Spa" in page.text
    assert "Now with a spa." in page.text
    bad = await submit(client, edit_path, {"name": "Coral", "website": "ftp://nope"}, page=edit_path)
    assert bad.status_code == 422
    assert "Enter the web address" in bad.text
    added = await submit(
        client, f"/companies/{slug}/members", {"username": f"@{colleague.username}", "role": "member"}, page=edit_path
    )
    assert added.status_code == 303
    assert "Cal Rolle" in (await client.get(edit_path)).text
    unknown = await submit(client, f"/companies/{slug}/members", {"username": "nobody-at-all"}, page=edit_path)
    assert unknown.status_code == 422
    assert "No one has that username." in unknown.text
    removed = await submit(client, f"/companies/{slug}/members/{colleague.username}/remove", {}, page=edit_path)
    assert removed.status_code == 303
    assert "Cal Rolle" not in (await client.get(edit_path)).text


async def test_job_seekers_cannot_create_company_pages(client: httpx.AsyncClient, seeker: Person) -> None:
    sign_in(client, seeker)
    assert "Company pages are for employers" in (await client.get("/companies/new")).text
    refused = await submit(client, "/companies/new", {"name": "Seeker Co"}, page="/companies/new")
    assert refused.status_code == 403
    sign_in(client, None)
    assert (await client.get("/companies/new")).status_code == 303
