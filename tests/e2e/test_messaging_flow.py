"""Two people in two browsers: one writes, the other sees the message and the notification
badge arrive without reloading; typing and "Seen" travel back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import field, main_nav, new_person, signed_up

pytestmark = pytest.mark.e2e


def badge(page: Page, kind: str) -> Locator:
    return main_nav(page).locator(f'[data-live-badge="{kind}"]')


def test_a_message_and_its_notification_arrive_live(new_page: NewPage) -> None:
    anna_page, ben_page = new_page(), new_page()
    signed_up(anna_page, new_person("Anna", "Cartwright"))
    signed_up(ben_page, new_person("Ben", "Ferguson"))
    ben_profile = main_nav(ben_page).get_by_role("link", name="Profile").get_attribute("href")
    assert ben_profile is not None
    ben_username = ben_profile.rsplit("/", 1)[-1]

    ben_page.goto("/messages")
    expect(ben_page.get_by_role("heading", name="Messages", exact=True)).to_be_visible()
    expect(ben_page.get_by_text("No messages yet.")).to_be_visible()
    expect(badge(ben_page, "notifications")).to_be_hidden()
    ben_page.evaluate("window.__notReloaded = true")

    anna_page.goto("/messages")
    anna_page.get_by_role("link", name="New message").click()
    field(anna_page, "To").fill("ben fer")  # found by name as it is typed
    anna_page.get_by_role("list", name="People named like that").get_by_role("link", name="Ben Ferguson").click()
    expect(anna_page).to_have_url(f"/messages/new?to={ben_username}")
    expect(anna_page.locator(".recipient-chosen")).to_contain_text("To: Ben Ferguson")
    field(anna_page, "Message").fill("Hi Ben, is the chef job still open?")
    anna_page.get_by_role("button", name="Send").click()
    expect(anna_page.get_by_role("heading", name="Ben Ferguson")).to_be_visible()
    expect(anna_page.get_by_text("Hi Ben, is the chef job still open?")).to_be_visible()

    # Ben's page updates by itself: the inbox and both nav badges.
    expect(badge(ben_page, "notifications")).to_be_visible()
    expect(badge(ben_page, "notifications")).to_contain_text("1")
    expect(badge(ben_page, "conversations")).to_contain_text("1")
    conversation = ben_page.get_by_role("link", name="Anna Cartwright")
    expect(conversation).to_be_visible()
    expect(ben_page.get_by_text("Hi Ben, is the chef job still open?")).to_be_visible()
    assert ben_page.evaluate("window.__notReloaded === true")

    conversation.click()
    expect(ben_page.get_by_text("Hi Ben, is the chef job still open?")).to_be_visible()
    expect(badge(ben_page, "conversations")).to_be_hidden()
    # Anna sees that Ben read it.
    expect(anna_page.get_by_text("Seen", exact=True)).to_be_visible()

    anna_page.evaluate("window.__notReloaded = true")
    reply = field(ben_page, "Your message")
    reply.press_sequentially("Yes")
    expect(anna_page.get_by_text("Ben is typing…")).to_be_visible()
    reply.fill("Yes! Come by on Monday.")
    ben_page.get_by_role("button", name="Send").click()
    expect(reply).to_have_value("")
    expect(ben_page.get_by_text("Yes! Come by on Monday.")).to_be_visible()
    expect(anna_page.get_by_text("Yes! Come by on Monday.")).to_be_visible()
    expect(anna_page.get_by_text("Ben is typing…")).to_be_hidden()
    assert anna_page.evaluate("window.__notReloaded === true")
    # Anna had the conversation open: it was read as it arrived, so no unread badge.
    expect(badge(anna_page, "conversations")).to_be_hidden()
    expect(anna_page.locator(".message").filter(has_text=re.compile("Come by on Monday"))).to_have_count(1)
