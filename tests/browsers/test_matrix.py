"""The seven flows of the operator checklist on each engine and size (`make test-browsers`), and
that each engine reports the page errors the flows are checked for."""

from __future__ import annotations

import time

import pytest

from tests.browsers import scenario
from tests.browsers.cast import Cast
from tests.browsers.driver import TIMEOUT

# e2e too: `make test-fast` leaves out the browser tests by that marker.
pytestmark = [pytest.mark.browsers, pytest.mark.e2e]


def test_register_verify_and_log_in(cast: Cast) -> None:
    scenario.register_verify_log_in(cast)


def test_post_like_and_comment(cast: Cast) -> None:
    scenario.post_like_comment(cast)


def test_upload_a_profile_picture(cast: Cast) -> None:
    scenario.upload_profile_picture(cast)


def test_a_message_is_seen_live(cast: Cast) -> None:
    scenario.message_seen_live(cast)


def test_apply_to_a_job_and_the_employer_is_notified(cast: Cast) -> None:
    scenario.apply_employer_notified(cast)


def test_subscribe_to_pro_unlocks_unlimited_messages(cast: Cast) -> None:
    scenario.subscribe_pro(cast)


def test_cancel_keeps_pro_until_the_period_ends(cast: Cast) -> None:
    scenario.cancel_downgrade_at_period_end(cast)


def test_a_page_error_fails_the_flows_on_this_engine(cast: Cast) -> None:
    """What the flows count as a broken page is seen on this engine: a console error and an
    uncaught exception (thrown later, from a timer) both reach the console log the checks read."""
    window = cast.window("probe")
    try:
        window.goto("/")
        window.evaluate(
            "console.error('matrix probe: console'); setTimeout(() => { throw new Error('matrix probe: uncaught'); });"
        )
        wanted = ("matrix probe: console", "matrix probe: uncaught")
        deadline = time.monotonic() + TIMEOUT
        while not all(any(text in line for line in window.console_errors()) for text in wanted):
            assert time.monotonic() < deadline, f"not both of {wanted} in {window.console()}"
            window.evaluate("return null;")  # a round trip, for the engine to report what the page logged
            time.sleep(0.1)
    finally:
        cast.close_window("probe")  # its errors were meant: they are not this test's to fail on
