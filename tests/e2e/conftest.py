"""Browser tests: the real app in its own process, driven by Debian's Chromium through Playwright.

Fixtures
    live_server  (session) the app started with `hiremebahamas serve --migrate` on a free port,
                 on a fresh SQLite database; `.url`, `.var_dir`, `.log_file`.
    browser      (session) headless Chromium (/usr/bin/chromium; no `playwright install`).
    new_page     a factory: every call opens a page in a fresh browser context (its own cookies),
                 with `base_url` set to the live server (or the server given), so
                 `page.goto("/login")` works.
    page         one such page.
    browser_errors  console errors and uncaught exceptions of every page of the test. The test
                 fails if any was logged (CSP violations are console errors); a test expecting
                 one says so with `browser_errors.allow(r"regex")`.

Every test also fails if the server logged an ERROR (e.g. an unhandled exception) while it ran.
On failure, a screenshot of each open page is saved under `test-results/`.

Shared steps (register, verify, log in, read the dev outbox) live in `tests/e2e/flows.py`.

The tests are plain sync functions: Playwright's sync API cannot run inside an event loop, and
pytest-asyncio (asyncio_mode = "auto") leaves sync tests alone. Playwright's own loop is kept
out of the other tests' way (see _PlaywrightLoop), so async tests may run before, between or
after these. Mark modules with `pytestmark = pytest.mark.e2e`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Response,
    StorageState,
    ViewportSize,
    sync_playwright,
)

from tests.live_server import LiveServer, start_live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ACTION_TIMEOUT_MS = 10_000
"""Clicks, fills and navigations; Playwright's default of 30 s only makes failures slow."""
_RESULTS_DIR = "test-results"


# --------------------------------------------------------------------------
# the server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("e2e"))
    try:
        yield server
    finally:
        status = server.process.poll()
        server.stop()
    if status is not None:
        pytest.fail(f"the app server died during the tests (exit status {status}):\n{server.log_tail()}")


@pytest.fixture(autouse=True)
def _server_log_clean(live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when the server crashed or logged an error while it ran."""
    if live_server.process.poll() is not None:
        pytest.fail(f"the app server is not running (it died in an earlier test):\n{live_server.log_tail()}")
    offset = live_server.log_size()
    request.node.stash[_LOG_OFFSET] = offset
    yield
    if live_server.process.poll() is not None:
        pytest.fail(f"the app server died during this test:\n{live_server.log_tail()}")
    errors = live_server.errors_since(offset)
    if errors and not _failed(request.node):
        pytest.fail("the app server logged errors during this test:\n" + "\n".join(errors))


# --------------------------------------------------------------------------
# the browser


_HTTP_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})\b")
_ANSWERS = frozenset({"document", "xhr", "fetch"})
"""Requests whose 4xx answer is the app speaking (a form re-shown with its errors, an htmx
error fragment), not a broken page: Chromium logs them as console errors all the same."""


@dataclass(frozen=True)
class BrowserProblem:
    kind: str
    text: str
    url: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text} [{self.url}]"


@dataclass
class BrowserErrors:
    """Console errors (CSP violations among them) and uncaught exceptions of the pages of one test.

    Not counted: the console error Chromium logs for a page or htmx request the app answered
    with a 4xx status (the test checks what that answer says). Still counted: any 5xx, and a
    4xx for a stylesheet, script, image, font or favicon.
    """

    problems: list[BrowserProblem] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    answered_4xx: set[str] = field(default_factory=set)

    def watch(self, page: Page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self._page_error(page, error))
        page.on("response", self._response)

    def _add(self, kind: str, text: str, url: str) -> None:
        self.problems.append(BrowserProblem(kind, text, url))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self._add(f"console {message.type}", message.text, message.location.get("url") or page.url)

    def _page_error(self, page: Page, error: Error) -> None:
        self._add(f"uncaught {error.name or 'exception'}", error.message, page.url)

    def _response(self, response: Response) -> None:
        if 400 <= response.status < 500 and response.request.resource_type in _ANSWERS:
            self.answered_4xx.add(response.url)

    def _expected(self, problem: BrowserProblem) -> bool:
        if any(pattern.search(str(problem)) for pattern in self.allowed):
            return True
        status = _HTTP_ERROR.match(problem.text)
        return status is not None and status.group(1).startswith("4") and problem.url in self.answered_4xx

    def allow(self, pattern: str) -> None:
        """Expect problems matching `pattern` (re.search on "kind: text [url]") instead of failing."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [str(problem) for problem in self.problems if not self._expected(problem)]


class _PlaywrightLoop:
    """Keeps Playwright's event loop from leaking into the rest of the test session.

    Playwright's sync API runs its event loop in a greenlet and, between calls, leaves it marked
    as this thread's running loop, which it needs. pytest-asyncio and asyncio.run() refuse to
    start while any loop is marked, so every async test after the first browser test would fail
    (microsoft/playwright-pytest#167). The loop is marked only while e2e tests and the browser
    fixtures run, and unmarked after each of them.
    """

    loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    @contextmanager
    def marked(cls) -> Iterator[None]:
        if cls.loop is not None:
            asyncio._set_running_loop(cls.loop)
        try:
            yield
        finally:
            asyncio._set_running_loop(None)


@pytest.fixture(autouse=True)
def _playwright_loop_marked() -> Iterator[None]:
    with _PlaywrightLoop.marked():
        yield


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    manager = sync_playwright()
    driver = manager.start()  # leaves the loop marked: _playwright_loop_marked unmarks it after the test
    _PlaywrightLoop.loop = asyncio.get_running_loop()
    yield driver
    with _PlaywrightLoop.marked():
        driver.stop()
    _PlaywrightLoop.loop = None


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    with _PlaywrightLoop.marked():
        browser.close()


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


class NewPage(Protocol):
    def __call__(
        self,
        server: LiveServer | None = None,
        *,
        viewport: ViewportSize | None = None,
        storage_state: StorageState | None = None,
        javascript: bool = True,
    ) -> Page: ...


@pytest.fixture
def new_page(
    browser: Browser, live_server: LiveServer, browser_errors: BrowserErrors, request: pytest.FixtureRequest
) -> Iterator[NewPage]:
    """Open a page in a fresh context: one call per user of a test (on `server`, the live
    server unless another is given), at Playwright's 1280x720 unless a viewport is given, signed
    in as a `storage_state` saved earlier if one is given."""
    contexts: list[BrowserContext] = []
    request.node.stash[_CONTEXTS] = contexts

    def make(
        server: LiveServer | None = None,
        *,
        viewport: ViewportSize | None = None,
        storage_state: StorageState | None = None,
        javascript: bool = True,
    ) -> Page:
        url = (server or live_server).url
        context = browser.new_context(
            base_url=url,
            locale="en-US",
            timezone_id="America/Nassau",
            viewport=viewport,
            storage_state=storage_state,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        browser_errors.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    unexpected = browser_errors.unexpected()
    if unexpected and not _failed(request.node):
        pytest.fail("the browser logged errors:\n" + "\n".join(unexpected))


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


# --------------------------------------------------------------------------
# reporting


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_LOG_OFFSET = pytest.StashKey[int]()
_CONTEXTS = pytest.StashKey[list[BrowserContext]]()


def _failed(item: pytest.Item) -> bool:
    report = item.stash.get(_REPORTS, {}).get("call")
    return report is not None and report.failed


def _screenshots(item: pytest.Item) -> list[str]:
    """Save every open page of a failed test under test-results/; returns what was saved."""
    saved = []
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)
    pages = [page for context in item.stash.get(_CONTEXTS, []) for page in context.pages]
    for number, page in enumerate(pages, start=1):
        path = item.config.rootpath / _RESULTS_DIR / f"{name}-{number}.png"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=path, full_page=True)
        except (Error, OSError) as exc:
            saved.append(f"{page.url}: no screenshot ({exc})")
        else:
            saved.append(f"{page.url}: {path}")
    return saved


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    assert isinstance(report, pytest.TestReport)
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    if report.when == "call" and report.failed:
        # What the pages looked like, and what the browser and the server said, next to the failure.
        if shots := _screenshots(item):
            report.sections.append(("screenshots", "\n".join(shots)))
        errors = item.funcargs.get("browser_errors") if isinstance(item, pytest.Function) else None
        if isinstance(errors, BrowserErrors) and errors.problems:
            report.sections.append(("browser console", "\n".join(map(str, errors.problems))))
        server = item.funcargs.get("live_server") if isinstance(item, pytest.Function) else None
        if isinstance(server, LiveServer):
            text = server.log_text(item.stash.get(_LOG_OFFSET, 0))
            report.sections.append(("server log", "\n".join(text.splitlines()[-80:]) or "(nothing logged)"))
    return report
