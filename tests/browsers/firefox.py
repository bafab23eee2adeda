"""Firefox: Debian's firefox-esr, driven over WebDriver BiDi, which it speaks itself (no
geckodriver, which Debian does not package): the browser is started with
--remote-debugging-port and this module talks the protocol over a WebSocket (the `websockets`
package the app already depends on). Each person's window is a browsing context in its own user
context (its own cookies); clicks and typing are BiDi input actions, which Firefox dispatches as
trusted events."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from tests.browsers.devices import Device
from tests.browsers.driver import CHOOSE, FIND, SCROLL_INTO_VIEW, Mode, Retry, Window
from tests.servers import free_port, terminate

FIREFOX = "/usr/bin/firefox-esr"
STARTUP_TIMEOUT = 30.0
_REPLY_TIMEOUT = 60.0
_GONE_ERRORS = frozenset({"no such node", "stale element reference", "no such element"})
_GONE_MESSAGES = ("destroyed", "discarded", "navigat", "unloaded", "no longer")
"""How Firefox says the document (or node) a command used was replaced by a navigation."""

_Element = dict[str, str]
"""A node's BiDi shared reference: {"sharedId": ...}."""


class BidiError(Exception):
    def __init__(self, method: str, error: str, message: str) -> None:
        super().__init__(f"{method}: {error}: {message}")
        self.error = error
        self.message = message

    def gone(self) -> bool:
        return self.error in _GONE_ERRORS or any(part in self.message for part in _GONE_MESSAGES)


class Firefox:
    """One firefox-esr process and its BiDi session."""

    def __init__(self, profile: Path, log_file: Path) -> None:
        self.log_file = log_file
        port = free_port()
        with log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [FIREFOX, "--headless", "--no-remote", "--profile", str(profile), f"--remote-debugging-port={port}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._exit = contextlib.ExitStack()
        self._socket = self._exit.enter_context(self._connect(f"ws://127.0.0.1:{port}/session"))
        self._ids = itertools.count(1)
        self.logs: dict[str, list[str]] = {}
        """Console lines by browsing context."""
        self.errors: dict[str, list[str]] = {}
        self.send("session.new", capabilities={"alwaysMatch": {"acceptInsecureCerts": False}})
        self.send("session.subscribe", events=["log.entryAdded"])

    def _connect(self, url: str) -> ClientConnection:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                return connect(url, max_size=None, open_timeout=5)
            except (OSError, WebSocketException) as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    terminate(self.process)
                    tail = self.log_file.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"Firefox's BiDi endpoint {url} did not answer ({exc}):\n{tail}") from exc
                time.sleep(0.1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer, recording the log events that come first."""
        command_id = next(self._ids)
        self._socket.send(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=_REPLY_TIMEOUT))
            if message.get("id") == command_id:
                if message.get("type") == "error":
                    raise BidiError(method, message.get("error", ""), message.get("message", ""))
                result: dict[str, Any] = message["result"]
                return result
            if message.get("method") == "log.entryAdded":
                self._logged(message["params"])

    def _logged(self, entry: dict[str, Any]) -> None:
        context = entry.get("source", {}).get("context", "")
        line = f"{entry.get('type')} {entry.get('level')}: {entry.get('text')}"
        self.logs.setdefault(context, []).append(line)
        if entry.get("level") == "error":
            self.errors.setdefault(context, []).append(line)

    def quit(self) -> None:
        with contextlib.suppress(BidiError, WebSocketException, OSError):  # it is going away either way
            self.send("browser.close")
        self._exit.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            terminate(self.process)


def _value(remote: dict[str, Any]) -> Any:
    """A BiDi remote value as Python (nodes stay shared references)."""
    kind = remote.get("type")
    if kind in ("undefined", "null"):
        return None
    if kind == "node":
        return {"sharedId": remote["sharedId"]}
    if kind == "array":
        return [_value(item) for item in remote.get("value", [])]
    if kind == "object":
        return {key: _value(item) for key, item in remote.get("value", [])}
    return remote.get("value")


_KEYS = {"\n": "\ue007"}
"""Characters typed as a named key (Enter)."""


class FirefoxWindow(Window[_Element]):
    def __init__(self, firefox: Firefox, base_url: str, device: Device, label: str) -> None:
        self.label = label
        self._firefox = firefox
        self._base_url = base_url
        self._user_context = firefox.send("browser.createUserContext")["userContext"]
        created = firefox.send("browsingContext.create", type="window", userContext=self._user_context)
        self._context: str = created["context"]
        self.set_viewport(device.width, device.height)

    def goto(self, path: str) -> None:
        self._firefox.send(
            "browsingContext.navigate", context=self._context, url=self._base_url + path, wait="complete"
        )

    def url(self) -> str:
        tree = self._firefox.send("browsingContext.getTree", root=self._context, maxDepth=0)
        return str(tree["contexts"][0]["url"])

    def _call(self, function: str, *arguments: dict[str, Any]) -> Any:
        try:
            answer = self._firefox.send(
                "script.callFunction", functionDeclaration=function, arguments=list(arguments),
                target={"context": self._context}, awaitPromise=True, resultOwnership="none",
            )  # fmt: skip
        except BidiError as error:
            if error.gone():
                raise Retry(str(error)) from error
            raise
        if answer["type"] == "exception":
            details = answer["exceptionDetails"]
            if any(part in details.get("text", "") for part in _GONE_MESSAGES):
                raise Retry(details["text"])
            raise AssertionError(f"{self.label}: the page threw: {details.get('text')}")
        return _value(answer["result"])

    def evaluate(self, body: str) -> Any:
        return self._call(f"async () => {{ {body} }}")

    def set_viewport(self, width: int, height: int) -> None:
        self._firefox.send(
            "browsingContext.setViewport", context=self._context, viewport={"width": width, "height": height}
        )

    def screenshot(self, path: Path) -> None:
        shot = self._firefox.send("browsingContext.captureScreenshot", context=self._context, origin="document")
        path.write_bytes(base64.b64decode(shot["data"]))

    def console(self) -> list[str]:
        self.url()  # a round trip: the log events sent before it are read
        return list(self._firefox.logs.get(self._context, []))

    def console_errors(self) -> list[str]:
        self.url()
        return list(self._firefox.errors.get(self._context, []))

    def close(self) -> None:
        self._firefox.send("browsingContext.close", context=self._context)
        self._firefox.send("browser.removeUserContext", userContext=self._user_context)

    def _find(self, spec: str, mode: Mode) -> Any:
        return self._call(FIND, {"type": "string", "value": spec}, {"type": "string", "value": mode})

    def _perform(self, *sources: dict[str, Any]) -> None:
        try:
            self._firefox.send("input.performActions", context=self._context, actions=list(sources))
        except BidiError as error:
            if error.gone():
                raise Retry(str(error)) from error
            raise

    def _click(self, element: _Element) -> None:
        self._call(SCROLL_INTO_VIEW, element)
        origin = {"type": "element", "element": element}
        self._perform({
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            # A moment for the page to settle after scrolling (a phone's long form was seen to
            # take the press on the move and submit nothing), then the press, as a hand makes it.
            "actions": [
                {"type": "pause", "duration": 100},
                {"type": "pointerMove", "x": 0, "y": 0, "origin": origin},
                {"type": "pause", "duration": 50},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerUp", "button": 0},
            ],
        })  # fmt: skip

    def _fill(self, element: _Element, value: str) -> None:
        self._call(
            "el => { el.scrollIntoView({block: 'center', behavior: 'instant'}); el.focus(); el.value = ''; }", element
        )
        keys = []
        for character in value:
            key = _KEYS.get(character, character)
            keys += [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        if keys:
            self._perform({"type": "key", "id": "keyboard", "actions": keys})

    def _choose(self, element: _Element, option: str) -> None:
        chosen = self._call(CHOOSE, element, {"type": "string", "value": option})
        assert chosen, f"{self.label}: no option {option!r}"

    def _upload(self, element: _Element, path: Path) -> None:
        self._firefox.send("input.setFiles", context=self._context, element=element, files=[str(path)])
