"""The Jinja2 environment shared by pages and emails (autoescaped)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape


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
    return env


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
