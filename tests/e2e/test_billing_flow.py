"""Subscribe to Pro through the embedded checkout: the message limit lifts at once; cancel: still
Pro until the period ends."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import field, new_person, signed_up, username_of

pytestmark = pytest.mark.e2e


def _send(page: Page, text: str) -> None:
    field(page, "Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def _messages(page: Page) -> Locator:
    return page.locator("[data-message-id]")


def test_subscribe_lifts_the_limit_and_cancel_keeps_pro_until_the_period_ends(new_page: NewPage) -> None:
    bob_page = new_page()
    signed_up(bob_page, new_person("Bob", "Ferguson"))
    bob = username_of(bob_page)
    page = new_page()
    signed_up(page, new_person("Ann", "Rolle"))

    # Free: ten messages a month in conversations you start.
    page.goto(f"/messages/new?to={bob}")
    field(page, "Message").fill("Message 1")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/messages/[0-9a-f-]+"))
    conversation = page.url.split("#")[0]
    for n in range(2, 11):
        _send(page, f"Message {n}")
        expect(_messages(page)).to_have_count(n)
        if n == 8:
            page.reload()  # 8 of 10 used: the page says so
            expect(page.get_by_role("status").filter(has_text="You have used 8 of your 10 messages")).to_be_visible()
    _send(page, "Message 11")
    expect(page.get_by_text(re.compile(r"Upgrade to Pro \(\$9\.99/month\)"))).to_be_visible()
    expect(page.get_by_role("button", name="Upgrade to Pro")).to_be_visible()  # the way past the limit
    expect(field(page, "Your message")).to_have_value("Message 11")  # and the text kept
    expect(_messages(page)).to_have_count(10)

    # The pricing page's toggle, then Pro monthly through the local checkout.
    page.goto("/pricing")
    pro = page.get_by_role("region", name="Pro")
    page.get_by_text("Yearly (2 months free)").click()
    expect(pro.get_by_text("$99", exact=True)).to_be_visible()
    expect(pro.get_by_role("button", name="Choose Pro · $9.99/month")).to_be_hidden()
    page.get_by_text("Monthly", exact=True).click()
    pro.get_by_role("button", name="Choose Pro · $9.99/month").click()
    expect(page.get_by_role("heading", name="HireMeBahamas Pro")).to_be_visible()
    page.get_by_role("button", name="Pay $9.99/month").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Your plan: Pro"))).to_be_visible()

    # The limit is lifted at once.
    page.goto(conversation)
    _send(page, "Message 11")
    expect(_messages(page)).to_have_count(11)

    # Cancel: still Pro until the end of the period.
    page.goto("/account/billing")
    page.get_by_role("link", name="Cancel plan").click()
    expect(page.get_by_role("heading", name="Cancel Pro?")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"You keep Pro until \d{1,2} \w{3} \d{4}, the end"))
    page.get_by_role("link", name="Keep Pro").click()  # changing one's mind changes nothing
    expect(page.locator(".plan-status")).to_have_text(re.compile(r"^Next bill"))
    page.get_by_role("link", name="Cancel plan").click()
    page.get_by_role("button", name="Yes, cancel Pro").click()
    expect(page.locator(".plan-status")).to_have_text(re.compile(r"^Pro until \d{1,2} \w{3} \d{4}\."))
    expect(page.get_by_role("button", name="Reactivate Pro")).to_be_visible()
    me = page.request.get("/api/subscriptions/me").json()
    assert (me["tier"], me["cancel_at_period_end"]) == ("pro", True)
    page.goto(conversation)
    _send(page, "Message 12")
    expect(_messages(page)).to_have_count(12)
