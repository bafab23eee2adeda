"""An employer's everyday work in a real browser, at desktop (1280 by 800) and phone (390 by 844)
sizes: a Free employer told up front that publishing needs Business, whose Publish keeps the
job through checkout and comes back to it published; the dashboard with new applicants; the
applicant cards (letter, CV, Message), a move straight to interview, a bulk rejection and a
team note; the company page with one Jobs section; the seeker sees the stage, not the note."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import create_company, field, fill_job_form, main_nav, new_person, signed_up, upgrade_to_business
from tests.uploads.files import pdf

pytestmark = pytest.mark.e2e

SIZES: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 390, "height": 844}}


def _fits_the_screen(page: Page) -> None:
    viewport = page.viewport_size
    assert viewport is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} is {width}px wide on a {viewport['width']}px screen"


def _apply(page: Page, title: str, marker: str, letter: str, cv: bool) -> None:
    page.goto(f"/jobs?q={marker}")
    page.get_by_role("link", name=title).click()
    field(page, "Cover letter").fill(letter)
    if cv:
        field(page, "Upload a CV").check()
        field(page, "CV file").set_input_files({"name": "cv.pdf", "mimeType": "application/pdf", "buffer": pdf()})
    else:
        field(page, "No CV").check()
    page.get_by_role("button", name="Send application").click()
    expect(page.locator(".application-stage")).to_have_text("Stage: Applied")  # back on the job


def _publish_on_free(employer: Page, title: str) -> None:
    """The form says it first; Publish keeps the job and goes through checkout."""
    employer.goto("/jobs/new")
    expect(employer.get_by_text("Publishing a job needs the Business plan.")).to_be_visible()
    fill_job_form(employer, title)
    expect(employer.get_by_text("Your job is saved as a draft", exact=False).first).to_be_visible()
    upgrade_to_business(employer)
    expect(employer.get_by_role("heading", name=title, level=1)).to_be_visible()


def _dashboard(employer: Page, size: str, title: str, company_name: str) -> None:
    """The job with its two new applicants; opening the page marks them seen."""
    if size == "desktop":
        main_nav(employer).get_by_role("link", name="My jobs").click()
    else:
        employer.goto("/employer")
    expect(employer.get_by_role("heading", name="My jobs", level=1)).to_be_visible()
    expect(employer.get_by_text("2 new applicants since your last visit.")).to_be_visible()
    job = employer.get_by_role("article").filter(has=employer.get_by_role("link", name=title))
    expect(job.get_by_text("2 new")).to_be_visible()
    expect(employer.get_by_role("link", name=company_name, exact=True)).to_be_visible()
    _fits_the_screen(employer)
    job.get_by_role("link", name=re.compile(r"^Applicants")).click()


def _card(employer: Page, name: str) -> Locator:
    return employer.get_by_role("article").filter(has=employer.get_by_role("heading", name=name))


def _review(employer: Page) -> None:
    """The cards; Sam straight to interview, Ria ticked and not selected, a note on Sam."""
    expect(employer.get_by_role("heading", name="Applicants", level=1)).to_be_visible()
    stages = employer.get_by_role("navigation", name="Applicants by stage")
    expect(stages.get_by_role("link", name="Applied 2")).to_be_visible()
    sams = _card(employer, "Sam Sands")
    expect(sams.get_by_text("I have guided dives at Dean's Blue Hole for six years.")).to_be_visible()
    expect(sams.get_by_role("link", name=re.compile(r"^Message"))).to_be_visible()
    href = sams.get_by_role("link", name=re.compile(r"^Open CV")).get_attribute("href")
    assert href is not None
    assert employer.request.get(href).headers["content-disposition"].startswith("inline")
    _fits_the_screen(employer)

    field(sams, "Move to").select_option(label="Interview")
    sams.get_by_role("button", name=re.compile(r"^Update status")).click()
    expect(employer.get_by_text("Sam Sands: Interview.")).to_be_visible()
    _card(employer, "Ria Rahming").get_by_role("checkbox", name="Tick Ria Rahming").check()
    field(employer, "Move the ticked applicants to").select_option(label="Not selected")
    employer.get_by_role("button", name="Move ticked applicants").click()
    expect(employer.get_by_text("1 applicant: Not selected.")).to_be_visible()
    expect(stages.get_by_role("link", name="Interview 1")).to_be_visible()
    expect(stages.get_by_role("link", name="Not selected 1")).to_be_visible()
    sams = _card(employer, "Sam Sands")
    sams.get_by_text("Team notes (0)").click()
    field(sams, "Add a note").fill("Strong diver. Ask about night dives.")
    sams.get_by_role("button", name=re.compile(r"^Save note")).click()
    expect(employer.get_by_text("Note added for your team.")).to_be_visible()
    expect(employer.get_by_text("Strong diver. Ask about night dives.")).to_be_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_an_employer_publishes_reviews_and_moves_applicants(new_page: NewPage, size: str) -> None:
    marker = "zq" + uuid.uuid4().hex[:8]
    title = f"Reef Guide {marker}"
    company_name = f"Blue Hole Tours {marker}"
    employer = new_page()
    signed_up(employer, new_person("Bea", "Bain", account_type="employer"))  # the shared steps use the desktop nav
    employer.set_viewport_size(SIZES[size])
    create_company(employer, company_name)
    _publish_on_free(employer, title)

    sam, ria = new_page(), new_page()
    for person, page, letter in (
        (new_person("Sam", "Sands"), sam, "I have guided dives at Dean's Blue Hole for six years."),
        (new_person("Ria", "Rahming"), ria, "Certified lifeguard."),
    ):
        signed_up(page, person)
        page.set_viewport_size(SIZES[size])
        _apply(page, title, marker, letter, cv=page is sam)

    _dashboard(employer, size, title, company_name)
    _review(employer)
    employer.goto("/employer")
    expect(employer.get_by_text("No new applicants since your last visit.")).to_be_visible()

    # The company page: one Jobs section, the job without the company's name repeated on it.
    employer.get_by_role("link", name=company_name, exact=True).click()
    expect(employer.get_by_role("heading", name=re.compile(r"^Jobs"), level=2)).to_have_count(1)
    card = employer.get_by_role("article").filter(has=employer.get_by_role("link", name=title))
    expect(card.get_by_role("link", name=company_name, exact=True)).to_have_count(0)
    _fits_the_screen(employer)

    # Sam sees the interview, never the team's note.
    sam.goto("/applications")
    expect(sam.get_by_text("Interview", exact=True).first).to_be_visible()
    expect(sam.get_by_text("Strong diver")).to_have_count(0)
