"""Notification emails: the unsubscribe footer and headers every one carries, and the email
about a message left unread."""

from __future__ import annotations

import uuid
from dataclasses import replace

from markupsafe import escape

from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.templating import render_text
from hiremebahamas.models import User
from hiremebahamas.notifications.preferences import unsubscribe_headers, unsubscribe_links
from hiremebahamas.notifications.types import KINDS, preference_type


def with_unsubscribe(settings: Settings, message: OutgoingEmail, user_id: uuid.UUID, type_: str) -> OutgoingEmail:
    """Add the one-click unsubscribe link (footer and RFC 8058 headers) for `type_`."""
    page, one_click = unsubscribe_links(settings, user_id, type_)
    manage = f"{settings.base_url.rstrip('/')}/account/notifications"
    kind = KINDS[preference_type(type_)]
    reason = f"You get this email because “{kind.label}” emails are on."
    text = f"{message.text.rstrip()}\n\n--\n{reason}\nUnsubscribe: {page}\nAll email settings: {manage}\n"
    html = message.html
    if html is not None:
        footer = (
            f"<p><small>{escape(reason)} "
            f'<a href="{escape(page)}">Unsubscribe</a> · <a href="{escape(manage)}">Email settings</a></small></p>'
        )
        html = html.replace("</body>", footer + "</body>", 1) if "</body>" in html else html + footer
    headers = {**message.headers, **unsubscribe_headers(one_click)}
    return replace(message, text=text, html=html, headers=headers)


def unread_message(
    settings: Settings, recipient: User, sender: User, conversation_id: uuid.UUID, body: str
) -> OutgoingEmail:
    link = f"{settings.base_url.rstrip('/')}/messages/{conversation_id}"
    preview = body if len(body) <= 300 else body[:297] + "…"
    context = {"user": recipient, "sender": sender, "link": link, "preview": preview}
    subject = f"{sender.full_name} sent you a message on HireMeBahamas"
    return OutgoingEmail(
        to=recipient.email,
        subject=subject,
        text=render_text("notifications/emails/unread_message.txt", subject=subject, **context),
        html=render_text("notifications/emails/unread_message.html", subject=subject, **context),
    )
