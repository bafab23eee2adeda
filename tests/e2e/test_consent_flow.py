"""Cookie consent in the browser, watched on the network: with GA4 configured nothing leaves the
site before a choice, the tag is requested only after Accept, never after Reject; without a
non-essential service there is no banner. Google's host is answered by Playwright (no internet
needed): what matters is when the page asks for it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import NewPage
from tests.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.e2e

GA_HOST = "https://www.googletagmanager.com"


@pytest.fixture(scope="module")
def ga_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second app with the GA4 tag configured."""
    server = start_live_server(tmp_path_factory.mktemp("e2e-consent"), {"GA_TRACKING_ID": "G-E2ETEST"})
    try:
        yield server
    finally:
        server.stop()


def _watched(page: Page, server: LiveServer) -> list[str]:
    """Every request the page makes to another host than the site's."""
    foreign: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(server.url) else foreign.append(request.url))

    def stub(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body="/* gtag stand-in */")

    page.route(f"{GA_HOST}/**", stub)
    return foreign


def test_nothing_loads_before_consent_and_the_tag_only_after_accept(new_page: NewPage, ga_server: LiveServer) -> None:
    page = new_page(ga_server)
    foreign = _watched(page, ga_server)
    page.goto("/jobs")
    banner = page.get_by_role("region", name="Cookies on HireMeBahamas")
    expect(banner).to_be_visible()
    page.goto("/terms")  # a second page: still asked, still nothing from elsewhere
    expect(banner).to_be_visible()
    assert foreign == []

    with page.expect_request(re.compile(r"^https://www\.googletagmanager\.com/gtag/js\?id=G-E2ETEST")):
        banner.get_by_role("button", name="Accept").click()
    expect(banner).to_be_hidden()
    assert all(url.startswith(GA_HOST) for url in foreign)
    page.goto("/jobs")  # every later page loads it too, without asking again
    expect(banner).to_be_hidden()
    assert len(foreign) >= 2


def test_after_reject_nothing_is_requested_and_settings_reopen_the_choice(
    new_page: NewPage, ga_server: LiveServer
) -> None:
    page = new_page(ga_server)
    foreign = _watched(page, ga_server)
    page.goto("/jobs")
    banner = page.get_by_role("region", name="Cookies on HireMeBahamas")
    banner.get_by_role("button", name="Reject").click()
    expect(banner).to_be_hidden()
    page.goto("/pricing")
    page.reload()
    expect(banner).to_be_hidden()
    assert foreign == []

    page.get_by_role("link", name="Cookie settings").click()  # the footer opens it again
    expect(banner).to_be_visible()
    expect(banner.get_by_text("You chose to reject optional cookies.")).to_be_visible()
    with page.expect_request(re.compile(r"^https://www\.googletagmanager\.com/")):
        banner.get_by_role("button", name="Accept").click()


def test_without_an_analytics_service_there_is_no_banner(new_page: NewPage, live_server: LiveServer) -> None:
    page = new_page()
    foreign = _watched(page, live_server)
    page.goto("/jobs")
    expect(page.get_by_role("link", name="Terms")).to_be_visible()
    assert page.get_by_role("region", name="Cookies on HireMeBahamas").count() == 0
    assert page.get_by_role("link", name="Cookie settings").count() == 0
    assert foreign == []
