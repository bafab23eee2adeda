"""The marketplace in a real browser: an employer creates the company page and publishes a job
(Free: kept as a draft through the Business checkout, then published); a seeker finds it by
search and applies with a CV; the employer reads the application, opens the CV in the browser
and moves the application straight to interview; the seeker sees "Interview" on My applications."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import create_company, field, fill_job_form, new_person, signed_up, upgrade_to_business
from tests.uploads.files import pdf

pytestmark = pytest.mark.e2e


def test_employer_posts_seeker_applies_employer_interviews(new_page: NewPage) -> None:
    marker = "zq" + uuid.uuid4().hex[:8]  # a word only this run's job contains
    title = f"Conch Chef {marker}"
    company_name = f"Conch Shack {marker}"

    # The employer: a company page, then the first posting, published once Business is paid for.
    employer = new_page()
    signed_up(employer, new_person("Bea", "Bain", account_type="employer"))
    create_company(employer, company_name)
    fill_job_form(employer, title)
    upgrade_to_business(employer)
    expect(employer.get_by_role("heading", name=title, level=1)).to_be_visible()

    # The seeker finds it by search and applies with a CV.
    seeker = new_page()
    signed_up(seeker, new_person("Sam", "Sands"))
    seeker.goto("/jobs")
    field(seeker, "Keywords").fill(f"chefs {marker}")  # stemmed: "chefs" finds "Chef"
    seeker.get_by_role("button", name="Search").click()
    seeker.get_by_role("link", name=title).click()
    expect(seeker.get_by_role("heading", name=title, level=1)).to_be_visible()
    field(seeker, "Cover letter").fill("Ten years on the line at Arawak Cay.")
    field(seeker, "Upload a CV").check()
    field(seeker, "CV file").set_input_files(
        {"name": "sam-sands-cv.pdf", "mimeType": "application/pdf", "buffer": pdf()}
    )
    expect(field(seeker, "Save it on my profile for next time")).to_be_checked()
    seeker.get_by_role("button", name="Send application").click()
    expect(seeker.get_by_role("heading", name=title, level=1)).to_be_visible()  # back on the job
    expect(seeker.locator(".application-stage")).to_have_text("Stage: Applied")
    seeker.get_by_role("link", name="My applications").first.click()
    row = seeker.get_by_role("row").filter(has=seeker.get_by_role("link", name=title))
    expect(row.get_by_text("Applied", exact=True)).to_be_visible()

    # The employer reads the application, downloads the CV, and moves it along.
    employer.goto(f"/jobs?q={marker}")
    employer.get_by_role("link", name=title).click()
    employer.get_by_role("link", name="Applicants").click()
    expect(employer.get_by_role("heading", name="Sam Sands")).to_be_visible()
    expect(employer.get_by_text("Ten years on the line at Arawak Cay.")).to_be_visible()  # readable at once
    cv_link = employer.get_by_role("link", name=re.compile(r"^Open CV"))
    expect(cv_link).to_have_attribute("target", "_blank")
    href = cv_link.get_attribute("href")
    assert href is not None
    opened = employer.request.get(href)  # the browser's session: what the new tab receives
    assert opened.ok
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("inline")  # shown by the browser, not saved
    field(employer, "Move to").select_option(label="Interview")  # straight there: one move, one email
    employer.get_by_role("button", name=re.compile(r"^Update status")).click()
    expect(employer.get_by_text("Sam Sands: Interview.")).to_be_visible()

    # The seeker sees the interview, on My applications and on the job's page.
    seeker.goto("/applications")
    row = seeker.get_by_role("row").filter(has=seeker.get_by_role("link", name=title))
    expect(row.get_by_text("Interview", exact=True)).to_be_visible()
    row.get_by_role("link", name=title).click()
    expect(seeker.locator(".application-stage")).to_have_text("Stage: Interview")
    # The CV was kept on the profile.
    seeker.goto("/profile/edit")
    expect(seeker.get_by_role("link", name="sam-sands-cv.pdf")).to_be_visible()
