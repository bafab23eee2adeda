"""The help centre's articles: Markdown files in `articles/`, each opening with a short header
(title, summary, section), rendered once with the job descriptions' renderer and indexed in
memory for /help?q= (a few dozen pages: no search engine needed).

A search matches every word of the query (case and accents aside) against an article's title,
summary and text; title matches rank first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from hiremebahamas.jobs.postings.markdown import plain_text, render_markdown

# The order /help lists its sections in.
SECTIONS = ("Getting started", "Features", "FAQ", "Troubleshooting")
MAX_QUERY_LENGTH = 200
_HEADER = re.compile(r"\A---\n(?P<header>.*?)\n---\n", re.DOTALL)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    summary: str
    section: str
    html: str
    words: frozenset[str]
    title_words: frozenset[str]


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _WORD.findall("".join(char for char in folded if not unicodedata.combining(char)))


def parse_article(slug: str, source: str) -> Article:
    match = _HEADER.match(source)
    if match is None:
        raise ValueError(f"help article {slug}: no header")
    header = dict(line.split(":", 1) for line in match.group("header").splitlines() if line.strip())
    fields = {key.strip(): value.strip() for key, value in header.items()}
    if fields.get("section") not in SECTIONS:
        raise ValueError(f"help article {slug}: section must be one of {SECTIONS}")
    html = render_markdown(source[match.end() :])
    title, summary = fields["title"], fields["summary"]
    return Article(
        slug=slug,
        title=title,
        summary=summary,
        section=fields["section"],
        html=html,
        words=frozenset(_words(f"{title} {summary} {plain_text(html)}")),
        title_words=frozenset(_words(title)),
    )


@cache
def articles() -> dict[str, Article]:
    """Every article by slug (the file's name), read and rendered once per process."""
    folder = files("hiremebahamas.support").joinpath("articles")
    found = sorted((entry.name.removesuffix(".md"), entry.read_text("utf-8")) for entry in folder.iterdir())
    return {slug: parse_article(slug, source) for slug, source in found if not slug.startswith(".")}


def by_section() -> list[tuple[str, list[Article]]]:
    every = articles().values()
    return [(section, [a for a in every if a.section == section]) for section in SECTIONS]


def search(query: str) -> list[Article]:
    """Articles holding every word of `query` (a prefix for its last word, as people type),
    those with the words in their title first."""
    wanted = _words(query[:MAX_QUERY_LENGTH])
    if not wanted:
        return []
    *whole, last = wanted

    def matches(article: Article) -> bool:
        return all(word in article.words for word in whole) and any(w.startswith(last) for w in article.words)

    found = [article for article in articles().values() if matches(article)]
    return sorted(found, key=lambda a: (-sum(word in a.title_words for word in wanted), a.title))
