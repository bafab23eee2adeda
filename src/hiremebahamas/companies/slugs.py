"""URL slugs for companies and jobs: lower-case ASCII words joined by hyphens."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60, fallback: str = "item") -> str:
    """ "Café Nassau & Co." -> "cafe-nassau-co"; accents are folded, everything else dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_WORD.sub("-", ascii_text.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or fallback
