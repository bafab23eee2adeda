"""URLs Python cannot read ("https://a]b", "http://[x": a bracket in the address part) in what
members and browsers send: a clear refusal or a mismatch, never a server error (the API probes
found a profile link that answered 500)."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.urls import origin_of, split_url, web_host
from hiremebahamas.web.csrf import came_from_this_site
from tests.jobs.conftest import create_company, person

UNREADABLE = ["https://a]b", "http://[x", "https://[::1/", "HTTPS://f2,655o4HDTe$]a@E-71M"]


@pytest.mark.parametrize("url", UNREADABLE)
def test_an_unreadable_url_has_no_parts_host_or_origin(url: str) -> None:
    assert split_url(url) is None
    assert web_host(url) is None
    assert origin_of(url) == ""


def test_readable_urls() -> None:
    assert web_host("HTTPS://Example.com/jobs?q=1") == "example.com"
    assert web_host("javascript:alert(1)") is None
    assert web_host("/relative") is None
    assert origin_of("https://Example.com:8443/path") == "https://example.com:8443"


@pytest.mark.parametrize("url", UNREADABLE)
async def test_a_profile_link_or_company_site_that_cannot_be_read_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, url: str
) -> None:
    ann = await person(runtime, "ann@example.com", employer=True)
    profile = await client.patch("/api/users/me", json={"links": [{"url": url}]}, headers=ann.headers)
    assert profile.status_code == 422, profile.text
    assert list(profile.json()["error"]["fields"]) == ["links.0.url"]
    company = await create_company(client, ann, "Conch Shack")
    site = await client.patch(f"/api/companies/{company['slug']}", json={"website": url}, headers=ann.headers)
    assert site.status_code == 422, site.text
    assert "website" in site.json()["error"]["fields"]


def test_a_write_whose_referer_cannot_be_read_did_not_come_from_this_site() -> None:
    # Forms that cannot carry a CSRF token are checked by their Origin, or else their Referer.
    def sent(headers: dict[str, str]) -> Request:
        raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        scope = {"type": "http", "method": "POST", "scheme": "http", "server": ("testserver", 80), "path": "/consent"}
        return Request({**scope, "headers": [(b"host", b"testserver"), *raw], "query_string": b""})

    assert came_from_this_site(sent({"Referer": "http://testserver/page"}))
    assert not came_from_this_site(sent({"Referer": "http://[x/page"}))
    assert not came_from_this_site(sent({}))
