"""What search engines and feed readers get: JobPosting JSON-LD on live job pages only, the
sitemap and Atom feeds as well-formed XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models.base import utcnow
from tests.jobs.conftest import Person, post_job, set_job

_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def json_ld_blocks(html: str) -> list[dict[str, Any]]:
    return [json.loads(block) for block in _JSON_LD.findall(html)]


def parse_xml(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own output


async def test_a_job_page_carries_job_posting_json_ld(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    response = await client.get(job["url"])
    assert response.status_code == 200
    (data,) = json_ld_blocks(response.text)
    assert data["@context"] == "https://schema.org/"
    assert data["@type"] == "JobPosting"
    # Required by Google.
    assert data["title"] == "Front Desk Manager"
    assert "<strong>front desk</strong>" in data["description"]
    assert data["datePosted"].startswith(job["published_at"][:10])
    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Coral Reef Resort",
    }
    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Nassau",
            "addressRegion": "New Providence",
            "addressCountry": "BS",
        },
    }
    # Recommended.
    assert data["validThrough"].startswith(job["valid_through"][:10])
    assert data["employmentType"] == "FULL_TIME"
    assert data["identifier"] == {"@type": "PropertyValue", "name": "Coral Reef Resort", "value": job["id"]}
    assert data["directApply"] is True
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "BSD",
        "value": {"@type": "QuantitativeValue", "minValue": 40000, "maxValue": 55000, "unitText": "YEAR"},
    }
    assert data["url"] == f"http://testserver{job['url']}"
    assert f'<link rel="canonical" href="http://testserver{job["url"]}">' in response.text


async def test_remote_jobs_say_telecommute(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(
        client,
        employer,
        company["slug"],
        island="remote",
        employment_type="seasonal",
        salary_min=20,
        salary_max=None,
        salary_period="hour",
    )
    (data,) = json_ld_blocks((await client.get(job["url"])).text)
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == {"@type": "Country", "name": "Bahamas"}
    assert "jobLocation" not in data
    assert data["employmentType"] == "OTHER"
    assert data["baseSalary"]["value"] == {"@type": "QuantitativeValue", "value": 20, "unitText": "HOUR"}


async def test_text_cannot_break_out_of_the_json_ld_block(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    title = "Chef </script><script>alert(1)</script> & <b>co</b>"
    job = await post_job(client, employer, company["slug"], title=title, description="Cook </script> & serve.")
    html = (await client.get(job["url"])).text
    (data,) = json_ld_blocks(html)
    assert data["title"] == title
    assert "<script>alert(1)" not in html
    block = _JSON_LD.search(html)
    assert block is not None
    assert "<" not in block.group(1)


async def test_expired_and_closed_jobs_say_so_and_drop_the_markup(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    expired = await post_job(client, employer, company["slug"], title="Lifeguard")
    await set_job(runtime, expired["id"], valid_through=utcnow() - timedelta(days=1))
    page = await client.get(expired["url"])
    assert page.status_code == 200
    assert json_ld_blocks(page.text) == []
    assert "This job expired on" in page.text
    assert "Send application" not in page.text
    closed = await post_job(client, employer, company["slug"], title="Bartender")
    await client.patch(f"/api/jobs/{closed['id']}", json={"status": "closed"}, headers=employer.headers)
    page = await client.get(closed["url"])
    assert json_ld_blocks(page.text) == []
    assert "This job is closed" in page.text


async def test_job_page_addresses(client: httpx.AsyncClient, employer: Person, company: dict[str, Any]) -> None:
    job = await post_job(client, employer, company["slug"])
    moved = await client.get(f"/jobs/{job['id']}-old-title", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == job["url"]
    bare = await client.get(f"/jobs/{job['id']}", follow_redirects=False)
    assert bare.headers["location"] == job["url"]
    assert (await client.get("/jobs/not-a-job")).status_code == 404
    assert (await client.get("/jobs/0190e7a4-0000-7000-8000-000000000000-x")).status_code == 404
    draft = await post_job(client, employer, company["slug"], title="Secret", status="draft")
    assert (await client.get(draft["url"])).status_code == 404
    assert json_ld_blocks((await client.get("/jobs")).text) == []  # only job pages carry it


async def test_the_sitemap_lists_open_jobs(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    live = await post_job(client, employer, company["slug"], title="Chef")
    draft = await post_job(client, employer, company["slug"], title="Draft", status="draft")
    expired = await post_job(client, employer, company["slug"], title="Old")
    await set_job(runtime, expired["id"], valid_through=utcnow() - timedelta(hours=1))
    response = await client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = parse_xml(response.text)
    assert root.tag == f"{SITEMAP}urlset"
    urls = [element.text for element in root.iter(f"{SITEMAP}loc")]
    assert f"http://testserver{live['url']}" in urls
    assert f"http://testserver/companies/{company['slug']}" in urls
    assert "http://testserver/jobs" in urls
    assert not any(draft["id"] in (url or "") or expired["id"] in (url or "") for url in urls)


async def test_any_search_has_an_atom_feed(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    await post_job(client, employer, company["slug"], title="Chef & <Cook>", description="Conch **fritters**.")
    await post_job(client, employer, company["slug"], title="Gardener", description="Plants.", skills=[])
    response = await client.get("/jobs/feed.atom", params={"q": "conch", "island": "new_providence"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = parse_xml(response.text)
    assert feed.tag == f"{ATOM}feed"
    assert "“conch”" in (feed.findtext(f"{ATOM}title") or "")
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Chef & <Cook> — Coral Reef Resort"]
    content = entries[0].findtext(f"{ATOM}content") or ""
    assert "<strong>fritters</strong>" in content
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href", "").startswith("http://testserver/jobs/")
    everything = parse_xml((await client.get("/jobs/feed.atom")).text)
    assert len(everything.findall(f"{ATOM}entry")) == 2
    search_page = await client.get("/jobs", params={"q": "conch"})
    assert 'type="application/atom+xml"' in search_page.text
