"""Job descriptions: Markdown in, sanitised HTML out (and plain text for search).

markdown-it renders with raw HTML turned off, and nh3 then keeps only an allowlist of tags and
attributes, so nothing an employer writes can add script, styles or event handlers to a page.
"""

from __future__ import annotations

import html
import logging
import re

import nh3
from markdown_it import MarkdownIt

# markdown-it logs every parsing rule it tries at DEBUG: noise that would drown our own logs.
logging.getLogger("markdown_it").setLevel(logging.INFO)

_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")
_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "code",
    "pre",
    "hr",
}
_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}
# The page's own headings are h1 and h2: a description's headings start below them.
_BIG_HEADING = re.compile(r"<(/?)h[12]>")
_SPACES = re.compile(r"\s+")


def render_markdown(text: str) -> str:
    rendered = _BIG_HEADING.sub(r"<\1h3>", _RENDERER.render(text))
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow noopener ugc",
    )


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, for the search index and for summaries."""
    stripped = nh3.clean(fragment.replace("<", " <"), tags=set())
    return _SPACES.sub(" ", html.unescape(stripped)).strip()


def summary(text: str, length: int = 240) -> str:
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
