"""Members' acceptance of the Terms of Service: recorded at registration, asked again once when
the terms' version changes. Asking never blocks the service: pages show a notice, the API a flag."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.errors import Conflict
from hiremebahamas.legal.documents import current_terms_version
from hiremebahamas.models import User
from hiremebahamas.models.base import utcnow

STALE_VERSION = "These terms have been updated since that page was shown: read the current version and accept it."


def record_acceptance(settings: Settings, user: User) -> None:
    """The current version, accepted now (registration: the account is not flushed yet)."""
    user.terms_accepted_version = current_terms_version(settings)
    user.terms_accepted_at = utcnow()


def acceptance_required(settings: Settings, user: User) -> bool:
    """Whether the member has not accepted the version in force (any other is an older one)."""
    return user.terms_accepted_version != current_terms_version(settings)


async def accept_terms(session: AsyncSession, settings: Settings, user: User, version: str) -> User:
    """Accept `version`, which must be the current one (a page left open across a change must
    not accept text its reader never saw). Accepting it again changes nothing."""
    if version != current_terms_version(settings):
        raise Conflict(STALE_VERSION)
    if user.terms_accepted_version != version:
        record_acceptance(settings, user)
        await session.flush()
    return user
