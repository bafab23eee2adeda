"""A member's own data in a real browser: "Download my data" emails a link to a ZIP holding the
JSON of the account; "Delete my account" signs them out and hides their profile, logging in
offers to restore it, and restoring brings the profile back."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import email_link, field, fill_login_form, new_person, open_latest_email, signed_up, username_of
from tests.live_server import LiveServer

pytestmark = pytest.mark.e2e


def _profile_status(new_page: NewPage, username: str) -> int:
    """The profile page as a new anonymous visitor gets it (a browser that saw it before may
    keep its copy for HTTP_CACHE_MAX_AGE)."""
    response = new_page().goto(f"/u/{username}")
    assert response is not None
    return response.status


def test_download_my_data_emails_a_zip_of_the_account(new_page: NewPage, live_server: LiveServer) -> None:
    page = new_page()
    person = signed_up(page, new_person("Dana", "Data"))
    username = username_of(page)
    page.goto("/account")
    page.get_by_role("button", name="Download my data").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_be_visible()
    open_latest_email(page, person.email, "Your HireMeBahamas data is ready to download")
    link = email_link(page, "/account/export/")
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        [document] = [name for name in names if name.endswith(".json")]
        data = json.loads(archive.read(document))
    assert data["account"]["username"] == username
    assert data["account"]["email"] == person.email
    assert "password_hash" not in json.dumps(data)

    # The link is the owner's: another member signed in cannot use it.
    stranger = new_page()
    signed_up(stranger, new_person("Sid", "Stranger"))
    href = link.get_attribute("href")
    assert href is not None
    response = stranger.goto(href.removeprefix(live_server.url))
    assert response is not None
    assert response.status in (403, 404)


def test_deleting_hides_the_account_and_logging_in_offers_to_restore_it(
    new_page: NewPage, live_server: LiveServer
) -> None:
    page = new_page()
    person = signed_up(page, new_person("Dora", "Leaving"))
    username = username_of(page)
    assert _profile_status(new_page, username) == 200

    page.goto("/account")
    field(page, "Your password").fill("not my password")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That password is not right.").first).to_be_visible()
    field(page, "Your password").fill(person.password)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("deleted")
    assert _profile_status(new_page, username) == 404

    page.goto("/login")
    fill_login_form(page, person.email, person.password)
    expect(page.get_by_role("heading", name="This account is being deleted")).to_be_visible()
    field(page, "Email").fill(person.email)
    field(page, "Password").fill(person.password)
    page.get_by_role("button", name="Restore my account").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert _profile_status(new_page, username) == 200
