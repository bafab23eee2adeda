"""Profiles in a real browser: follow someone from their profile, fill in your own profile,
and be found in the talent directory."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import field, main_nav, new_person, signed_up
from tests.profiles.factory import picture

pytestmark = pytest.mark.e2e


def own_profile_path(page: Page) -> str:
    main_nav(page).get_by_role("link", name="Profile").click()
    expect(page).to_have_url(re.compile(r"/u/[a-z0-9-]+$"))
    return page.url.removeprefix(page.url.split("/u/")[0])


def test_follow_someone_from_their_profile(new_page: NewPage) -> None:
    ann_page, bob_page = new_page(), new_page()
    signed_up(ann_page, new_person("Ann", "Rolle"))
    signed_up(bob_page, new_person("Bob", "Moss"))
    bob_path = own_profile_path(bob_page)
    ann_path = own_profile_path(ann_page)

    ann_page.goto(bob_path)
    expect(ann_page.get_by_role("heading", level=1)).to_have_text("Bob Moss")
    counts = ann_page.locator("#follow-box")
    expect(counts.get_by_role("link", name="0 followers")).to_be_visible()
    counts.get_by_role("button", name="Follow").click()
    expect(counts.get_by_role("link", name="1 follower", exact=True)).to_be_visible()
    expect(counts.get_by_role("button", name="Unfollow")).to_be_visible()

    ann_page.reload()  # the follow was stored, not just drawn
    expect(ann_page.locator("#follow-box").get_by_role("link", name="1 follower", exact=True)).to_be_visible()
    ann_page.goto(ann_path)
    expect(ann_page.locator("#follow-box").get_by_role("link", name="1 following")).to_be_visible()

    bob_page.reload()
    followers = bob_page.locator("#follow-box").get_by_role("link", name="1 follower", exact=True)
    followers.click()
    expect(bob_page.get_by_role("heading", name="Followers of Bob Moss")).to_be_visible()
    expect(bob_page.get_by_role("link", name="Ann Rolle")).to_be_visible()

    ann_page.goto(bob_path)
    ann_page.locator("#follow-box").get_by_role("button", name="Unfollow").click()
    expect(ann_page.locator("#follow-box").get_by_role("link", name="0 followers")).to_be_visible()


def test_edit_profile_and_be_found_in_the_talent_directory(page: Page) -> None:
    person = signed_up(page, new_person("Kendra", "Pinder"))
    path = own_profile_path(page)
    page.get_by_role("link", name="Edit profile").click()
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()

    field(page, "Headline").fill("Boat mechanic in George Town")
    field(page, "About").fill("Outboard engines, hulls and electrics. Portfolio: https://example.com/kendra")
    field(page, "Island").select_option(label="Exuma")
    field(page, "Skills").fill("Outboard Repair, fibreglass,  marine electrics")
    field(page, "Available for hire (list me in the talent directory)").check()
    field(page, "Link 1 name").fill("Portfolio")
    field(page, "Link 1 address").fill("https://example.com/kendra")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("status").filter(has_text="saved")).to_have_text("Your profile was saved.")
    expect(page.get_by_text("Boat mechanic in George Town")).to_be_visible()
    expect(page.get_by_text("Available for hire")).to_be_visible()
    skills = page.get_by_role("list", name="Skills")
    expect(skills.get_by_role("listitem")).to_have_text(
        ["outboard repair", "fibreglass", "marine electrics"]
    )  # as typed
    link = page.get_by_role("region", name="Links").get_by_role("link", name="Portfolio")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    expect(link).to_have_attribute("target", "_blank")

    # A bad link is refused with the form kept as typed.
    page.goto("/profile/edit")
    field(page, "Link 2 address").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save profile").click()
    expect(field(page, "Link 2 address")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("main").get_by_role("alert").first).to_be_visible()

    page.goto("/talent")
    field(page, "Skill").fill("Outboard repair")
    field(page, "Island").select_option(label="Exuma")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/talent\?.*skill=Outboard"))
    result = page.get_by_role("article").filter(has=page.get_by_role("link", name=f"{person.first_name} Pinder"))
    expect(result).to_be_visible()
    expect(result).to_contain_text("Boat mechanic in George Town")

    field(page, "Skill").fill("")
    field(page, "Search").fill("electrics mechanic")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=f"{person.first_name} Pinder")).to_be_visible()
    field(page, "Search").fill("astronaut")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No one matches yet")).to_be_visible()


def test_upload_a_profile_picture_and_see_it_on_the_profile(page: Page) -> None:
    person = signed_up(page, new_person("Dario", "Cartwright"))
    path = own_profile_path(page)
    name = f"{person.first_name} {person.last_name}"
    expect(page.get_by_role("img", name=f"Profile picture of {name}")).to_have_text("DC")  # initials until then

    page.goto("/profile/edit")
    picture_form = page.get_by_role("region", name="Profile picture")
    field(picture_form, "Choose a picture").set_input_files(
        {"name": "beach.png", "mimeType": "image/png", "buffer": picture((640, 480))}
    )
    picture_form.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_role("status").filter(has_text="picture")).to_have_text("Your profile picture was updated.")

    page.goto(path)
    avatar = page.get_by_role("img", name=f"Profile picture of {name}")
    expect(avatar).to_have_attribute("src", re.compile(r"^/media/[0-9a-f-]+/thumb$"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=avatar.element_handle())
    assert avatar.evaluate("img => img.naturalWidth") == 256  # the re-encoded thumbnail, not the original
