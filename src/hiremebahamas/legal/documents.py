"""The legal documents: Markdown with a small front matter (title, version, effective date),
packaged in `documents/`, each replaceable by a file of the same name in LEGAL_DIR.

`{{ company_name }}`-style placeholders take the operator's details and the retention settings,
so the packaged text states this installation's figures. The text is rendered by the jobs'
Markdown renderer, which sanitises: an override cannot add script to the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from hiremebahamas.config import Settings
from hiremebahamas.jobs.postings.markdown import render_markdown

# URL slug -> file name; the order of the footer and the index.
SLUGS = ("terms", "privacy", "cookies", "refunds")
TERMS = "terms"
_FRONT_MATTER = re.compile(r"\A---\n(?P<head>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_REQUIRED = ("title", "version", "effective")


class DocumentError(ValueError):
    """A legal document without its front matter: an operator's file to fix, found at start-up."""


@dataclass(frozen=True)
class LegalDocument:
    slug: str
    title: str
    version: str
    effective: date
    html: str


def _placeholders(settings: Settings) -> dict[str, str]:
    return {
        "company_name": settings.legal_company_name,
        "company_address": settings.legal_company_address,
        "contact_email": settings.legal_contact_email,
        "base_url": settings.base_url,
        "deletion_grace_days": str(settings.account_deletion_grace_days),
        "analytics_retention_days": str(settings.analytics_retention_days),
    }


def parse(slug: str, text: str, values: dict[str, str]) -> LegalDocument:
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if match is None:
        raise DocumentError(f"{slug}.md must start with a front matter between '---' lines")
    head: dict[str, str] = {}
    for line in match["head"].splitlines():
        name, _, value = line.partition(":")
        head[name.strip()] = value.strip()
    missing = [name for name in _REQUIRED if not head.get(name)]
    if missing:
        raise DocumentError(f"{slug}.md's front matter lacks {', '.join(missing)}")
    try:
        effective = date.fromisoformat(head["effective"])
    except ValueError as error:
        raise DocumentError(f"{slug}.md's effective date is not YYYY-MM-DD") from error
    body = _PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), match["body"])
    # The renderer starts a job description's headings at h3, below the job page's h2; here only
    # the title (h1) is above them.
    html = render_markdown(body).replace("<h3>", "<h2>").replace("</h3>", "</h2>")
    return LegalDocument(slug, head["title"], head["version"], effective, html)


def _source(slug: str, legal_dir: Path | None) -> str:
    if legal_dir is not None and (override := legal_dir / f"{slug}.md").is_file():
        return override.read_text(encoding="utf-8")
    return files("hiremebahamas.legal").joinpath("documents", f"{slug}.md").read_text(encoding="utf-8")


@lru_cache(maxsize=64)
def _load(slug: str, legal_dir: Path | None, values: tuple[tuple[str, str], ...]) -> LegalDocument:
    # Files change with a deploy, not while the process runs: read and rendered once.
    return parse(slug, _source(slug, legal_dir), dict(values))


def document(settings: Settings, slug: str) -> LegalDocument:
    return _load(slug, settings.legal_dir, tuple(sorted(_placeholders(settings).items())))


def current_terms_version(settings: Settings) -> str:
    return document(settings, TERMS).version
