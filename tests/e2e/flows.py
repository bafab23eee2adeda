"""Steps browser tests share: unique accounts, the register and login forms, the dev outbox.

Everything goes through the UI with role and label locators, the way a person (or a screen
reader) finds things, so a form that loses its labels breaks these tests.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, ViewportSize, expect

PASSWORD = "coral-reef-sunrise-42"
DESKTOP = ViewportSize(width=1280, height=800)
MOBILE = ViewportSize(width=390, height=844)
EMAIL_TIMEOUT = 10.0
"""Seconds to wait for a background email to reach the outbox."""


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str
    password: str = PASSWORD
    account_type: str = "job_seeker"


def new_person(first_name: str = "Ann", last_name: str = "Rolle", account_type: str = "job_seeker") -> Person:
    """Someone with an email address no other test (or earlier run) uses."""
    email = f"{first_name.lower()}.{uuid.uuid4().hex[:12]}@example.com"
    return Person(first_name, last_name, email, PASSWORD, account_type)


def field(scope: Page | Locator, label: str) -> Locator:
    """The form control labelled `label`, exactly.

    Not `get_by_label(label, exact=True)`: Playwright matches the label's whole text, which for
    a required field includes the aria-hidden "*" marker that is not part of the control's
    accessible name. Strict mode still fails when more than one control matches.
    """
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}\W*$"))


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def username_of(page: Page) -> str:
    """The signed-in person's username, read from the main navigation's Profile link."""
    href = main_nav(page).get_by_role("link", name="Profile").get_attribute("href")
    assert href is not None
    assert href.startswith("/u/")
    return href.removeprefix("/u/")


def fill_register_form(page: Page, person: Person) -> None:
    """Fill the form on /register (the page must be open) and submit it."""
    choice = "Hire people" if person.account_type == "employer" else "Find a job"
    field(page.get_by_role("group", name="I want to"), choice).check()
    field(page, "First name").fill(person.first_name)
    field(page, "Last name").fill(person.last_name)
    field(page, "Email address").fill(person.email)
    field(page, "Password").fill(person.password)
    page.get_by_role("checkbox", name="I accept the Terms of Service and the Privacy Policy").check()
    page.get_by_role("button", name="Create account").click()


def register(page: Page, person: Person) -> None:
    page.goto("/register")
    fill_register_form(page, person)
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()


def open_latest_email(page: Page, to: str, subject: str | re.Pattern[str] | None = None) -> None:
    """Open the newest email to `to` (with that subject) in /dev/outbox, waiting for it to arrive."""
    deadline = time.monotonic() + EMAIL_TIMEOUT
    while True:
        page.goto("/dev/outbox")
        rows = page.get_by_role("row").filter(has=page.get_by_role("cell", name=to, exact=True))
        links = rows.get_by_role("link", name=subject)
        if links.count():
            links.first.click()  # newest first
            expect(page.get_by_text(f"To: {to}")).to_be_visible()
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no email to {to} (subject {subject!r}) in the outbox after {EMAIL_TIMEOUT:.0f}s")
        page.wait_for_timeout(100)


def email_link(page: Page, path: str) -> Locator:
    """The link to `path` (e.g. "/verify-email") in the email open in the outbox."""
    # "/" escaped: Playwright passes the pattern on to the page as a /.../ literal.
    pattern = rf"^https?://[^/\s]+{re.escape(path)}\b".replace("/", r"\/")
    return page.get_by_role("article").get_by_role("link", name=re.compile(pattern))


def verify_email(page: Page, person: Person) -> None:
    """Confirm the address; in the browser that registered, this signs in."""
    open_latest_email(page, person.email, "Confirm your email for HireMeBahamas")
    email_link(page, "/verify-email").click()
    expect(page.get_by_role("status").filter(has_text="is confirmed")).to_be_visible()


def fill_login_form(page: Page, email: str, password: str) -> None:
    """Fill the form on /login (the page must be open) and submit it."""
    field(page, "Email address").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def log_in(page: Page, person: Person) -> None:
    page.goto("/login")
    fill_login_form(page, person.email, person.password)
    expect(main_nav(page).get_by_role("button", name="Log out")).to_be_visible()


def signed_up(page: Page, person: Person | None = None) -> Person:
    """A registered, verified and logged-in person in this page's browser context (confirming
    the email in the browser that registered signs in)."""
    person = person or new_person()
    register(page, person)
    verify_email(page, person)
    expect(main_nav(page).get_by_role("button", name="Log out")).to_be_visible()
    return person


def create_company(page: Page, name: str) -> None:
    """An employer's company page, from /companies/new."""
    page.goto("/companies/new")
    field(page, "Company name").fill(name)
    field(page, "Island").select_option(label="New Providence")
    page.get_by_role("button", name="Create company page").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


JOB_DESCRIPTION = "Cook **conch fritters** and cracked conch for our guests.\n\n- Early shifts"


def fill_job_form(page: Page, title: str, description: str = JOB_DESCRIPTION) -> None:
    """Fill /jobs/new (opened here) and press Publish (on a Free plan: "Publish: save and upgrade")."""
    page.goto("/jobs/new")
    field(page, "Job title").fill(title)
    field(page, "Description").fill(description)
    field(page, "Island").select_option(label="New Providence")
    field(page, "Job type").select_option(label="Full-time")
    field(page, "Category").select_option(label="Hospitality and tourism")
    field(page, "From").fill("38000")
    field(page, "To").fill("45000")
    field(page, "Per").select_option(label="per year")
    field(page, "Skills").fill("cooking, food safety")
    page.get_by_role("button", name=re.compile(r"^Publish")).click()


def upgrade_to_business(page: Page) -> None:
    """From where a Free plan's Publish leads (the job kept as a draft): Business, monthly,
    through the local checkout, and back to the job, published."""
    expect(page.get_by_role("heading", name="Publishing jobs needs the Business plan")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Choose Business .*\/month$")).click()
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.get_by_text("Your job is live.")).to_be_visible()
