"""The Jinja2 environment shared by pages and emails (autoescaped)."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from hiremebahamas.core.times import day_text, moment_text, relative_text


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hiremebahamas", "templates"),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    env.filters["linkify"] = linkify
    # Every time a page shows goes through these (core/times.py: Nassau time, one format).
    env.filters["time_ago"] = time_ago
    env.filters["time_at"] = time_at
    env.filters["time_on"] = time_on
    env.filters["day_text"] = day_text
    env.filters["moment_text"] = moment_text
    env.filters["words"] = words
    return env


def words(value: object) -> str:
    """A stored code as words for a page ("past_due" → "past due"); `|capitalize` starts a
    sentence with it. Codes that need more than that (an island, an upload's purpose) have
    their own label."""
    return str(value).replace("_", " ")


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str) -> Markup:
    """Escape `text`, keep its line breaks, and make its http(s) URLs clickable."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        parts.append(str(escape(text[position : match.start()])))
        url = escape(match.group(0))
        parts.append(f'<a href="{url}" rel="nofollow noopener">{url}</a>')
        position = match.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts).replace("\n", "<br>\n"))  # noqa: S704  # nosec B704  # reviewed: every piece was escaped above


def _time_element(machine: str, text: str, title: str | None = None) -> Markup:
    titled = Markup(' title="{}"').format(title) if title else ""
    return Markup('<time datetime="{}"{}>{}</time>').format(machine, titled, text)


def time_ago(moment: datetime) -> Markup:
    """ "5 min ago" (or the day, for what is older than a week), the exact time on hover."""
    return _time_element(moment.isoformat(), relative_text(moment), f"{moment_text(moment)} (Nassau time)")


def time_at(moment: datetime) -> Markup:
    """ "1 Dec 2026, 2:05 PM": where the exact time matters (staff records, a deadline)."""
    return _time_element(moment.isoformat(), moment_text(moment), "Nassau time")


def time_on(day: date) -> Markup:
    """ "1 Dec 2026": a day (a closing date, a start date), or the Nassau day of a moment."""
    return _time_element(day.isoformat(), day_text(day))
