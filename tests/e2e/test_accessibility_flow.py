"""axe-core (tests/e2e/vendor) over every main page, signed out, as a job seeker and as an
employer, on a desktop and on a phone: no violation of WCAG 2.2 A and AA or axe's best
practices."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import NewPage
from tests.e2e.world import DESKTOP, PHONE, World, make_world
from tests.live_server import LiveServer

pytestmark = pytest.mark.e2e

SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def world(browser: Browser, live_server: LiveServer) -> World:
    return make_world(browser, live_server)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("who", ["anonymous", "seeker", "employer"])
def test_every_main_page_passes_axe(new_page: NewPage, world: World, who: str, size: str) -> None:
    state = None if who == "anonymous" else getattr(world, who)
    page = new_page(viewport=SIZES[size], storage_state=state)
    found: list[str] = []
    for path in getattr(world, f"{who}_pages"):
        response = page.goto(path)
        assert response is not None
        assert response.ok, f"{path}: {response.status}"
        if violations := axe_violations(page):
            found.append(f"{path}:\n" + "\n".join(violations))
    assert not found, f"axe found problems ({who}, {size}):\n" + "\n".join(found)
