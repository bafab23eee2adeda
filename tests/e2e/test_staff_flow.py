"""The staff area in a real browser: a reported post removed from the reports queue, a scam job
flagged and taken down, a member suspended and reinstated, and two-step verification for staff
(set up, signed in with a code and with a recovery code; the staff area refused without it when
STAFF_REQUIRE_TOTP is on). Staff roles come from `hiremebahamas grant-role`, as in production."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Locator, Page, expect

from hiremebahamas.accounts.second_factor import WRONG_CODE
from tests.e2e.conftest import NewPage
from tests.e2e.flows import (
    Person,
    create_company,
    field,
    fill_job_form,
    fill_login_form,
    log_in,
    main_nav,
    new_person,
    signed_up,
    upgrade_to_business,
    username_of,
)
from tests.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.e2e


def _staff(page: Page, server: LiveServer, first_name: str = "Mona") -> Person:
    """A signed-up member made a moderator from the command line."""
    person = signed_up(page, new_person(first_name, "Dean"))
    server.cli("grant-role", "--username", username_of(page), "--role", "moderator")
    return person


def _status(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None
    return response.status


def _notification(page: Page, text: str | re.Pattern[str]) -> Locator:
    page.goto("/notifications")
    return page.get_by_role("listitem").filter(has_text=text)


def _log_out(page: Page) -> None:
    main_nav(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def test_a_reported_post_is_removed_from_the_queue(new_page: NewPage, live_server: LiveServer) -> None:
    text = f"Cheap followers for sale {uuid.uuid4().hex[:8]}"
    author = new_page()
    signed_up(author, new_person("Ann", "Author"))
    author.goto("/")
    field(author, "Your post").fill(text)
    author.get_by_role("button", name="Post", exact=True).click()
    expect(author.get_by_role("status").filter(has_text="Your post is live.")).to_be_visible()
    # The post's time links to its page.
    when = re.compile(r"^(just now|\d+ min ago)$")
    post_link = author.get_by_role("article").filter(has_text=text).get_by_role("link", name=when)
    post_path = post_link.get_attribute("href")
    assert post_path is not None

    # A seeker reports it from the post's card.
    reporter = new_page()
    signed_up(reporter, new_person("Rex", "Reporter"))
    reporter.goto(post_path)
    reporter.get_by_role("article").filter(has_text=text).get_by_role("link", name="Report post").click()
    expect(reporter.get_by_role("heading", name="Report this post")).to_be_visible()
    field(reporter, "What is wrong?").fill("Spam: selling followers")
    reporter.get_by_role("button", name="Send report").click()
    expect(reporter.get_by_text("Thank you. Our moderators will review your report.")).to_be_visible()

    # A moderator finds it in the queue, with the post's text, and removes it.
    moderator = new_page()
    _staff(moderator, live_server)
    moderator.goto("/admin")
    moderator.get_by_role("link", name="Reports").first.click()
    entry = moderator.get_by_role("article").filter(has_text=text)
    expect(entry.get_by_text("Spam: selling followers")).to_be_visible()
    field(entry, "Resolve with").select_option("remove_content")
    field(entry, "Note for the author (optional)").fill("No selling followers here.")
    entry.get_by_role("button", name="Resolve").click()
    expect(moderator.get_by_text("Resolved; the reporters and the author are told.")).to_be_visible()
    expect(moderator.get_by_role("article").filter(has_text=text)).to_have_count(0)

    # Its author still sees it, marked; everyone else gets a 404.
    author.goto(post_path)
    expect(author.get_by_text("Removed by moderators: only you can see this post.")).to_be_visible()
    assert _status(reporter, post_path) == 404
    expect(_notification(author, "Moderators removed your post: No selling followers here.")).to_be_visible()
    expect(_notification(reporter, "moderators looked into what you reported and took action")).to_be_visible()


def test_a_scam_job_is_flagged_and_taken_down(new_page: NewPage, live_server: LiveServer) -> None:
    marker = "zq" + uuid.uuid4().hex[:8]
    title = f"Data Entry Clerk {marker}"
    employer = new_page()
    signed_up(employer, new_person("Eve", "Employer", account_type="employer"))
    create_company(employer, f"Quick Cash Ltd {marker}")
    scam = (
        "Work from home, no experience needed. Applicants must pay a registration fee of $50 before "
        "starting. Contact us on WhatsApp at +1 242 555 0100."
    )
    fill_job_form(employer, title, scam)
    upgrade_to_business(employer)
    expect(employer.get_by_role("heading", name=title, level=1)).to_be_visible()
    job_path = employer.url.removeprefix(live_server.url)

    # The rules flagged it: it waits in the moderators' queue.
    moderator = new_page()
    _staff(moderator, live_server)
    moderator.goto("/admin/jobs")
    card = moderator.get_by_role("article").filter(has=moderator.get_by_role("link", name=title))
    expect(card.get_by_text("fee", exact=False).first).to_be_visible()
    field(card, "Reason (the employer sees it)").fill("Asks applicants for money.")
    card.get_by_role("button", name="Take down").click()
    expect(moderator.get_by_text(f"“{title}” is taken down; its team is told why.")).to_be_visible()

    # Its team sees why; seekers no longer find it.
    employer.goto(job_path)
    expect(employer.get_by_text("Moderators took this job down: Asks applicants for money.")).to_be_visible()
    expect(_notification(employer, f"Moderators took down {title}: Asks applicants for money.")).to_be_visible()
    seeker = new_page()
    signed_up(seeker, new_person("Sam", "Seeker"))
    seeker.goto(f"/jobs?q={marker}")
    expect(seeker.get_by_role("link", name=title)).to_have_count(0)
    assert _status(seeker, job_path) == 404


def test_a_suspended_member_is_signed_out_refused_and_hidden(new_page: NewPage, live_server: LiveServer) -> None:
    member_page = new_page()
    member = signed_up(member_page, new_person("Sid", "Suspended"))
    username = username_of(member_page)

    moderator = new_page()
    _staff(moderator, live_server)
    moderator.goto(f"/admin/users?q={username}")
    moderator.get_by_role("row").filter(has_text=f"@{username}").get_by_role("link", name=member.first_name).click()
    field(moderator, "Reason (the person sees it when they try to log in)").fill("Harassing other members.")
    moderator.once("dialog", lambda dialog: dialog.accept())
    moderator.get_by_role("button", name="Suspend").click()
    expect(moderator.get_by_text(f"@{username} is suspended.")).to_be_visible()

    # Their open session ends at the next page; the login says why.
    member_page.goto("/")
    expect(main_nav(member_page).get_by_role("link", name="Log in")).to_be_visible()
    member_page.goto("/login")
    fill_login_form(member_page, member.email, member.password)
    expect(member_page.get_by_text("This account is suspended. Reason: Harassing other members.")).to_be_visible()
    assert _status(new_page(), f"/u/{username}") == 404

    field(moderator, "Note (optional)").fill("Apologised.")
    moderator.get_by_role("button", name="Reinstate").click()
    expect(moderator.get_by_text(f"@{username} is reinstated.")).to_be_visible()
    assert _status(new_page(), f"/u/{username}") == 200
    log_in(member_page, member)


def _code_step(page: Page, code: str) -> None:
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    field(page, "Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_staff_sign_in_with_a_second_factor(new_page: NewPage, live_server: LiveServer) -> None:
    page = new_page()
    person = _staff(page, live_server, "Tess")
    page.goto("/account/two-factor")
    page.get_by_role("button", name="Set it up").click()
    expect(page.locator("svg").first).to_be_visible()  # the QR code, drawn by the server
    secret = page.locator("code").first.inner_text()
    totp = pyotp.TOTP(secret)
    field(page, "Code from the app").fill(totp.now())
    page.get_by_role("button", name="Switch on").click()
    expect(page.get_by_text("Two-step verification is on.")).to_be_visible()
    recovery = page.get_by_role("listitem").locator("code").all_inner_texts()
    assert len(recovery) == 10
    _log_out(page)

    # Password, then a wrong code, then the code of the next step (the one just used is spent).
    page.goto("/login?next=/admin")
    fill_login_form(page, person.email, person.password)
    valid = {totp.at(time.time() + drift) for drift in (-30, 0, 30, 60)}
    _code_step(page, next(code for code in ("000000", "111111", "222222") if code not in valid))
    expect(page.get_by_role("alert").filter(has_text=WRONG_CODE)).to_be_visible()
    _code_step(page, totp.at(time.time() + 30))
    expect(page.get_by_role("heading", name="Staff area")).to_be_visible()
    _log_out(page)

    # A recovery code signs in once.
    page.goto("/login?next=/admin")
    fill_login_form(page, person.email, person.password)
    _code_step(page, recovery[0])
    expect(page.get_by_role("heading", name="Staff area")).to_be_visible()
    _log_out(page)
    page.goto("/login?next=/admin")
    fill_login_form(page, person.email, person.password)
    _code_step(page, recovery[0])
    expect(page.get_by_role("alert").filter(has_text=WRONG_CODE)).to_be_visible()


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second app whose staff area needs two-step verification."""
    server = start_live_server(tmp_path_factory.mktemp("e2e-strict"), {"STAFF_REQUIRE_TOTP": "true"})
    try:
        yield server
    finally:
        server.stop()


def test_the_staff_area_needs_a_second_factor_when_required(new_page: NewPage, strict_server: LiveServer) -> None:
    page = new_page(strict_server)
    _staff(page, strict_server, "Stan")
    assert _status(page, "/admin") == 403
    expect(page.get_by_text(re.compile(r"needs a sign-in confirmed with two-step verification"))).to_be_visible()
    expect(page.get_by_role("heading", name="Two-step verification needed")).to_be_visible()
    page.get_by_role("link", name="Set up two-step verification").click()
    expect(page.get_by_role("button", name="Set it up")).to_be_visible()
    assert not strict_server.errors_since(0)
