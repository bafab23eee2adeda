"""Join, confirm the email, log in and out, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import (
    MOBILE,
    email_link,
    field,
    fill_login_form,
    fill_register_form,
    main_nav,
    new_person,
    open_latest_email,
    register,
)

pytestmark = pytest.mark.e2e


def test_join_confirm_email_log_in_and_out(page: Page) -> None:
    person = new_person("Shanice", "Ferguson")

    page.goto("/")
    main_nav(page).get_by_role("link", name="Join now").click()
    expect(page).to_have_url("/register")
    expect(page.get_by_role("heading", name="Join HireMeBahamas")).to_be_visible()
    fill_register_form(page, person)
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(person.email)

    open_latest_email(page, person.email)
    expect(page.get_by_role("heading", name="Confirm your email for HireMeBahamas")).to_be_visible()
    expect(page.get_by_role("article")).to_contain_text(f"Hi {person.first_name},")
    email_link(page, "/verify-email").click()
    expect(page.get_by_role("status").filter(has_text="is confirmed")).to_have_text(
        f"{person.email} is confirmed. Welcome, {person.first_name}!"
    )
    expect(main_nav(page).get_by_role("button", name="Log out")).to_be_visible()  # confirming signed in

    open_latest_email(page, person.email)  # the email opened twice
    email_link(page, "/verify-email").click()
    expect(page.get_by_role("main")).to_contain_text(f"{person.email} is already confirmed")
    expect(page.get_by_role("alert")).to_have_count(0)

    main_nav(page).get_by_role("button", name="Log out").click()
    main_nav(page).get_by_role("link", name="Log in").click()
    expect(page).to_have_url("/login")
    fill_login_form(page, person.email, person.password)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name=f"Welcome, {person.first_name}")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Welcome back")).to_have_text(
        f"Welcome back, {person.first_name}."
    )
    expect(main_nav(page).get_by_role("link", name="Account")).to_be_visible()
    expect(page.get_by_text("Please verify your email address")).to_have_count(0)

    main_nav(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status").filter(has_text="logged out")).to_have_text("You are logged out.")
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Account")).to_have_count(0)
    expect(page.get_by_role("heading", name="Work and hire across the Bahamas")).to_be_visible()

    page.goto("/account")  # the session really ended
    expect(page).to_have_url("/login?next=/account")


def test_confirming_on_another_device_then_the_first_login_says_welcome(new_page: NewPage) -> None:
    person = new_person("Keva", "Moss")
    register(new_page(), person)
    phone = new_page()  # the email opened on another device: confirmed, not signed in there
    phone.set_viewport_size(MOBILE)
    open_latest_email(phone, person.email)
    email_link(phone, "/verify-email").click()
    expect(phone.get_by_role("main")).to_contain_text(f"{person.email} is confirmed")
    phone.get_by_role("main").get_by_role("link", name="Log in").click()
    fill_login_form(phone, person.email, person.password)
    expect(phone.get_by_role("status").filter(has_text="Welcome")).to_have_text(f"Welcome, {person.first_name}.")


def test_wrong_password_is_refused_without_revealing_the_account(page: Page) -> None:
    person = new_person("Dwayne", "Knowles")
    register(page, person)

    page.goto("/login")
    fill_login_form(page, person.email, "not-the-right-password-1")
    alert = page.get_by_role("main").get_by_role("alert")
    expect(alert).to_have_text("That email and password do not match an account.")
    expect(field(page, "Email address")).to_have_value(person.email)
    expect(field(page, "Password")).to_have_value("")
    expect(main_nav(page).get_by_role("link", name="Log in")).to_be_visible()

    nobody = new_person("Nobody", "Here")
    fill_login_form(page, nobody.email, "not-the-right-password-1")
    expect(alert).to_have_text("That email and password do not match an account.")
    expect(field(page, "Email address")).to_have_value(nobody.email)
