"""WebKit (Safari's engine): Debian's WebKitGTK MiniBrowser through WebKitWebDriver
(webkit2gtk-driver) and Selenium's WebKitGTK support, on a virtual X display (Xvfb): the GTK
browser needs a display even when nobody looks at it.

WebKitWebDriver runs one session at a time, so each person's window is its own driver and
browser process (each with its own cookies). Its console is not reachable over WebDriver (no log
endpoint, no BiDi in WebKitGTK 2.50), so the page's console and uncaught errors are recorded by
a hook this adapter installs with every script it runs and read back each time: what a page logs
before the first script runs on it (while it loads) is not seen.

MiniBrowser's window is no narrower than its toolbar (447 CSS px), so the phone run is 447 px
wide: still the phone layout (below the 48em breakpoint)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    JavascriptException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

from tests.browsers.devices import Device
from tests.browsers.driver import CHOOSE, FIND, SCROLL_INTO_VIEW, Mode, Retry, Window
from tests.servers import terminate

WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
_GONE = (StaleElementReferenceException, ElementNotInteractableException, ElementClickInterceptedException)

_HOOK = """
if (!window.__consoleLog) {
  const log = (window.__consoleLog = []);
  for (const level of ["error", "warn", "info", "log"]) {
    const original = console[level];
    console[level] = (...args) => {
      log.push(`console ${level}: ${args.map(String).join(" ")}`);
      original.apply(console, args);
    };
  }
  addEventListener("error", (event) => log.push(`uncaught error: ${event.message}`));
  addEventListener("unhandledrejection", (event) => log.push(`uncaught rejection: ${event.reason}`));
  addEventListener("securitypolicyviolation", (event) =>
    log.push(`console error: Content Security Policy: ${event.violatedDirective} blocked ${event.blockedURI}`));
}
const drained = window.__consoleLog.splice(0);
"""
_ERROR_LINES = ("console error:", "uncaught ")


class Xvfb:
    """A virtual X display on a free display number (-displayfd), no TCP listener."""

    def __init__(self, log_file: Path) -> None:
        read_end, write_end = os.pipe()
        with log_file.open("ab") as log:
            self.process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1920x1200x24", "-nolisten", "tcp"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, pass_fds=(write_end,),
                start_new_session=True,
            )  # fmt: skip
        os.close(write_end)
        with os.fdopen(read_end) as numbers:
            number = numbers.readline().strip()
        if not number:
            terminate(self.process)
            raise RuntimeError(f"Xvfb did not start:\n{log_file.read_text(errors='replace')[-2000:]}")
        self.display = f":{number}"

    def stop(self) -> None:
        terminate(self.process)


class WebKitWindow(Window[WebElement]):
    def __init__(self, display: str, base_url: str, device: Device, label: str, log_file: Path) -> None:
        self.label = label
        self._base_url = base_url
        options = Options()
        options.binary_location = MINIBROWSER
        options.add_argument("--automation")
        service = Service(
            executable_path=WEBKIT_DRIVER, env={**os.environ, "DISPLAY": display}, log_output=str(log_file)
        )
        self.driver = webdriver.WebKitGTK(options=options, service=service)
        self._log: list[str] = []
        self.set_viewport(device.width, device.height)

    def _run(self, script: str, *arguments: Any) -> Any:
        try:
            drained, result = self.driver.execute_script(_HOOK + script, *arguments)
        except (JavascriptException, *_GONE) as error:
            raise Retry(str(error)) from error
        self._log += drained
        return result

    def goto(self, path: str) -> None:
        self.console()  # what this page logged, before it goes
        self.driver.get(self._base_url + path)

    def url(self) -> str:
        return str(self.driver.current_url)

    def evaluate(self, body: str) -> Any:
        return self._run(f"return (async () => {{ {body} }})().then((result) => [drained, result]);")

    def set_viewport(self, width: int, height: int) -> None:
        # The window's size includes MiniBrowser's toolbar: add its height so the page gets `height`.
        toolbar = self.driver.execute_script("return outerHeight - innerHeight")
        self.driver.set_window_size(width, height + int(toolbar))

    def screenshot(self, path: Path) -> None:
        self.driver.save_screenshot(str(path))

    def console(self) -> list[str]:
        with contextlib.suppress(Retry, WebDriverException):  # between pages: nothing to read now
            self._run("return [drained, null];")
        return list(self._log)

    def console_errors(self) -> list[str]:
        return [line for line in self.console() if line.startswith(_ERROR_LINES)]

    def close(self) -> None:
        self.driver.quit()

    def _find(self, spec: str, mode: Mode) -> Any:
        return self._run(f"return [drained, ({FIND})(arguments[0], arguments[1])];", spec, mode)

    def _click(self, element: WebElement) -> None:
        self._run(f"({SCROLL_INTO_VIEW})(arguments[0]); return [drained, null];", element)
        try:
            element.click()
        except _GONE as error:
            raise Retry(str(error)) from error

    def _fill(self, element: WebElement, value: str) -> None:
        try:
            element.clear()
            element.send_keys(value)
        except _GONE as error:
            raise Retry(str(error)) from error

    def _choose(self, element: WebElement, option: str) -> None:
        chosen = self._run(f"return [drained, ({CHOOSE})(arguments[0], arguments[1])];", element, option)
        assert chosen, f"{self.label}: no option {option!r}"

    def _upload(self, element: WebElement, path: Path) -> None:
        element.send_keys(str(path))
