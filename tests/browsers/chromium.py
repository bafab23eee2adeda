"""Chromium (Chrome, Edge, Android Chrome): Debian's chromium through Playwright, the browser of
tests/e2e; a phone or tablet is Chromium's device emulation (viewport, touch, mobile), and a
click there is a tap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, ElementHandle, Error, Page

from tests.browsers.devices import Device
from tests.browsers.driver import FIND, Mode, Retry, Window
from tests.e2e.conftest import ACTION_TIMEOUT_MS, BrowserErrors

_GONE = ("Execution context was destroyed", "not attached to the DOM", "Cannot find context", "navigat")
"""What Playwright says when the page (or element) it was using was replaced."""


def _retry_or_raise(error: Error) -> None:
    if any(part in error.message for part in _GONE):
        raise Retry(error.message) from error
    raise error


class ChromiumWindow(Window[ElementHandle]):
    def __init__(self, browser: Browser, base_url: str, device: Device, label: str) -> None:
        self.label = label
        self.device = device
        self._context = browser.new_context(
            base_url=base_url,
            locale="en-US",
            timezone_id="America/Nassau",
            viewport={"width": device.width, "height": device.height},
            has_touch=device.touch,
            is_mobile=device.touch,
            device_scale_factor=device.scale,
        )
        self._context.set_default_timeout(ACTION_TIMEOUT_MS)
        self.page: Page = self._context.new_page()
        self._errors = BrowserErrors()
        self._errors.watch(self.page)
        self._log: list[str] = []
        self.page.on("console", lambda message: self._log.append(f"console {message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self._log.append(f"uncaught {error.name}: {error.message}"))

    def goto(self, path: str) -> None:
        self.page.goto(path)

    def url(self) -> str:
        return self.page.url

    def evaluate(self, body: str) -> Any:
        try:
            return self.page.evaluate(f"async () => {{ {body} }}")
        except Error as error:
            _retry_or_raise(error)

    def set_viewport(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=path, full_page=True)

    def console(self) -> list[str]:
        return list(self._log)

    def console_errors(self) -> list[str]:
        return self._errors.unexpected()

    def close(self) -> None:
        self._context.close()

    def _find(self, spec: str, mode: Mode) -> Any:
        try:
            if mode in ("count", "text"):
                return self.page.evaluate(f"([spec, mode]) => ({FIND})(spec, mode)", [spec, mode])
            return self.page.evaluate_handle(f"([spec, mode]) => ({FIND})(spec, mode)", [spec, mode]).as_element()
        except Error as error:
            _retry_or_raise(error)

    def _click(self, element: ElementHandle) -> None:
        try:
            element.tap() if self.device.touch else element.click()
        except Error as error:
            _retry_or_raise(error)

    def _fill(self, element: ElementHandle, value: str) -> None:
        try:
            element.fill(value)
        except Error as error:
            _retry_or_raise(error)

    def _choose(self, element: ElementHandle, option: str) -> None:
        element.select_option(label=option)

    def _upload(self, element: ElementHandle, path: Path) -> None:
        element.set_input_files(path)
