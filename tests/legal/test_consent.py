"""Cookie consent with GA4 configured: the banner, the choice, the tag and the CSP per response,
and no visitor's choice leaking to another through the HTTP or the server's cache."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hiremebahamas.config import Settings
from hiremebahamas.core.middleware import CONTENT_SECURITY_POLICY
from hiremebahamas.core.runtime import Runtime
from tests.conftest import make_settings
from tests.helpers import sign_in
from tests.staff.conftest import make_member

GA_ID = "G-TEST12345"
SITE = {"origin": "http://testserver"}
TAG = "https://www.googletagmanager.com/gtag/js?id=G-TEST12345"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url=database_url, var_dir=tmp_path / "var", ga_tracking_id=GA_ID)


async def test_the_banner_shows_until_a_choice_and_nothing_loads_before(client: httpx.AsyncClient) -> None:
    page = await client.get("/jobs")
    assert "data-consent-banner" in page.text
    assert 'data-consent-banner aria-labelledby="consent-title" hidden' not in page.text
    assert "googletagmanager" not in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "Cookie settings" in page.text
    assert "public" in page.headers["cache-control"]  # still shared: the banner is everyone's


async def test_accepting_loads_the_tag_under_a_csp_that_allows_its_host(client: httpx.AsyncClient) -> None:
    chosen = await client.post("/consent", data={"choice": "accept", "next": "/jobs"}, headers=SITE)
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/jobs"
    cookie = chosen.headers["set-cookie"]
    assert "hmb_consent=accept" in cookie
    assert "Max-Age=31536000" in cookie
    assert "SameSite=lax" in cookie
    page = await client.get("/jobs")
    assert TAG in page.text
    assert f'data-ga-id="{GA_ID}"' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' https://www.googletagmanager.com;" in policy
    assert "connect-src 'self' https://www.googletagmanager.com https://*.google-analytics.com" in policy
    assert page.headers["cache-control"] == "private, no-store"  # this visitor's page only
    assert 'aria-labelledby="consent-title" hidden' in page.text  # closed, kept for "Cookie settings"


async def test_rejecting_loads_nothing_and_closes_the_banner(client: httpx.AsyncClient) -> None:
    chosen = await client.post("/consent", data={"choice": "reject", "next": "/terms"}, headers=SITE)
    assert chosen.status_code == 303
    assert "hmb_consent=reject" in chosen.headers["set-cookie"]
    page = await client.get("/terms")
    assert "googletagmanager" not in page.text
    assert 'aria-labelledby="consent-title" hidden' in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["cache-control"] == "private, no-store"


async def test_a_choice_is_never_served_from_or_into_the_shared_copy(client: httpx.AsyncClient) -> None:
    """The server keeps anonymous /jobs pages (core/response_cache.py): an accepting visitor's
    page must not be stored for others, nor the stored banner page served to them."""
    first = await client.get("/jobs")
    assert first.headers.get("x-cache") == "MISS"
    assert (await client.get("/jobs")).headers.get("x-cache") == "HIT"
    client.cookies.set("hmb_consent", "accept")
    accepted = await client.get("/jobs")
    assert "x-cache" not in accepted.headers
    assert TAG in accepted.text
    client.cookies.clear()
    anonymous = await client.get("/jobs")
    assert anonymous.headers.get("x-cache") == "HIT"
    assert TAG not in anonymous.text
    assert "Cookie" in anonymous.headers["vary"]


async def test_the_choice_is_refused_from_another_site_or_malformed(client: httpx.AsyncClient) -> None:
    foreign = await client.post("/consent", data={"choice": "accept"}, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert "set-cookie" not in foreign.headers or "hmb_consent" not in foreign.headers["set-cookie"]
    nothing = await client.post("/consent", data={"choice": "accept"})
    assert nothing.status_code == 403  # neither Origin nor Referer
    referer = await client.post("/consent", data={"choice": "reject"}, headers={"referer": "http://testserver/jobs"})
    assert referer.status_code == 303
    for choice in ("", "yes", "acceptance", "ACCEPT"):
        bad = await client.post("/consent", data={"choice": choice}, headers=SITE)
        assert bad.status_code in (400, 422), choice
    offsite = await client.post("/consent", data={"choice": "reject", "next": "//evil.example"}, headers=SITE)
    assert offsite.headers["location"] == "/"


async def test_a_forged_cookie_value_counts_as_no_choice(client: httpx.AsyncClient) -> None:
    client.cookies.set("hmb_consent", "<script>")
    page = await client.get("/jobs")
    assert "googletagmanager" not in page.text
    assert 'aria-labelledby="consent-title" hidden' not in page.text


async def test_signed_in_members_get_the_banner_and_the_tag_alike(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann")
    sign_in(client, ann)
    client.cookies.set("hmb_consent", "accept")
    page = await client.get("/jobs")
    assert TAG in page.text
    assert "https://www.googletagmanager.com" in page.headers["content-security-policy"]


async def test_without_a_service_there_is_no_banner_and_no_choice(tmp_path: Path, database_url: str) -> None:
    """The default settings (no GA, no PostHog): covered by test_views' pages; the POST is 404."""
    from hiremebahamas.app import create_app
    from hiremebahamas.core.runtime import create_runtime

    plain = make_settings(database_url=database_url, var_dir=tmp_path / "plain")
    runtime = create_runtime(plain)
    try:
        app = create_app(plain, runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
            page = await other.get("/terms")
            assert "data-consent-banner" not in page.text
            assert (await other.post("/consent", data={"choice": "accept"}, headers=SITE)).status_code == 404
    finally:
        await runtime.close()
