"""A small marketplace made once per module through the UI: an employer on Business with a
company and a live job, and a seeker who applied to it (so /applications has a row and the
employer a notification). Its people are kept as signed-in browser states, so each test opens
pages as them without signing in again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from playwright.sync_api import Browser, StorageState, ViewportSize, expect

from tests.e2e.conftest import _PlaywrightLoop
from tests.e2e.flows import create_company, field, fill_job_form, new_person, signed_up, upgrade_to_business
from tests.live_server import LiveServer

DESKTOP = ViewportSize(width=1280, height=800)
LAPTOP = ViewportSize(width=1024, height=768)
PHONE = ViewportSize(width=390, height=844)
VIEWPORTS = {"desktop": DESKTOP, "laptop": LAPTOP, "phone": PHONE}
"""The sizes the layout and accessibility tests look at pages in."""


@dataclass(frozen=True)
class World:
    employer: StorageState
    seeker: StorageState
    seeker_username: str
    company_slug: str
    job_path: str

    @property
    def anonymous_pages(self) -> list[str]:
        """The main pages a visitor sees before signing in."""
        pages = ["/", "/jobs", "/jobs?q=guide", "/login", "/register", "/forgot-password", "/pricing", "/help"]
        pages += ["/contact", "/terms", "/privacy", "/talent"]
        return [*pages, self.job_path, f"/companies/{self.company_slug}", f"/u/{self.seeker_username}"]

    @property
    def seeker_pages(self) -> list[str]:
        pages = ["/", "/jobs", "/applications", "/account", "/account/billing", "/account/notifications"]
        pages += ["/notifications", "/messages", "/messages/new", "/profile/edit", "/jobs/alerts", "/jobs/for-you"]
        return [*pages, "/talent", f"/u/{self.seeker_username}", self.job_path]

    @property
    def employer_pages(self) -> list[str]:
        job = f"/jobs/{self.job_path.removeprefix('/jobs/')[:36]}"  # the id of /jobs/<id>-<slug>
        pages = ["/", "/employer", "/jobs/new", "/notifications", "/account", f"/companies/{self.company_slug}/edit"]
        return [*pages, self.job_path, f"{job}/applicants", f"{job}/edit", f"{job}/stats"]


def make_world(browser: Browser, server: LiveServer) -> World:
    marker = "zq" + uuid.uuid4().hex[:8]
    title = f"Reef Guide {marker}"
    with _PlaywrightLoop.marked():
        employer = browser.new_context(base_url=server.url, locale="en-US", timezone_id="America/Nassau")
        page = employer.new_page()
        signed_up(page, new_person("Bea", "Bain", account_type="employer"))
        create_company(page, f"Blue Hole Tours {marker}")
        company_slug = page.url.rstrip("/").rsplit("/", 1)[-1]
        fill_job_form(page, title)
        upgrade_to_business(page)  # back on the job, published
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        job_path = page.url.removeprefix(server.url)

        seeker = browser.new_context(base_url=server.url, locale="en-US", timezone_id="America/Nassau")
        seeker_page = seeker.new_page()
        signed_up(seeker_page, new_person("Sam", "Sands"))
        seeker_page.goto(job_path)
        field(seeker_page, "Cover letter").fill("I know every reef off Andros.")
        field(seeker_page, "No CV").check()
        seeker_page.get_by_role("button", name="Send application").click()
        expect(seeker_page.locator(".application-stage")).to_have_text("Stage: Applied")
        href = seeker_page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile")
        username = (href.get_attribute("href") or "").removeprefix("/u/")

        world = World(employer.storage_state(), seeker.storage_state(), username, company_slug, job_path)
        employer.close()
        seeker.close()
    return world
