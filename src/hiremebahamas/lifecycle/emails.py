"""Lifecycle emails: every one carries the one-click unsubscribe of the kind of email it is
(List-Unsubscribe and List-Unsubscribe-Post, RFC 8058, and a link in the footer), a link to the
email settings, the operator's postal address, and why it was sent."""

from __future__ import annotations

from typing import Any

from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.email_templates import Footer, render_email
from hiremebahamas.lifecycle.content import Item
from hiremebahamas.lifecycle.sequences import Step
from hiremebahamas.models import User
from hiremebahamas.notifications.preferences import unsubscribe_headers, unsubscribe_links
from hiremebahamas.notifications.types import WELCOME


def consented_email(
    settings: Settings, user: User, type_: str, template: str, *, subject: str, reason: str, **context: Any
) -> OutgoingEmail:
    """`template` for `user`, unsubscribable from `type_` (a preference of notifications/types.py)."""
    base = settings.base_url.rstrip("/")
    page, one_click = unsubscribe_links(settings, user.id, type_)
    footer = Footer(
        reason=reason,
        links=(("Unsubscribe", page), ("Email settings", f"{base}/account/notifications")),
        postal_address=settings.operator_postal_address,
    )
    return render_email(
        template,
        to=user.email,
        subject=subject,
        footer=footer,
        headers=unsubscribe_headers(one_click),
        user=user,
        base_url=base,
        **context,
    )


def welcome_step(settings: Settings, user: User, step: Step, jobs: list[Item]) -> OutgoingEmail:
    names = {"first_name": user.first_name}
    label, path = step.action
    return consented_email(
        settings,
        user,
        WELCOME,
        "mail/lifecycle/step.jinja",
        subject=step.subject.format(**names),
        reason=f"You get this email because you joined HireMeBahamas on {user.created_at:%B} {user.created_at.day}, "
        "and tips for your first days are on.",
        heading=step.heading.format(**names),
        paragraphs=[paragraph.format(**names) for paragraph in step.paragraphs],
        jobs=jobs,
        shows_jobs=step.shows_matching_jobs,
        action_label=label,
        action_url=f"{settings.base_url.rstrip('/')}{path}",
    )
