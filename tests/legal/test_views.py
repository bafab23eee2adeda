"""The pages: the four documents linked from the footer and the registration, the notice of a
newer Terms of Service and its accept form, and robots.txt."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.legal.documents import current_terms_version
from hiremebahamas.models import User
from tests.helpers import PASSWORD, page_csrf, sign_in, submit
from tests.staff.conftest import make_member


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/terms", "Terms of Service"),
        ("/privacy", "Privacy Policy"),
        ("/cookies", "Cookie Policy"),
        ("/refunds", "Refund Policy"),
    ],
)
async def test_each_document_is_a_shared_page_linked_from_the_footer(
    client: httpx.AsyncClient, path: str, title: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.text
    assert "in effect from" in page.text
    assert "public" in page.headers["cache-control"]  # the same for every anonymous visitor
    assert "set-cookie" not in page.headers
    home = await client.get("/jobs")
    assert f'href="{path}"' in home.text
    assert "Cookie settings" not in home.text  # nothing optional is configured: nothing to choose


async def test_registration_links_the_terms_and_needs_them_accepted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    page = await client.get("/register")
    assert 'href="/terms"' in page.text
    assert 'href="/privacy"' in page.text
    data = {"first_name": "Ann", "last_name": "Rolle", "email": "ann@example.com", "password": PASSWORD,
            "account_type": "job_seeker"}  # fmt: skip
    refused = await submit(client, "/register", data)
    assert refused.status_code == 422
    assert "accept the Terms of Service" in refused.text
    done = await submit(client, "/register", {**data, "accept_terms": "yes"})
    assert done.status_code == 201
    async with runtime.database.sessionmaker() as session:
        user = (await session.execute(User.__table__.select().where(User.email == "ann@example.com"))).one()
        assert user.terms_accepted_version == current_terms_version(runtime.settings)


async def test_a_newer_version_is_asked_once_and_accepted_with_csrf(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await make_member(runtime, "ann")
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == ann.id).values(terms_accepted_version="2020-01-01"))
    sign_in(client, ann)
    page = await client.get("/jobs")
    assert "We have updated our Terms of Service" in page.text
    version = current_terms_version(runtime.settings)

    forged = await client.post("/legal/accept", data={"version": version})  # no CSRF token
    assert forged.status_code == 403
    stale = await submit(client, "/legal/accept", {"version": "2020-01-01", "next": "/jobs"}, page="/jobs")
    assert stale.status_code == 303
    assert stale.headers["location"] == "/terms"
    accepted = await submit(client, "/legal/accept", {"version": version, "next": "/jobs"}, page="/jobs")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/jobs"
    assert "We have updated our Terms of Service" not in (await client.get("/jobs")).text
    async with runtime.database.sessionmaker() as session:
        assert (await session.get_one(User, ann.id)).terms_accepted_version == version

    sign_in(client, None)
    token = await page_csrf(client, "/login")
    anonymous = await client.post("/legal/accept", data={"version": version, "csrf_token": token})
    assert anonymous.status_code in (302, 303, 401)


async def test_robots_txt_keeps_crawlers_out_of_private_areas(client: httpx.AsyncClient) -> None:
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200
    assert robots.headers["content-type"].startswith("text/plain")
    assert "public" in robots.headers["cache-control"]
    lines = robots.text.splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    for path in ("/admin", "/api/", "/account", "/messages", "/notifications", "/applications", "/billing/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /jobs" not in lines  # the public job pages stay open
