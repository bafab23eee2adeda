"""Who may use the staff area, checked in one dependency per surface: the JSON API answers
401 to anonymous callers and 403 `forbidden` to members; the pages send anonymous visitors to
log in and answer members 404, so the area does not announce itself.

With STAFF_REQUIRE_TOTP (on outside development and tests) staff also need a sign-in confirmed
with two-step verification: the API answers 401 `totp_required`, the pages explain what to do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from hiremebahamas.accounts.deps import Auth, CurrentAuth
from hiremebahamas.accounts.second_factor import CodeRequired
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import Forbidden, NotFound
from hiremebahamas.models import StaffRole, User
from hiremebahamas.web.deps import AppSettings

_RANK = {StaffRole.MODERATOR: 1, StaffRole.ADMIN: 2}
STAFF_ONLY = "This is for the site's staff only."


def has_role(user: User, needed: StaffRole) -> bool:
    """An admin may do whatever a moderator may."""
    return user.staff_role is not None and _RANK[user.staff_role] >= _RANK[needed]


NEEDS_SECOND_FACTOR = (
    "The staff area needs a sign-in confirmed with two-step verification. Set it up under "
    "Account settings, then log out and in again with a code."
)


class SecondFactorNeeded(Forbidden):
    code = "totp_required"
    default_message = NEEDS_SECOND_FACTOR

    def __init__(self, *, set_up: bool) -> None:
        super().__init__()
        self.set_up = set_up
        """The account has two-step verification: only this sign-in was made without a code."""


def _confirmed(auth: Auth, settings: Settings) -> bool:
    return not settings.staff_totp_required or auth.session.second_factor_at is not None


def _api_check(needed: StaffRole) -> Callable[[Auth, Settings], Awaitable[Auth]]:
    async def check(auth: CurrentAuth, settings: AppSettings) -> Auth:
        if not has_role(auth.user, needed):
            raise Forbidden(STAFF_ONLY)
        if not _confirmed(auth, settings):
            raise CodeRequired(NEEDS_SECOND_FACTOR)
        return auth

    return check


def page_check(needed: StaffRole) -> Callable[[Auth, Settings], Awaitable[Auth]]:
    async def check(auth: CurrentAuth, settings: AppSettings) -> Auth:
        if not has_role(auth.user, needed):
            raise NotFound()
        if not _confirmed(auth, settings):
            raise SecondFactorNeeded(set_up=auth.user.has_second_factor)
        return auth

    return check


ModeratorApi = Annotated[Auth, Depends(_api_check(StaffRole.MODERATOR))]
AdminApi = Annotated[Auth, Depends(_api_check(StaffRole.ADMIN))]
ModeratorPage = Annotated[Auth, Depends(page_check(StaffRole.MODERATOR))]
AdminPage = Annotated[Auth, Depends(page_check(StaffRole.ADMIN))]
