"""Cache-Control, Vary, ETag and gzip as browsers and a CDN see them, for each kind of response."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from hiremebahamas.config import Settings
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.web.csrf import csrf_token
from hiremebahamas.web.rendering import static_url
from tests.helpers import page_csrf, sign_in
from tests.jobs.conftest import Person, create_company, person, post_job

PRIVATE = "private, no-store"
IDENTITY = {"Accept-Encoding": "identity"}


def shared_control(settings: Settings) -> str:
    return (
        f"public, max-age={settings.http_cache_max_age}, s-maxage={settings.http_cache_s_maxage}, "
        f"stale-while-revalidate={settings.http_cache_stale_while_revalidate}"
    )


def vary_of(response: httpx.Response) -> set[str]:
    return {part.strip().lower() for part in response.headers.get("vary", "").split(",") if part.strip()}


async def marketplace(client: httpx.AsyncClient, runtime: Runtime) -> tuple[Person, dict[str, Any], dict[str, Any]]:
    employer = await person(runtime, "boss@example.com", first_name="Bea", employer=True)
    company = await create_company(client, employer, "Coral Resort")
    job = await post_job(client, employer, company["slug"])
    return employer, company, job


def shared_paths(employer: Person, company: dict[str, Any], job: dict[str, Any]) -> list[str]:
    return [
        "/",
        "/jobs",
        "/jobs?q=desk",
        "/api/jobs",
        job["url"],
        f"/api/jobs/{job['id']}",
        f"/companies/{company['slug']}",
        f"/api/companies/{company['slug']}",
        f"/u/{employer.username}",
        f"/api/users/{employer.username}",
        "/sitemap.xml",
        "/jobs/feed.atom",
        "/pricing",
        "/api/subscriptions/tiers",
    ]


async def test_anonymous_public_pages_and_json_may_be_shared_by_a_cdn(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings
) -> None:
    employer, company, job = await marketplace(client, runtime)
    sign_in(client, None)
    for path in shared_paths(employer, company, job):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["cache-control"] == shared_control(settings), path
        assert {"cookie", "authorization", "accept-encoding"} <= vary_of(response), path
        assert "set-cookie" not in response.headers, path
        assert response.headers["etag"].strip('W/"'), path
        assert "csrf" not in response.text.lower() or path.startswith("/api"), path


async def test_signed_in_answers_on_shared_routes_are_private(client: httpx.AsyncClient, runtime: Runtime) -> None:
    employer, company, job = await marketplace(client, runtime)
    for path in shared_paths(employer, company, job):
        sign_in(client, employer)  # the browser's session cookie
        by_cookie = await client.get(path)
        sign_in(client, None)
        by_token = await client.get(path, headers=employer.headers)
        for response in (by_cookie, by_token):
            assert response.status_code == 200, (path, response.text)
            assert response.headers["cache-control"] == PRIVATE, path
            assert "etag" not in response.headers, path


async def test_an_anonymous_page_that_sets_a_cookie_is_never_public(client: httpx.AsyncClient) -> None:
    login_page = await client.get("/login")  # its form mints the CSRF cookie
    assert "hmb_csrf" in login_page.headers["set-cookie"]
    assert login_page.headers["cache-control"] == PRIVATE

    token = await page_csrf(client, "/login")
    await client.post("/logout", data={"csrf_token": token})  # back to the home page with a flash
    home = await client.get("/")  # shows the flash once and clears its cookie
    assert "You are logged out." in home.text
    assert "hmb_flash" in home.headers["set-cookie"]
    assert home.headers["cache-control"] == PRIVATE


async def test_a_visitor_with_a_csrf_cookie_still_gets_the_shared_copy_without_a_token(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings
) -> None:
    _employer, _company, job = await marketplace(client, runtime)
    sign_in(client, None)
    await client.get("/login")  # now the browser holds hmb_csrf
    assert client.cookies.get("hmb_csrf")
    page = await client.get(job["url"])
    assert page.headers["cache-control"] == shared_control(settings)
    assert 'name="csrf_token"' not in page.text
    assert 'name="csrf-token"' not in page.text


async def test_a_shared_route_that_writes_out_a_visitors_token_is_private(own_app: FastAPI, settings: Settings) -> None:
    @own_app.get("/test/shared-with-a-form")
    @shared_when_anonymous(area="test")
    async def shared_with_a_form(request: Request) -> PlainTextResponse:
        return PlainTextResponse(csrf_token(request))

    transport = httpx.ASGITransport(app=own_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        client.cookies.set("hmb_csrf", "an-earlier-visit")  # the token is made without a new cookie
        response = await client.get("/test/shared-with-a-form")
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == PRIVATE


async def test_anonymous_forms_still_carry_their_token_and_are_checked(client: httpx.AsyncClient) -> None:
    page = await client.get("/register")
    assert 'name="csrf_token" value="' in page.text
    refused = await client.post("/login", data={"email": "ann@example.com", "password": "x"})
    assert refused.status_code == 403


async def test_errors_and_redirects_are_never_cached(client: httpx.AsyncClient, runtime: Runtime) -> None:
    _employer, _company, job = await marketplace(client, runtime)
    sign_in(client, None)
    missing_json = await client.get("/api/jobs/00000000-0000-0000-0000-000000000000")
    missing_page = await client.get("/companies/no-such-company")
    moved = await client.get(f"/jobs/{job['id']}-old-title", follow_redirects=False)
    assert (missing_json.status_code, missing_page.status_code, moved.status_code) == (404, 404, 301)
    for response in (missing_json, missing_page, moved):
        assert response.headers["cache-control"] == PRIVATE
        assert "etag" not in response.headers


async def test_other_responses_are_private(client: httpx.AsyncClient, runtime: Runtime) -> None:
    employer = await person(runtime, "ann@example.com")
    me = await client.get("/api/users/me", headers=employer.headers)
    health = await client.get("/health")
    sign_in(client, employer)
    account = await client.get("/account")
    for response in (me, health, account):
        assert response.status_code == 200
        assert response.headers["cache-control"] == PRIVATE


async def test_a_matching_if_none_match_gets_304_without_a_body(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings
) -> None:
    employer, company, _job = await marketplace(client, runtime)
    sign_in(client, None)
    first = await client.get("/api/jobs")
    etag = first.headers["etag"]

    again = await client.get("/api/jobs", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == shared_control(settings)
    assert "cookie" in vary_of(again)
    assert again.headers["x-request-id"]
    assert again.headers["x-content-type-options"] == "nosniff"

    listed = await client.get("/api/jobs", headers={"If-None-Match": f'W/"other", {etag}'})
    assert listed.status_code == 304  # any tag of the list, compared weakly

    await post_job(client, employer, company["slug"], title="Night Auditor")
    sign_in(client, None)
    changed = await client.get("/api/jobs", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "Night Auditor" in changed.text


async def test_a_signed_in_request_never_gets_304_from_the_shared_etag(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    employer, _company, _job = await marketplace(client, runtime)
    sign_in(client, None)
    etag = (await client.get("/api/jobs")).headers["etag"]
    mine = await client.get("/api/jobs", headers={**employer.headers, "If-None-Match": etag})
    assert mine.status_code == 200


async def test_text_above_the_threshold_is_gzipped_with_vary(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await marketplace(client, runtime)
    sign_in(client, None)
    compressed = await client.get("/jobs", headers={"Accept-Encoding": "gzip"})
    identity = await client.get("/jobs", headers=IDENTITY)
    assert compressed.headers["content-encoding"] == "gzip"
    assert int(compressed.headers["content-length"]) < int(identity.headers["content-length"])
    assert "content-encoding" not in identity.headers
    assert "accept-encoding" in vary_of(compressed)
    assert "accept-encoding" in vary_of(identity)
    assert compressed.text == identity.text  # httpx undid the gzip
    # Each representation has its own ETag, and each revalidates.
    assert compressed.headers["etag"] != identity.headers["etag"]
    again = await client.get("/jobs", headers={"Accept-Encoding": "gzip", "If-None-Match": compressed.headers["etag"]})
    assert again.status_code == 304

    refused = await client.get("/jobs", headers={"Accept-Encoding": "gzip;q=0, deflate"})
    assert "content-encoding" not in refused.headers


async def test_small_answers_are_not_compressed(client: httpx.AsyncClient) -> None:
    health = await client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert len(health.content) < 1024
    assert "content-encoding" not in health.headers


@pytest.mark.parametrize("asset", ["css/app.css", "vendor/htmx.min.js"])
async def test_versioned_static_files_are_immutable_and_gzipped_with_a_weak_etag(
    client: httpx.AsyncClient, asset: str
) -> None:
    url = static_url(asset)
    compressed = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert compressed.status_code == 200
    assert compressed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["etag"].startswith('W/"')
    identity = await client.get(url, headers=IDENTITY)
    assert not identity.headers["etag"].startswith("W/")
    assert identity.headers["etag"] == compressed.headers["etag"].removeprefix("W/")
    revalidated = await client.get(url, headers={"If-None-Match": compressed.headers["etag"]})
    assert revalidated.status_code == 304


async def test_unversioned_static_files_are_kept_briefly(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=600"
    missing = await client.get("/static/nothing-here.css?v=1")
    assert missing.status_code == 404
    assert missing.headers["cache-control"] == PRIVATE


async def test_gzip_bytes_are_stable_so_the_etag_holds(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await marketplace(client, runtime)
    sign_in(client, None)
    raw: list[bytes] = []
    for _ in range(2):
        async with client.stream("GET", "/jobs", headers={"Accept-Encoding": "gzip"}) as response:
            raw.append(b"".join([chunk async for chunk in response.aiter_raw()]))
    assert raw[0] == raw[1]
    assert b"Front Desk Manager" in gzip.decompress(raw[0])
