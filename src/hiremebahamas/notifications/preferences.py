"""Per-type email choices, and the signed one-click unsubscribe links in notification emails.

Every emailable type is on until the person turns it off, except marketing email, which is off
until they turn it on; none is sent to an address the relay reported as bouncing or
complaining. An unsubscribe token names a user and a type, signed with SECRET_KEY: it needs no
database row and no sign-in, and it can only ever turn that one type off for that one person.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Collection
from urllib.parse import quote

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.errors import InvalidLink, ValidationFailed
from hiremebahamas.models import EmailSuppression, NotificationPreference, User
from hiremebahamas.notifications.schemas import PreferenceOut
from hiremebahamas.notifications.types import KINDS, emailable_kinds, preference_type


async def email_choices(session: AsyncSession, user_id: uuid.UUID) -> list[PreferenceOut]:
    query = select(NotificationPreference.type, NotificationPreference.email).where(
        NotificationPreference.user_id == user_id
    )
    saved = {row[0]: row[1] for row in await session.execute(query)}
    return [
        PreferenceOut(type=k.type, label=k.label, email=saved.get(k.type, k.email_default)) for k in emailable_kinds()
    ]


async def wants_email(session: AsyncSession, user_id: uuid.UUID, type_: str) -> bool:
    """Whether a notification of `type_` may be emailed to `user_id` now."""
    governing = preference_type(type_)
    kind = KINDS.get(governing)
    if kind is None or not kind.emailable:
        return False
    query = select(NotificationPreference.email).where(
        NotificationPreference.user_id == user_id, NotificationPreference.type == governing
    )
    saved = (await session.execute(query)).scalar_one_or_none()
    if not (kind.email_default if saved is None else saved):
        return False
    return not await _suppressed(session, [user_id])


async def who_wants_email(session: AsyncSession, user_ids: Collection[uuid.UUID], type_: str) -> set[uuid.UUID]:
    """Of `user_ids`, those who may be emailed about `type_` (one query for a whole batch)."""
    kind = KINDS[preference_type(type_)]
    query = select(NotificationPreference.user_id, NotificationPreference.email).where(
        NotificationPreference.user_id.in_(list(user_ids)), NotificationPreference.type == kind.type
    )
    saved = {row[0]: row[1] for row in await session.execute(query)}
    wanting = {user_id for user_id in user_ids if saved.get(user_id, kind.email_default)}
    return wanting - await _suppressed(session, wanting)


async def _suppressed(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those whose address bounced hard or complained (lifecycle/deliverability.py): no email
    that can be turned off goes to them."""
    if not user_ids:
        return set()
    query = (
        select(User.id).join(EmailSuppression, EmailSuppression.email == User.email).where(User.id.in_(list(user_ids)))
    )
    return set((await session.execute(query)).scalars())


async def set_email_choices(session: AsyncSession, user_id: uuid.UUID, choices: dict[str, bool]) -> None:
    unknown = sorted(t for t in choices if t not in KINDS or not KINDS[t].emailable)
    if unknown:
        message = "These notifications are never emailed: " + ", ".join(unknown)
        raise ValidationFailed(message, fields={"email": message})
    if not choices:
        return
    # Replace rather than upsert: portable, and the rows are tiny.
    await session.execute(
        delete(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.type.in_(list(choices))
        )
    )
    session.add_all(NotificationPreference(user_id=user_id, type=t, email=on) for t, on in choices.items())
    await session.flush()


def _signature(settings: Settings, payload: str) -> str:
    digest = hmac.new(settings.secret_key.encode(), b"unsubscribe:" + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def unsubscribe_token(settings: Settings, user_id: uuid.UUID, type_: str) -> str:
    payload = base64.urlsafe_b64encode(f"{user_id.hex}:{preference_type(type_)}".encode()).decode().rstrip("=")
    return f"{payload}.{_signature(settings, payload)}"


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[uuid.UUID, str]:
    invalid = InvalidLink("This unsubscribe link is not valid. Check that you copied the whole link.")
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(signature.encode(), _signature(settings, payload).encode()):
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        user_hex, _, type_ = raw.partition(":")
        user_id = uuid.UUID(hex=user_hex)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid from exc
    if type_ not in KINDS:
        raise invalid
    return user_id, type_


async def unsubscribe(session: AsyncSession, settings: Settings, token: str, *, email: bool = False) -> str:
    """Turn off (or, with email=True, back on) the emails the token names; returns the type."""
    user_id, type_ = read_unsubscribe_token(settings, token)
    if await session.get(User, user_id) is None:  # the account is gone: nothing to stop
        raise InvalidLink("This unsubscribe link belongs to an account that no longer exists.")
    await set_email_choices(session, user_id, {type_: email})
    return type_


def unsubscribe_headers(one_click: str) -> dict[str, str]:
    """RFC 8058: mail clients show an Unsubscribe button that POSTs to `one_click`."""
    return {"List-Unsubscribe": f"<{one_click}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_links(settings: Settings, user_id: uuid.UUID, type_: str) -> tuple[str, str]:
    """(page for people, one-click POST address for mail clients, RFC 8058)."""
    base = settings.base_url.rstrip("/")
    token = quote(unsubscribe_token(settings, user_id, type_))
    return f"{base}/notifications/unsubscribe?token={token}", f"{base}/api/notifications/unsubscribe?token={token}"
