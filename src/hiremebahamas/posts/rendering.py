"""Post and comment text to safe HTML: escaped, line breaks kept, http(s) links clickable,
@username mentions linked to profiles and #hashtags linked to a job search for the word.

Everything people write is escaped first; the only markup added is `<a>` and `<br>` built here
from escaped pieces. Only `http://` and `https://` URLs become links, so `javascript:` and
`data:` URLs stay plain text. Mentions link only to usernames the caller says exist (resolved
for a whole page in one query, see `repository.existing_usernames`), so a typo is never a link
to a 404.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from markupsafe import Markup, escape

from hiremebahamas.accounts.usernames import MAX_LENGTH as USERNAME_MAX_LENGTH
from hiremebahamas.core.urls import web_host

# Quotes and angle brackets end a URL, so an attribute can never be broken out of.
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
# A mention starts a word (not the middle of an email address or of another mention) and is
# a username: lower-case letters, digits and single inner hyphens.
_MENTION = re.compile(r"(?<![\w@./-])@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?![\w@-])", re.IGNORECASE)
# A hashtag starts a word and a letter follows the "#" ("#1" is a number, "C#" a language).
_TAG = re.compile(r"(?<![\w#&/])#([^\W\d_]\w{0,49})")
# Punctuation that usually ends the sentence around a URL rather than the URL itself.
_TRAILING = ".,;:!?*'\""
_BRACKETS = {")": "(", "]": "[", "}": "{"}
LINK_REL = "nofollow noopener ugc"


def mentioned_usernames(text: str) -> set[str]:
    """The (lower-cased) usernames `text` mentions, outside of URLs."""
    names: set[str] = set()
    for segment, is_url in _segments(text):
        if not is_url:
            names.update(match.group(1).lower() for match in _MENTION.finditer(segment))
    return {name for name in names if len(name) <= USERNAME_MAX_LENGTH and "--" not in name}


def mentions_in(texts: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        names |= mentioned_usernames(text)
    return names


def render_text(text: str, existing_usernames: frozenset[str] | set[str] = frozenset()) -> Markup:
    parts: list[str] = []
    for segment, is_url in _segments(text):
        parts.append(_link(segment) if is_url else _with_mentions(segment, existing_usernames))
    html = "".join(parts).replace("\r\n", "\n").replace("\n", "<br>\n")
    return Markup(html)  # noqa: S704  # nosec B704  # reviewed: built only from escaped text and the tags above


def _segments(text: str) -> list[tuple[str, bool]]:
    """Split `text` into (piece, is_url) runs."""
    segments: list[tuple[str, bool]] = []
    position = 0
    for match in _URL.finditer(text):
        url = _trim(match.group(0))
        if not _linkable(url):
            continue
        start = match.start()
        segments.append((text[position:start], False))
        segments.append((url, True))
        position = start + len(url)
    segments.append((text[position:], False))
    return [(piece, is_url) for piece, is_url in segments if piece]


def _trim(url: str) -> str:
    """Drop sentence punctuation after a URL; keep a closing bracket only when it has a match
    inside the URL (https://en.wikipedia.org/wiki/Nassau_(Bahamas))."""
    while url and (url[-1] in _TRAILING or _unbalanced_close(url)):
        url = url[:-1]
    return url


def _unbalanced_close(url: str) -> bool:
    opening = _BRACKETS.get(url[-1])
    return opening is not None and url.count(url[-1]) > url.count(opening)


def _linkable(url: str) -> bool:
    return web_host(url) is not None


def _link(url: str) -> str:
    safe = escape(url)
    return f'<a href="{safe}" rel="{LINK_REL}">{safe}</a>'


def _with_mentions(text: str, existing: frozenset[str] | set[str]) -> str:
    parts: list[str] = []
    position = 0
    for match in sorted([*_MENTION.finditer(text), *_TAG.finditer(text)], key=lambda found: found.start()):
        if match.start() < position:
            continue
        if match.re is _TAG:
            word = match.group(1)
            link = f'<a class="hashtag" href="/jobs?{escape(urlencode({"q": word}))}">#{escape(word)}</a>'
        else:
            username = match.group(1).lower()
            if username not in existing:
                continue
            link = f'<a class="mention" href="/u/{escape(username)}">@{escape(match.group(1))}</a>'
        parts.append(str(escape(text[position : match.start()])))
        parts.append(link)
        position = match.end()
    parts.append(str(escape(text[position:])))
    return "".join(parts)
