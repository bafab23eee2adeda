"""BASE_URL: unset, absolute links follow HOST and PORT; redirects inside the site are relative."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from tests.billing.factories import member
from tests.conftest import make_settings
from tests.helpers import emails_to, register, text_of
from tests.jobs.conftest import create_company, person, post_job

SITE = "http://127.0.0.1:9000"


@pytest.fixture(autouse=True)
def no_address_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BASE_URL", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)


def test_base_url_follows_host_and_port() -> None:
    assert Settings(_env_file=None).base_url == "http://127.0.0.1:8000"
    assert Settings(_env_file=None, port=9000).base_url == SITE
    assert Settings(_env_file=None, host="::1", port=9000).base_url == "http://[::1]:9000"


def test_an_explicit_base_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None, port=9000, base_url="https://hiremebahamas.com").base_url == (
        "https://hiremebahamas.com"
    )
    monkeypatch.setenv("PORT", "9000")
    assert Settings(_env_file=None).base_url == SITE
    monkeypatch.setenv("BASE_URL", "https://hiremebahamas.com")
    assert Settings(_env_file=None).base_url == "https://hiremebahamas.com"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The app as `PORT=9000 make run` starts it: no BASE_URL."""
    return make_settings(database_url=database_url, var_dir=tmp_path / "var", base_url="", host="127.0.0.1", port=9000)


async def test_links_in_emails_follow_the_port(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await register(client, "ann@example.com")).status_code == 201
    (message,) = await emails_to(runtime, "ann@example.com")
    assert f"{SITE}/verify-email?token=" in text_of(message)


async def test_the_sitemap_follows_the_port(client: httpx.AsyncClient) -> None:
    sitemap = await client.get("/sitemap.xml")
    assert f"<loc>{SITE}/jobs</loc>" in sitemap.text
    assert ":8000" not in sitemap.text


async def test_checkout_and_portal_addresses_follow_the_port(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    checkout = await client.post(
        "/api/subscriptions/checkout", json={"tier": "pro", "interval": "month"}, headers=ann.headers
    )
    assert checkout.json()["url"].startswith(f"{SITE}/billing/checkout/"), checkout.text
    portal = await client.get("/api/subscriptions/portal", headers=ann.headers)
    assert portal.json() == {"url": f"{SITE}/billing/portal"}


async def test_job_pages_link_to_themselves_on_the_port(client: httpx.AsyncClient, runtime: Runtime) -> None:
    boss = await person(runtime, "boss@example.com", first_name="Bea", employer=True)
    company = await create_company(client, boss, "Coral Reef Resort", island="new_providence")
    job = await post_job(client, boss, company["slug"])
    page = (await client.get(job["url"])).text
    assert f'<link rel="canonical" href="{SITE}{job["url"]}">' in page
    assert f'"url":"{SITE}{job["url"]}"' in page  # the JobPosting JSON-LD
