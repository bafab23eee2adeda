"""Emails rendered from one template into both parts: the same `.jinja` file is rendered once
autoescaped with `html` true (the HTML part) and once verbatim with `html` false (the text
part), so the two can never say different things. The macros of `mail/_parts.jinja` write each
piece (paragraph, button, list) the way its part needs it; `mail/_layout.jinja` gives every
email the same frame: readable in dark mode and on a phone, and a footer that says why it was
sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from hiremebahamas.core.email import OutgoingEmail


@dataclass(frozen=True)
class Footer:
    """What the end of an email says: why it was sent, and what the reader can do about it."""

    reason: str
    # (label, address) pairs: "Unsubscribe", "Email settings", ...
    links: tuple[tuple[str, str], ...] = ()
    # The sender's postal address: every marketing email carries it (CAN-SPAM and the like).
    postal_address: str | None = None


@cache
def _environment(html: bool) -> Environment:
    return Environment(
        loader=PackageLoader("hiremebahamas", "templates"),
        # The text part is never HTML: escaping it would show &amp; to its readers.
        autoescape=html,  # noqa: S701  # nosec B701  # reviewed: off only for the text part
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, html: bool, context: dict[str, Any]) -> str:
    return _environment(html).get_template(template).render(html=html, **context)


def render_email(
    template: str, *, to: str, subject: str, footer: Footer, headers: dict[str, str] | None = None, **context: Any
) -> OutgoingEmail:
    """The email `template` (under templates/, `mail/...jinja`) says, both parts."""
    values = {"subject": subject, "footer": footer, **context}
    text = _render(template, False, values).strip() + "\n"
    return OutgoingEmail(to=to, subject=subject, text=text, html=_render(template, True, values), headers=headers or {})
