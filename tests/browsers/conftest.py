"""The browser matrix (`make test-browsers`): the seven flows of tests/browsers/scenario.py on
every engine at every size, against one live server for the session (tests/e2e's fixtures).

`cast` is parametrized by target (engine and size), session-scoped, so pytest runs all flows of
one target, then closes its windows and moves to the next. A test fails if a page of its target
logged a console error or an uncaught exception, or the server logged an error; on failure a
screenshot and the console log of each open window are saved under test-results/.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browsers.cast import Cast, People
from tests.browsers.chromium import ChromiumWindow
from tests.browsers.devices import DESKTOP, PHONE, TABLET, Device
from tests.browsers.driver import Window
from tests.browsers.firefox import Firefox, FirefoxWindow
from tests.browsers.webkit import WebKitWindow, Xvfb
from tests.e2e import conftest as e2e
from tests.live_server import LiveServer

TARGETS = [
    ("chromium", DESKTOP),
    ("chromium", PHONE),
    ("chromium", TABLET),
    ("firefox", DESKTOP),
    ("firefox", PHONE),
    ("webkit", DESKTOP),
    ("webkit", PHONE),
]
_FIRST_NAMES = ("Shanice", "Dwayne", "Tamika", "Kendra", "Dario", "Latoya", "Marvin")
"""One per target: the employer's notifications tell the seekers apart by name."""
_PACKAGES = ("chromium", "firefox-esr", "webkit2gtk-driver", "libwebkit2gtk-4.1-0")

# The live server, Playwright's Chromium and the server-log check, as tests/e2e has them.
live_server = e2e.live_server
playwright = e2e.playwright
browser = e2e.browser
_playwright_loop_marked = e2e._playwright_loop_marked
_server_log_clean = e2e._server_log_clean


def pytest_report_header() -> str:
    query = ["dpkg-query", "-W", "-f", "${Package} ${Version}, ", *_PACKAGES]
    done = subprocess.run(query, capture_output=True, text=True, check=False)
    return "browsers: " + (done.stdout.rstrip(", ") or done.stderr.strip())


@pytest.fixture(scope="session")
def people() -> People:
    return People()


@pytest.fixture(scope="session")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    home = tmp_path_factory.mktemp("firefox")
    (home / "profile").mkdir()
    instance = Firefox(home / "profile", home / "firefox.log")
    yield instance
    instance.quit()


@pytest.fixture(scope="session")
def xvfb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Xvfb]:
    display = Xvfb(tmp_path_factory.mktemp("xvfb") / "xvfb.log")
    yield display
    display.stop()


def _opener(
    request: pytest.FixtureRequest, engine: str, device: Device, server: LiveServer, logs: Path
) -> Callable[[str], Window[Any]]:
    """How the target opens a person's window; the engine is started on the first target using it."""
    if engine == "chromium":
        chromium: Browser = request.getfixturevalue("browser")
        return lambda label: ChromiumWindow(chromium, server.url, device, label)
    if engine == "firefox":
        firefox: Firefox = request.getfixturevalue("firefox")
        return lambda label: FirefoxWindow(firefox, server.url, device, label)
    display: Xvfb = request.getfixturevalue("xvfb")
    return lambda label: WebKitWindow(
        display.display, server.url, device, label, logs / f"{label.replace(' ', '-')}.log"
    )


@pytest.fixture(scope="session", params=TARGETS, ids=[f"{engine}-{device.name}" for engine, device in TARGETS])
def cast(
    request: pytest.FixtureRequest, live_server: LiveServer, people: People, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cast]:
    engine, device = request.param
    label = f"{engine}-{device.name}"
    files = tmp_path_factory.mktemp(label)
    with e2e._PlaywrightLoop.marked():
        opener = _opener(request, engine, device, live_server, files)
    cast = Cast(label, opener, people, files, _FIRST_NAMES[TARGETS.index(request.param)])
    yield cast
    with e2e._PlaywrightLoop.marked():
        cast.close()


@pytest.fixture(autouse=True)
def _console_clean(cast: Cast, request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when a window of its target logged a console error or an uncaught exception."""
    before = {role: len(window.console_errors()) for role, window in cast.windows.items()}
    yield
    if e2e._failed(request.node):
        return
    errors = [
        f"{window.label}: {line}"
        for role, window in cast.windows.items()
        for line in window.console_errors()[before.get(role, 0) :]
    ]
    if errors:
        pytest.fail("the browser logged errors:\n" + "\n".join(errors))


def _artefacts(item: pytest.Item, cast: Cast) -> list[str]:
    """A screenshot and the console log of each open window, under test-results/."""
    saved = []
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)
    directory = item.config.rootpath / e2e._RESULTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for role, window in cast.windows.items():
        shot, log = directory / f"{name}-{role}.png", directory / f"{name}-{role}.console.log"
        try:
            window.screenshot(shot)
            log.write_text("".join(f"{line}\n" for line in window.console()) or "(nothing logged)\n")
        except Exception as exc:  # a browser that died still leaves the report
            saved.append(f"{window.label}: no screenshot or console log ({exc})")
        else:
            saved.append(f"{window.label} at {window.url()}: {shot}, {log}")
    return saved


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    assert isinstance(report, pytest.TestReport)
    item.stash.setdefault(e2e._REPORTS, {})[report.when] = report
    if not isinstance(item, pytest.Function):
        return report
    cast = item.funcargs.get("cast")
    if report.when == "call" and report.failed and isinstance(cast, Cast):
        report.sections.append(("windows", "\n".join(_artefacts(item, cast))))
        server = item.funcargs.get("live_server")
        if isinstance(server, LiveServer):
            report.sections.append(("server log", server.log_tail(80)))
    return report
