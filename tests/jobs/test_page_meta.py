"""What each page tells search engines and link previews: its own description, Open Graph and
Twitter card tags with the right image, a canonical link on BASE_URL for every indexable page,
and `noindex` (with no canonical or previews) on private ones."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import StaffRole, UploadPurpose
from hiremebahamas.models.base import utcnow
from tests.jobs.conftest import Person, add_upload, post_job, set_job
from tests.staff.conftest import make_member

BASE = "http://testserver"


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.canonical: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (key := values.get("name") or values.get("property")):
            self.meta.setdefault(key, []).append(values.get("content") or "")
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical.append(values.get("href") or "")


def head_of(response: httpx.Response) -> _Head:
    parser = _Head()
    parser.feed(response.text)
    return parser


def tag(head: _Head, key: str) -> str:
    (value,) = head.meta[key]
    return value


def assert_indexable(head: _Head, canonical: str) -> None:
    assert head.canonical == [canonical]
    assert "robots" not in head.meta
    assert tag(head, "og:url") == canonical


def assert_private(head: _Head) -> None:
    assert head.meta["robots"] == ["noindex"]
    assert head.canonical == []
    assert not [key for key in head.meta if key.startswith(("og:", "twitter:"))]


async def test_a_job_page_describes_the_job_and_shares_the_site_card(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    response = await client.get(job["url"], headers={"host": "evil.example"})
    head = head_of(response)
    assert_indexable(head, f"{BASE}{job['url']}")  # BASE_URL, never the Host asked for
    description = tag(head, "description")
    assert description.startswith("Front Desk Manager at Coral Reef Resort, New Providence: Full-time")
    assert len(description) <= 200
    assert tag(head, "og:description") == tag(head, "twitter:description") == description
    assert tag(head, "og:title") == tag(head, "twitter:title") == "Front Desk Manager at Coral Reef Resort"
    # No logo: the site's wide card.
    assert tag(head, "og:image").startswith(f"{BASE}/static/share-card.png?v=")
    assert tag(head, "twitter:image") == tag(head, "og:image")
    assert tag(head, "twitter:card") == "summary_large_image"


async def test_a_company_with_a_logo_shares_the_logo(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    logo = await add_upload(runtime, employer, UploadPurpose.COMPANY_LOGO)
    path = f"/api/companies/{company['slug']}"
    changed = await client.patch(path, json={"logo_upload_id": str(logo)}, headers=employer.headers)
    logo_url = changed.json()["company"]["logo_url"]
    job = await post_job(client, employer, company["slug"])
    for path in (f"/companies/{company['slug']}", job["url"]):
        head = head_of(await client.get(path))
        assert tag(head, "og:image") == f"{BASE}{logo_url}"
        assert tag(head, "twitter:card") == "summary"
    company_head = head_of(await client.get(f"/companies/{company['slug']}"))
    assert tag(company_head, "description").startswith("Coral Reef Resort, New Providence: the company")


async def test_a_search_is_canonical_with_its_filters_but_not_its_cursor(client: httpx.AsyncClient) -> None:
    # (The empty filter is first dropped by a redirect.)
    head = head_of(await client.get("/jobs?q=chef&island=&cursor=abc", follow_redirects=True))
    assert_indexable(head, f"{BASE}/jobs?q=chef")
    assert tag(head, "description").startswith("Open jobs for “chef” in the Bahamas")
    assert_indexable(head_of(await client.get("/jobs")), f"{BASE}/jobs")


async def test_a_profile_describes_the_person_unless_they_opted_out(client: httpx.AsyncClient, seeker: Person) -> None:
    body = {"headline": 'Bookkeeper <and> "QuickBooks" pro', "bio": "Ten years in Nassau."}
    assert (await client.patch("/api/users/me", json=body, headers=seeker.headers)).status_code == 200
    assert seeker.user is not None
    path = f"/u/{seeker.user['username']}"
    response = await client.get(path)
    head = head_of(response)
    assert_indexable(head, f"{BASE}{path}")
    assert tag(head, "description") == 'Sam Rolle, Bookkeeper <and> "QuickBooks" pro. Ten years in Nassau.'
    assert "&lt;and&gt; &#34;QuickBooks&#34;" in response.text or "&lt;and&gt; &quot;QuickBooks&quot;" in response.text

    off = {"search_engine_indexing": False}
    assert (await client.patch("/api/users/me", json=off, headers=seeker.headers)).status_code == 200
    assert_private(head_of(await client.get(path)))


@pytest.mark.parametrize(
    "path",
    ["/account", "/account/billing", "/messages", "/notifications", "/applications", "/profile/edit", "/jobs/alerts"],
)
async def test_signed_in_pages_are_noindex(client: httpx.AsyncClient, seeker: Person, path: str) -> None:
    response = await client.get(path, headers=seeker.headers)
    assert response.status_code == 200, path
    assert_private(head_of(response))


async def test_public_pages_stay_indexable_for_a_signed_in_reader(client: httpx.AsyncClient, seeker: Person) -> None:
    head = head_of(await client.get("/pricing", headers=seeker.headers))
    assert_indexable(head, f"{BASE}/pricing")
    assert tag(head, "description").startswith("HireMeBahamas plans and prices")


async def test_errors_and_staff_pages_are_noindex(client: httpx.AsyncClient, runtime: Runtime) -> None:
    missing = await client.get("/jobs/00000000-0000-0000-0000-000000000000-gone")
    assert missing.status_code == 404
    assert_private(head_of(missing))
    admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)
    staff = await client.get("/admin", headers=admin.headers)
    assert_private(head_of(staff))


async def test_an_expired_job_is_still_described(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    await set_job(runtime, job["id"], valid_through=utcnow())
    head = head_of(await client.get(job["url"]))
    assert tag(head, "description").startswith("Front Desk Manager at Coral Reef Resort")
