"""The small driver interface the browser matrix's scenario is written against, once.

A `Window` is one person's browser window on one engine (its own cookies). What to act on is a
`Target`: a form field by its label, a button, link, heading or region by its accessible name,
some text, or a CSS selector, optionally inside another target. Targets are resolved in the page
by one JavaScript function (FIND, below) on every engine, so "the field labelled Password" means
the same element in Chromium, Firefox and WebKit; each engine's adapter (chromium.py, firefox.py,
webkit.py) only carries the calls to its browser and does the input there (real clicks, taps and
key presses through the engine's automation protocol).

Every action waits (up to TIMEOUT) for its target to be there and visible, retrying while a
navigation or an htmx swap replaces the element it found.
"""

from __future__ import annotations

import json
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

TIMEOUT = 10.0
"""Seconds an action or a wait gives the page; a live update or a background email arrives well within."""
_POLL = 0.1

Kind = Literal["field", "button", "link", "heading", "region", "text", "css"]


@dataclass(frozen=True)
class Target:
    """What to find. `name`: the label, accessible name or text, matched whole (`exact`), as a
    substring, or as a regular expression (JavaScript syntax; keep to what both share)."""

    kind: Kind
    name: str | re.Pattern[str] | None = None
    exact: bool = True
    within: Target | None = None
    css: str | None = None
    """For kind "css": the selector; `name` then filters by contained text."""

    def inside(self, scope: Target) -> Target:
        inner = self.within.inside(scope) if self.within else scope
        return Target(self.kind, self.name, self.exact, inner, self.css)

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"kind": self.kind, "css": self.css}
        if isinstance(self.name, re.Pattern):
            spec["regex"] = self.name.pattern
        elif self.name is not None:
            spec["text"] = self.name
            spec["exact"] = self.exact
        if self.within:
            spec["within"] = self.within.spec()
        return spec

    def __str__(self) -> str:
        name = self.name.pattern if isinstance(self.name, re.Pattern) else self.name
        where = f" in {self.within}" if self.within else ""
        return f"{self.kind} {self.css or ''}{name!r}{where}"


def field(label: str) -> Target:
    return Target("field", label)


def button(name: str | re.Pattern[str], exact: bool = True) -> Target:
    return Target("button", name, exact)


def link(name: str | re.Pattern[str], exact: bool = True) -> Target:
    return Target("link", name, exact)


def heading(name: str | re.Pattern[str], exact: bool = True) -> Target:
    return Target("heading", name, exact)


def region(name: str) -> Target:
    return Target("region", name)


def text(value: str | re.Pattern[str], exact: bool = False) -> Target:
    return Target("text", value, exact)


def css(selector: str, has_text: str | re.Pattern[str] | None = None) -> Target:
    return Target("css", has_text, False, None, selector)


FIND = r"""
(specJson, mode) => {
  const spec = JSON.parse(specJson);
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const named = (value, want) => {
    if (want.regex !== undefined) return new RegExp(want.regex).test(value);
    if (want.text === undefined) return true;
    return want.exact ? value === want.text : value.includes(want.text);
  };
  // A field's label may end in a required-marker ("*") that is not part of the name.
  const labelled = (value, want) =>
    want.text !== undefined && want.exact
      ? value.startsWith(want.text) && /^\W*$/.test(value.slice(want.text.length))
      : named(value, want);
  const byIds = (ids) =>
    norm((ids || "").split(/\s+/).map((id) => document.getElementById(id)?.textContent || "").join(" "));
  const accessibleName = (el) =>
    norm(el.getAttribute("aria-label")) || byIds(el.getAttribute("aria-labelledby")) ||
    norm(el.tagName === "INPUT" ? el.value : "") || norm(el.getAttribute("alt")) || norm(el.textContent);
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const selectors = {
    field: "input, textarea, select",
    button: "button, input[type=submit], input[type=button], [role=button]",
    link: "a[href]",
    heading: "h1, h2, h3, h4, h5, h6, [role=heading]",
    region: "section[aria-labelledby], section[aria-label], [role=region]",
    text: "body *",
  };
  const candidates = (s, scope) => {
    const all = [...scope.querySelectorAll(s.kind === "css" ? s.css : selectors[s.kind])];
    if (s.kind === "field") {
      return all.filter((el) => {
        const labels = [...(el.labels || [])].map((label) => norm(label.textContent));
        const names = [norm(el.getAttribute("aria-label")), byIds(el.getAttribute("aria-labelledby")), ...labels];
        return names.some((value) => value && labelled(value, s));
      });
    }
    if (s.kind === "text") {
      // The innermost elements holding the text: not a container that also holds other things.
      const holding = all.filter(
        (el) => !["SCRIPT", "STYLE", "TEMPLATE"].includes(el.tagName) && named(norm(el.textContent), s));
      return holding.filter((el) => ![...el.children].some((child) => named(norm(child.textContent), s)));
    }
    if (s.kind === "css") return all.filter((el) => named(norm(el.textContent), s));
    return all.filter((el) => named(accessibleName(el), s));
  };
  const resolve = (s) => {
    if (!s.within) return candidates(s, document);
    // A shown scope; for "any", a hidden one too (the main navigation folded away on a phone).
    const scopes = resolve(s.within);
    const scope = scopes.find(visible) || (mode === "any" ? scopes[0] : null);
    return scope ? candidates(s, scope) : [];
  };
  const found = resolve(spec);
  const shown = found.filter(visible);
  if (mode === "count") return shown.length;
  if (mode === "text") return shown.length ? norm(shown[0].innerText || shown[0].textContent) : null;
  // "any": the first match, shown or not (a file input styled away); "element": the first shown.
  return (mode === "any" ? found : shown)[0] || null;
}
"""
"""Resolves a Target in the page: mode "element" (first visible match or null), "any", "count"
(visible matches) or "text" (the first visible match's text)."""

Mode = Literal["element", "any", "count", "text"]

SCROLL_INTO_VIEW = "el => el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'})"
"""Before a click aimed at an element's centre: instantly, as the app's pages scroll smoothly and a
click aimed while the page moves lands on something else."""

CHOOSE = """(el, label) => {
  const option = [...el.options].find((o) => o.textContent.trim() === label);
  if (!option) return false;
  el.value = option.value;
  el.dispatchEvent(new Event("input", {bubbles: true}));
  el.dispatchEvent(new Event("change", {bubbles: true}));
  return true;
}"""
"""Select a <select>'s option by its label the way its list does (the value, then the input and
change events). For the engines whose automation cannot reach the open list (Firefox's BiDi,
WebKitGTK's native popup), as Playwright does it for Chromium."""


class Retry(Exception):
    """The element went away between finding and acting (a navigation, an htmx swap): find it again."""


H = TypeVar("H")
R = TypeVar("R")


class Window(ABC, Generic[H]):
    """One person's window. `H` is the engine's element handle."""

    label: str

    # -- what each engine's adapter provides

    @abstractmethod
    def goto(self, path: str) -> None:
        """Open `path` on the live server and wait for the page to load."""

    @abstractmethod
    def url(self) -> str: ...

    @abstractmethod
    def evaluate(self, body: str) -> Any:
        """Run a function body in the page (`return ...`; a returned promise is awaited)."""

    @abstractmethod
    def set_viewport(self, width: int, height: int) -> None: ...

    @abstractmethod
    def screenshot(self, path: Path) -> None: ...

    @abstractmethod
    def console(self) -> list[str]:
        """Everything the page's console and uncaught errors said so far, one line each."""

    @abstractmethod
    def console_errors(self) -> list[str]:
        """The console errors and uncaught exceptions among them that a working page never logs."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _find(self, spec: str, mode: Mode) -> Any:
        """FIND(spec, mode) in the page; raises Retry while the page is between documents."""

    @abstractmethod
    def _click(self, element: H) -> None: ...

    @abstractmethod
    def _fill(self, element: H, value: str) -> None: ...

    @abstractmethod
    def _choose(self, element: H, option: str) -> None:
        """Select the option labelled `option` of a <select>."""

    @abstractmethod
    def _upload(self, element: H, path: Path) -> None: ...

    # -- the interface the scenario uses

    def click(self, target: Target) -> None:
        self._act(target, self._click)

    def fill(self, target: Target, value: str) -> None:
        self._act(target, lambda element: self._fill(element, value))

    def choose(self, target: Target, option: str) -> None:
        self._act(target, lambda element: self._choose(element, option))

    def upload(self, target: Target, path: Path) -> None:
        self._act(target, lambda element: self._upload(element, path), mode="any")

    def count(self, target: Target) -> int:
        return int(self._until(target, lambda: self._find(json.dumps(target.spec()), "count"), lambda _: True))

    def text(self, target: Target) -> str:
        value = self._until(target, lambda: self._find(json.dumps(target.spec()), "text"), lambda v: v is not None)
        return str(value)

    def attribute(self, target: Target, name: str) -> str | None:
        self.wait_for(target, visible=False)
        value = self.evaluate(
            f"const el = ({FIND})({json.dumps(json.dumps(target.spec()))}, 'any');"
            f" return el && el.getAttribute({json.dumps(name)});"
        )
        return None if value is None else str(value)

    def wait_for(self, target: Target, *, count: int | None = None, visible: bool = True) -> None:
        """Until `target` is shown (`count`: exactly that many shown; `visible=False`: present at all)."""
        if not visible:
            self._until(target, lambda: self._find(json.dumps(target.spec()), "any"), lambda v: v is not None)
            return
        want: Callable[[Any], bool] = (lambda n: n >= 1) if count is None else (lambda n: n == count)
        self._until(target, lambda: self._find(json.dumps(target.spec()), "count"), want)

    def wait_until(self, body: str, what: str) -> None:
        """Until the function body returns true in the page."""
        self._until(what, lambda: self.evaluate(body), bool)

    # -- shared machinery

    def _act(self, target: Target, action: Callable[[H], None], mode: Mode = "element") -> None:
        spec = json.dumps(target.spec())
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                element = self._find(spec, mode)
                if element is not None:
                    action(element)
                    return
            except Retry:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.label}: no {target} to act on at {self.url()} after {TIMEOUT:.0f}s")
            time.sleep(_POLL)

    def _until(self, what: Target | str, probe: Callable[[], R], done: Callable[[R], bool]) -> R:
        deadline = time.monotonic() + TIMEOUT
        last: R | None = None
        while True:
            try:
                last = probe()
                if done(last):
                    return last
            except Retry:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.label}: waited {TIMEOUT:.0f}s for {what} at {self.url()} (last: {last!r})")
            time.sleep(_POLL)
