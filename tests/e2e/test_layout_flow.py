"""The layout at a desktop (1280x800), a small laptop (1024x768) and a phone (390x844): no page is
wider than the screen (tables turn into cards on the phone), the header keeps one row when the
unread badges appear and a badge moves nothing, the footer keeps its side padding, and a
checkbox sits beside its label."""

from __future__ import annotations

from itertools import pairwise

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import NewPage
from tests.e2e.world import PHONE, VIEWPORTS, World, make_world
from tests.live_server import LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(browser: Browser, live_server: LiveServer) -> World:
    return make_world(browser, live_server)


def _fits_the_screen(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


def _visit_all(page: Page, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None
        assert response.ok, f"{path}: {response.status}"
        _fits_the_screen(page)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_no_page_is_wider_than_the_screen(new_page: NewPage, world: World, size: str) -> None:
    viewport = VIEWPORTS[size]
    _visit_all(new_page(viewport=viewport), world.anonymous_pages)
    _visit_all(new_page(viewport=viewport, storage_state=world.seeker), world.seeker_pages)
    _visit_all(new_page(viewport=viewport, storage_state=world.employer), world.employer_pages)


def test_tables_become_cards_on_a_phone(new_page: NewPage, world: World) -> None:
    page = new_page(viewport=PHONE, storage_state=world.seeker)
    page.goto("/applications")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Reef Guide"))
    expect(row).to_be_visible()
    # Each cell on a line of its own, named by its column.
    assert page.locator("thead").evaluate("head => getComputedStyle(head).position") == "absolute"
    box = row.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    page.goto("/account")
    this_device = page.get_by_role("row").filter(has_text="This device")
    expect(this_device).to_contain_text("Chrome on Linux")
    _fits_the_screen(page)


def _header_rows(page: Page) -> int:
    """How many rows the header's brand and shown links take (their vertical centres, 12 px apart or more).

    An entry folded away at this width has an empty box at the top of the page and is in no row.
    """
    tops = page.evaluate(
        """() => [document.querySelector('.brand'), ...document.querySelectorAll('#site-nav > ul > li')]
                 .map(item => item.getBoundingClientRect()).filter(box => box.width > 0)
                 .map(box => box.top + box.height / 2)"""
    )
    centres = sorted(tops)
    return 1 + sum(1 for above, below in pairwise(centres) if below - above > 12)


def _header_overhang(page: Page) -> float:
    """How far the header's entries reach past its container's right edge (0 or less: they fit)."""
    return float(
        page.evaluate(
            """() => { const inner = document.querySelector('.site-header__inner').getBoundingClientRect();
                      const style = getComputedStyle(document.querySelector('.site-header__inner'));
                      const edge = inner.right - parseFloat(style.paddingRight);
                      const ends = [...document.querySelectorAll('#site-nav > ul > li')]
                          .map(item => item.getBoundingClientRect()).filter(box => box.width > 0).map(box => box.right);
                      return Math.max(...ends) - edge; }"""
        )
    )


def _show_badges(page: Page, count: str) -> None:
    """What static/js/live.js does when unread messages and notifications arrive."""
    page.evaluate(
        """count => document.querySelectorAll('[data-live-badge]').forEach(badge => {
               badge.querySelector('[data-live-count]').textContent = count; badge.hidden = false; })""",
        count,
    )


@pytest.mark.parametrize("size", ["desktop", "laptop"])
@pytest.mark.parametrize("who", ["seeker", "employer"])
def test_the_header_keeps_one_row_and_a_badge_moves_nothing(
    new_page: NewPage, world: World, size: str, who: str
) -> None:
    page = new_page(viewport=VIEWPORTS[size], storage_state=getattr(world, who))
    page.goto("/jobs")
    main_top = page.locator("main").evaluate("main => main.getBoundingClientRect().top")
    assert _header_rows(page) == 1
    _show_badges(page, "99+")
    expect(page.locator("[data-live-badge]").first).to_be_visible()
    assert _header_rows(page) == 1
    assert page.locator("main").evaluate("main => main.getBoundingClientRect().top") == main_top
    assert _header_overhang(page) <= 0.5, "the header's last entry reaches past the page's edge"
    _fits_the_screen(page)


def test_the_footer_has_side_padding_on_a_phone(page: Page, new_page: NewPage) -> None:
    phone = new_page(viewport=PHONE)
    phone.goto("/jobs")
    footer = phone.get_by_role("contentinfo")
    for item in (footer.get_by_text("© HireMeBahamas"), footer.get_by_role("link", name="Jobs")):
        box = item.bounding_box()
        assert box is not None
        assert box["x"] >= 16
        assert box["x"] + box["width"] <= PHONE["width"] - 16


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_available_for_hire_checkbox_sits_beside_its_label(new_page: NewPage, world: World, size: str) -> None:
    page = new_page(viewport=VIEWPORTS[size], storage_state=world.seeker)
    page.goto("/profile/edit")
    checkbox = page.get_by_role("checkbox", name="Available for hire")
    label = page.locator(f"label[for='{checkbox.get_attribute('id')}']")
    box, label_box = checkbox.bounding_box(), label.bounding_box()
    assert box is not None
    assert label_box is not None
    assert box["x"] + box["width"] <= label_box["x"]  # on its left
    assert label_box["y"] <= box["y"] + box["height"] / 2 <= label_box["y"] + label_box["height"]  # same line


@pytest.mark.parametrize("javascript", [True, False])
def test_the_phone_menu_is_shut_from_the_first_paint_and_open_without_javascript(
    new_page: NewPage, world: World, javascript: bool
) -> None:
    page = new_page(viewport=PHONE, storage_state=world.seeker, javascript=javascript)
    page.goto("/jobs")
    nav_links = page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages")
    menu = page.locator("header").get_by_role("button", name="Menu")
    if javascript:
        # Shut from the start: the script opening it moves nothing that was already painted.
        expect(menu).to_be_visible()
        expect(nav_links).to_be_hidden()
        shifts = page.evaluate(
            """() => new Promise(done => {
                   // The shifts so far arrive at once (buffered); none at all: nothing arrives.
                   new PerformanceObserver(list => done(list.getEntries().reduce((sum, e) => sum + e.value, 0)))
                       .observe({type: "layout-shift", buffered: true});
                   setTimeout(() => done(0), 500);
               })"""
        )
        assert shifts < 0.05, f"the page's layout shifted by {shifts}"
        menu.click()
        expect(nav_links).to_be_visible()
    else:
        expect(menu).to_be_hidden()  # it could not open anything
        expect(nav_links).to_be_visible()
