"""People as others see them: who may be shown to whom, and cards for lists.

A card is a user with their profile (or the defaults when they never edited it). Lists select
users joined to profiles in one query, so a page of people costs the same however long it is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, or_, select

from hiremebahamas.models import Island, MessagesFrom, Profile, ProfileVisibility, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles.avatars import avatar_url
from hiremebahamas.profiles.schemas import PersonOut, TalentOut
from hiremebahamas.social.graph import blocked_between_clause


def blank_profile(user: User) -> Profile:
    """The profile of someone who never edited theirs; never added to the session."""
    return Profile(
        user_id=user.id,
        headline="",
        bio="",
        island=None,
        available_for_hire=False,
        visibility=ProfileVisibility.PUBLIC,
        messages_from=MessagesFrom.EVERYONE,
        search_engine_indexing=True,
        read_receipts=True,
        avatar_upload_id=None,
        links=[],
        created_at=user.created_at,
        updated_at=user.created_at or utcnow(),
    )


@dataclass(frozen=True)
class PersonCard:
    user: User
    profile: Profile

    @property
    def island_label(self) -> str | None:
        return self.profile.island.label if self.profile.island else None

    @property
    def avatar_url(self) -> str | None:
        return avatar_url(self.profile.avatar_upload_id)

    def out(self) -> PersonOut:
        return PersonOut(**self._fields())

    def talent_out(self, skills: list[str]) -> TalentOut:
        return TalentOut(**self._fields(), skills=skills)

    def _fields(self) -> dict[str, object]:
        user, profile = self.user, self.profile
        return {
            "id": user.id,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "headline": profile.headline,
            "island": profile.island,
            "island_label": self.island_label,
            "avatar_url": self.avatar_url,
            "available_for_hire": profile.available_for_hire,
        }


def card(user: User, profile: Profile | None) -> PersonCard:
    return PersonCard(user, profile if profile is not None else blank_profile(user))


def people_query() -> Select[User, Profile]:
    """Users with their profile (NULL when never edited), for cards."""
    return select(User, Profile).outerjoin(Profile, Profile.user_id == User.id)


def visible_to(viewer_id: uuid.UUID | None) -> ColumnElement[bool]:
    """People `viewer_id` may see listed: active accounts; for anonymous visitors only public
    profiles; for members nobody either of them blocked. Needs Profile outer-joined to User."""
    if viewer_id is None:
        public = or_(Profile.visibility.is_(None), Profile.visibility == ProfileVisibility.PUBLIC)
        return and_(User.is_active.is_(True), public)
    return and_(User.is_active.is_(True), ~blocked_between_clause(User.id, viewer_id))


def island_options() -> list[tuple[str, str]]:
    return [(island.value, island.label) for island in Island]
