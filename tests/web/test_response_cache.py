"""Anonymous shared answers are kept by the server (in-process and in Redis), served without
touching the app, and dropped as soon as a change to what they show commits."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse
from prometheus_client import REGISTRY
from redis import Redis
from sqlalchemy import update

from hiremebahamas.billing.tiers import seed_tiers
from hiremebahamas.config import Settings
from hiremebahamas.core import response_areas
from hiremebahamas.core.http_cache import mark_private, shared_when_anonymous
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.models import Tier, TierCode
from tests.conftest import empty_tables, make_settings
from tests.helpers import counted_queries, page_csrf, sign_in
from tests.jobs.conftest import Person, create_company, person, post_job
from tests.profiles.factory import member
from tests.servers import RedisServer

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
# What a hit must repeat of the miss it was stored from.
KEPT_HEADERS = ("etag", "cache-control", "vary", "content-type", "content-length", "content-encoding")


@pytest.fixture(params=["memory", "redis"])
def settings(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Settings:
    overrides: dict[str, Any] = {}
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        overrides["redis_url"] = server.url(4)
        with Redis.from_url(overrides["redis_url"]) as redis:
            redis.flushdb()  # entries and versions of an earlier test must not carry over
    return make_settings(database_url=database_url, var_dir=tmp_path / "var", **overrides)


def cache_count(result: str) -> float:
    return REGISTRY.get_sample_value("hmb_cache_requests_total", {"cache": "response", "result": result}) or 0.0


async def marketplace(client: httpx.AsyncClient, runtime: Runtime) -> tuple[Person, dict[str, Any], dict[str, Any]]:
    employer = await person(runtime, "boss@example.com", first_name="Bea", employer=True)
    company = await create_company(client, employer, "Coral Resort")
    job = await post_job(client, employer, company["slug"])
    sign_in(client, None)
    return employer, company, job


@pytest.mark.parametrize("path", ["/api/jobs", "/jobs"])
@pytest.mark.parametrize("encoding", [GZIP, IDENTITY], ids=["gzip", "identity"])
async def test_a_second_anonymous_request_is_answered_from_the_store_without_the_database(
    client: httpx.AsyncClient, runtime: Runtime, path: str, encoding: dict[str, str]
) -> None:
    await marketplace(client, runtime)
    first = await client.get(path, headers=encoding)
    with counted_queries(runtime) as log:
        again = await client.get(path, headers=encoding)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert log.count == 0
    assert again.status_code == 200
    assert again.content == first.content
    assert "Front Desk Manager" in again.text
    for name in KEPT_HEADERS:
        assert again.headers.get(name) == first.headers.get(name), name
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert again.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in again.headers

    with counted_queries(runtime) as log:
        revalidated = await client.get(path, headers={**encoding, "If-None-Match": again.headers["etag"]})
    assert revalidated.status_code == 304
    assert log.count == 0


async def test_each_encoding_is_kept_apart(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await marketplace(client, runtime)
    gzipped = await client.get("/jobs", headers=GZIP)
    plain = await client.get("/jobs", headers=IDENTITY)
    assert plain.headers["x-cache"] == "MISS"
    assert "content-encoding" not in plain.headers
    again = await client.get("/jobs", headers=GZIP)
    assert again.headers["x-cache"] == "HIT"
    assert again.headers["content-encoding"] == "gzip"
    assert again.text == gzipped.text == plain.text


async def test_the_query_is_compared_with_sorted_parameters(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await marketplace(client, runtime)
    await client.get("/api/jobs")
    assert (await client.get("/api/jobs")).headers["x-cache"] == "HIT"
    # A blank value is a request of its own: the API may refuse it, never with the kept copy.
    blank_limit = await client.get("/api/jobs?limit=")
    assert blank_limit.status_code == 422
    assert blank_limit.headers.get("x-cache") != "HIT"
    await client.get("/jobs?island=new_providence&category=hospitality")
    assert (await client.get("/jobs?category=hospitality&island=new_providence")).headers["x-cache"] == "HIT"
    other = await client.get("/jobs?q=plumber&island=new_providence")
    assert other.headers["x-cache"] == "MISS"
    assert "Front Desk Manager" not in other.text


async def test_signed_in_requests_never_get_the_kept_copy(client: httpx.AsyncClient, runtime: Runtime) -> None:
    employer, _company, job = await marketplace(client, runtime)
    for path in ("/jobs", job["url"], "/api/jobs"):
        await client.get(path)
        assert (await client.get(path)).headers["x-cache"] == "HIT"
        sign_in(client, employer)
        by_cookie = await client.get(path)
        sign_in(client, None)
        by_token = await client.get(path, headers=employer.headers)
        for response in (by_cookie, by_token):
            assert response.status_code == 200
            assert "x-cache" not in response.headers, path
            assert response.headers["cache-control"] == "private, no-store"
    sign_in(client, employer)
    assert 'action="/logout"' in (await client.get("/jobs")).text  # the signed-in page, with its navigation


async def test_a_flash_message_is_shown_even_over_a_kept_page(client: httpx.AsyncClient) -> None:
    await client.get("/")
    assert (await client.get("/")).headers["x-cache"] == "HIT"
    token = await page_csrf(client, "/login")
    await client.post("/logout", data={"csrf_token": token})
    home = await client.get("/")
    assert "You are logged out." in home.text
    assert "x-cache" not in home.headers


async def test_answers_that_set_a_cookie_or_are_private_are_not_kept(own_app: FastAPI) -> None:
    calls: list[str] = []

    @own_app.get("/test/sets-a-cookie")
    @shared_when_anonymous(area="jobs")
    async def sets_a_cookie() -> Response:
        calls.append("cookie")
        response = PlainTextResponse("hello")
        response.set_cookie("hmb_test", "1")
        return response

    @own_app.get("/test/private")
    @shared_when_anonymous(area="jobs")
    async def private(request: Request) -> Response:
        calls.append("private")
        mark_private(request)
        return PlainTextResponse("yours")

    @own_app.get("/test/missing")
    @shared_when_anonymous(area="jobs")
    async def missing() -> Response:
        calls.append("missing")
        return PlainTextResponse("gone", status_code=404)

    @own_app.get("/test/streamed")
    @shared_when_anonymous(area="jobs")
    async def streamed() -> Response:
        calls.append("streamed")
        return StreamingResponse(iter([b"one ", b"two"]), media_type="text/plain")

    transport = httpx.ASGITransport(app=own_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for path in ("/test/sets-a-cookie", "/test/private", "/test/missing", "/test/streamed"):
            for _ in range(2):
                client.cookies.clear()
                assert (await client.get(path)).headers["x-cache"] == "MISS"
    assert calls == ["cookie", "cookie", "private", "private", "missing", "missing", "streamed", "streamed"]


async def test_a_job_posted_or_closed_shows_to_the_next_anonymous_visitor(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    employer, company, job = await marketplace(client, runtime)
    paths = ["/api/jobs", "/jobs", f"/companies/{company['slug']}", "/sitemap.xml", "/jobs/feed.atom"]
    for path in paths:
        await client.get(path)
        assert (await client.get(path)).headers["x-cache"] == "HIT", path

    posted = await post_job(client, employer, company["slug"], title="Night Auditor")
    sign_in(client, None)
    for path in paths:
        response = await client.get(path)
        assert response.headers["x-cache"] == "MISS", path
        assert "Night Auditor" in response.text or posted["url"] in response.text, path

    closed = await client.patch(f"/api/jobs/{job['id']}", json={"status": "closed"}, headers=employer.headers)
    assert closed.status_code == 200, closed.text
    assert "Front Desk Manager" not in (await client.get("/api/jobs")).text
    assert (await client.get(job["url"])).headers["x-cache"] == "MISS"


async def test_a_company_change_shows_at_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    employer, company, job = await marketplace(client, runtime)
    for path in (f"/api/companies/{company['slug']}", job["url"]):
        await client.get(path)
        assert (await client.get(path)).headers["x-cache"] == "HIT"
    renamed = await client.patch(
        f"/api/companies/{company['slug']}", json={"name": "Coral Beach Resort"}, headers=employer.headers
    )
    assert renamed.status_code == 200, renamed.text
    sign_in(client, None)
    assert "Coral Beach Resort" in (await client.get(f"/api/companies/{company['slug']}")).text
    assert "Coral Beach Resort" in (await client.get(job["url"])).text


async def test_plans_are_kept_until_seed_tiers_changes_them(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await seed_tiers_now(runtime)
    seeded = (await client.get("/api/subscriptions/tiers")).json()
    async with runtime.database.unit_of_work(runtime.tasks) as session:  # an operator's edit of the rows
        await session.execute(update(Tier).where(Tier.code == TierCode.PRO).values(monthly_price_cents=1))
    assert (await client.get("/api/subscriptions/tiers")).json() == seeded  # kept: nothing announced it
    await seed_tiers_now(runtime)  # resets the edit and drops the kept plans
    fresh = await client.get("/api/subscriptions/tiers")
    assert fresh.headers["x-cache"] == "MISS"
    assert fresh.json() == seeded


async def seed_tiers_now(runtime: Runtime) -> None:
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        await seed_tiers(session)


async def test_profiles_are_not_kept_so_members_only_hides_them_at_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann-rolle", headline="Chef in Nassau")
    for path in ("/u/ann-rolle", "/api/users/ann-rolle"):
        for _ in range(2):
            response = await client.get(path)
            assert response.status_code == 200
            assert "x-cache" not in response.headers
    hidden = await client.patch("/api/users/me", json={"visibility": "members"}, headers=ann.headers)
    assert hidden.status_code == 200, hidden.text
    for path in ("/u/ann-rolle", "/api/users/ann-rolle"):
        assert (await client.get(path)).status_code == 404, path


async def test_hits_and_misses_are_counted(client: httpx.AsyncClient, runtime: Runtime) -> None:
    employer, _company, _job = await marketplace(client, runtime)
    hits, misses, bypasses = cache_count("hit"), cache_count("miss"), cache_count("bypass")
    await client.get("/api/jobs")
    await client.get("/api/jobs")
    await client.get("/api/jobs", headers=employer.headers)
    await client.get("/login")  # not a shared route: not a look-up at all
    assert (cache_count("hit") - hits, cache_count("miss") - misses, cache_count("bypass") - bypasses) == (1, 1, 1)
    metrics = await client.get("/metrics")
    assert 'hmb_cache_requests_total{cache="response",result="hit"}' in metrics.text


async def test_a_ttl_of_zero_turns_the_cache_off(app: FastAPI, settings: Settings) -> None:
    off = create_runtime(settings.model_copy(update={"cache_default_ttl": 0}))
    app.state.runtime, app.middleware_stack = off, None
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            for _ in range(2):
                response = await client.get("/api/jobs")
                assert response.status_code == 200
                assert "x-cache" not in response.headers
                assert response.headers["cache-control"].startswith("public")  # the CDN may still share it
    finally:
        await off.close()


async def test_without_redis_requests_are_still_answered(
    app: FastAPI, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = make_settings(database_url=database_url, var_dir=tmp_path / "var", redis_url="redis://127.0.0.1:1/0")
    down = create_runtime(unreachable)
    app.state.runtime, app.middleware_stack = down, None
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            with caplog.at_level(logging.WARNING, logger="hiremebahamas.core.response_cache"):
                for _ in range(3):
                    response = await client.get("/api/jobs")
                    assert response.status_code == 200
                    assert response.headers["x-cache"] == "MISS"
        warnings = [record for record in caplog.records if record.name == "hiremebahamas.core.response_cache"]
        assert len(warnings) == 1  # once, not at every request
    finally:
        await empty_tables(down.database)
        await down.close()


async def test_a_change_made_by_another_instance_is_seen_and_not_raced(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if settings.redis_url is None:
        pytest.skip("instances share their cache through Redis only")
    await marketplace(client, runtime)
    await client.get("/api/jobs")
    assert (await client.get("/api/jobs")).headers["x-cache"] == "HIT"

    other = create_runtime(settings)
    try:
        await response_areas.area_versions(other.store, settings.cache_default_ttl).change("jobs")
    finally:
        await other.close()
    monkeypatch.setattr(response_areas, "VERSION_REFRESH_SECONDS", 0.0)  # instead of waiting a second
    assert (await client.get("/api/jobs")).headers["x-cache"] == "MISS"
    # Built within a second of another instance's change, whose clock may differ: not kept.
    assert (await client.get("/api/jobs")).headers["x-cache"] == "MISS"
