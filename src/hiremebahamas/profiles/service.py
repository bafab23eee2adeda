"""Profile rules: who may see a profile, and editing your own (names, username, fields, skills,
links, avatar). Experience and education entries live in `entries.py`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts import service as accounts
from hiremebahamas.accounts.schemas import UserUpdateIn
from hiremebahamas.accounts.usernames import RESERVED_MESSAGE, is_reserved, is_taken, username_problem
from hiremebahamas.core.errors import Conflict, NotFound, ValidationFailed
from hiremebahamas.core.remembered import forget_person_after_commit
from hiremebahamas.core.response_areas import invalidate_after_commit
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.core.urls import web_host
from hiremebahamas.models import (
    Block,
    Education,
    Experience,
    Profile,
    ProfileVisibility,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles import viewers
from hiremebahamas.profiles.avatars import check_avatar
from hiremebahamas.profiles.cache import forget_after_commit
from hiremebahamas.profiles.cvs import check_cv
from hiremebahamas.profiles.people import PersonCard, card, people_query
from hiremebahamas.profiles.schemas import (
    LINK_MESSAGE,
    MAX_LINKS,
    EducationOut,
    ExperienceOut,
    LinkIn,
    LinkOut,
    OwnProfileOut,
    ProfileUpdateIn,
    PublicProfileOut,
)
from hiremebahamas.profiles.skills import normalise_skills, set_profile_skills, skills_by_user
from hiremebahamas.social import graph

NOT_FOUND = "We could not find that person."
TAKEN = "That username is taken. Choose another."


@dataclass(frozen=True)
class ProfileView:
    """Everything a profile page shows, loaded with a fixed number of queries."""

    person: PersonCard
    skills: list[str]
    experience: list[Experience]
    education: list[Education]
    followers_count: int
    following_count: int
    followed_by_me: bool | None
    is_self: bool

    @property
    def user(self) -> User:
        return self.person.user

    @property
    def profile(self) -> Profile:
        return self.person.profile

    def out(self) -> PublicProfileOut:
        return PublicProfileOut(**self._fields())

    def own_out(self) -> OwnProfileOut:
        profile = self.profile
        return OwnProfileOut(
            **self._fields(),
            visibility=profile.visibility,
            avatar_upload_id=profile.avatar_upload_id,
            cv_upload_id=profile.cv_upload_id,
            messages_from=profile.messages_from,
            search_engine_indexing=profile.search_engine_indexing,
            read_receipts=profile.read_receipts,
        )

    def _fields(self) -> dict[str, Any]:
        return {
            **self.person.out().model_dump(),
            "bio": self.profile.bio,
            "skills": self.skills,
            "links": [LinkOut.model_validate(link) for link in self.profile.links],
            "experience": [ExperienceOut.model_validate(item) for item in self.experience],
            "education": [EducationOut.model_validate(item) for item in self.education],
            "followers_count": self.followers_count,
            "following_count": self.following_count,
            "followed_by_me": self.followed_by_me,
            "joined_at": self.user.created_at,
        }


async def get_or_create_profile(session: AsyncSession, user: User) -> Profile:
    """The user's profile row, created on first edit (two concurrent first edits both win)."""
    profile = await session.get(Profile, user.id)
    if profile is None:
        await insert_ignoring_conflicts(session, Profile, user_id=user.id)
        profile = await session.get_one(Profile, user.id)
    return profile


async def find_person(session: AsyncSession, username: str) -> tuple[User, Profile | None] | None:
    query = people_query().where(User.username == username.strip().lower())
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    user, profile = row
    return user, profile


async def visible_person(session: AsyncSession, viewer: User | None, username: str) -> PersonCard:
    """The person behind `username` as `viewer` may see them. Unknown, suspended, blocked (either
    way) and, for anonymous visitors, members-only profiles are all the same 404, so the answer
    never reveals that a hidden profile exists."""
    row = await find_person(session, username)
    if row is None:
        raise NotFound(NOT_FOUND)
    person = card(*row)
    if viewer is not None and viewer.id == person.user.id:
        return person
    if not person.user.is_active:
        raise NotFound(NOT_FOUND)
    if viewer is None:
        if person.profile.visibility != ProfileVisibility.PUBLIC:
            raise NotFound(NOT_FOUND)
    elif await graph.is_blocked_between(session, viewer.id, person.user.id):
        raise NotFound(NOT_FOUND)
    return person


async def has_blocked(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
    query = select(Block.blocker_id).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    return (await session.execute(query)).first() is not None


async def profile_view(session: AsyncSession, viewer: User | None, person: PersonCard) -> ProfileView:
    user_id = person.user.id
    experience = await session.execute(
        select(Experience)
        .where(Experience.user_id == user_id)
        .order_by(Experience.start_date.desc(), Experience.id.desc())
    )
    education = await session.execute(
        select(Education)
        .where(Education.user_id == user_id)
        .order_by(Education.start_year.desc().nulls_last(), Education.id.desc())
    )
    followers, following = await graph.follow_counts(session, user_id)
    is_self = viewer is not None and viewer.id == user_id
    followed_by_me = None if viewer is None or is_self else await graph.is_following(session, viewer.id, user_id)
    return ProfileView(
        person=person,
        skills=(await skills_by_user(session, [user_id])).get(user_id, []),
        experience=list(experience.scalars()),
        education=list(education.scalars()),
        followers_count=followers,
        following_count=following,
        followed_by_me=followed_by_me,
        is_self=is_self,
    )


async def public_profile(session: AsyncSession, viewer: User | None, username: str) -> ProfileView:
    """Someone's profile as `viewer` may see it; a member looking is noted as a viewer."""
    person = await visible_person(session, viewer, username)
    viewers.note(session, viewer, person.user.id)
    return await profile_view(session, viewer, person)


async def own_profile(session: AsyncSession, user: User) -> ProfileView:
    return await profile_view(session, user, card(user, await session.get(Profile, user.id)))


def check_links(links: list[LinkIn]) -> list[dict[str, str]]:
    """Only absolute http(s) URLs: a `javascript:` link on a profile would run in visitors' browsers."""
    if len(links) > MAX_LINKS:
        message = f"Add at most {MAX_LINKS} links."
        raise ValidationFailed(message, fields={"links": message})
    checked = []
    for index, link in enumerate(links):
        host = web_host(link.url)
        if host is None:
            message = LINK_MESSAGE
            raise ValidationFailed(message, fields={f"links.{index}.url": message})
        checked.append({"label": link.label or host, "url": link.url})
    return checked


async def change_username(session: AsyncSession, user: User, username: str) -> None:
    """Taken as sent (the API's schema states the rule); a reserved name is taken by the site."""
    if username.lower() == user.username:
        return
    if is_reserved(username):
        raise Conflict(RESERVED_MESSAGE, fields={"username": RESERVED_MESSAGE})
    problem = username_problem(username)
    if problem:
        raise ValidationFailed(problem, fields={"username": problem})
    username = username.lower()
    if await is_taken(session, username):
        raise Conflict(TAKEN, fields={"username": TAKEN})
    user.username = username
    try:
        await session.flush()
    except IntegrityError as exc:  # taken between the check and the write
        raise Conflict(TAKEN, fields={"username": TAKEN}) from exc


_PROFILE_FIELDS = (
    "headline",
    "bio",
    "island",
    "available_for_hire",
    "visibility",
    "messages_from",
    "search_engine_indexing",
    "read_receipts",
)


async def update_profile(session: AsyncSession, user: User, data: ProfileUpdateIn) -> Profile:
    """Apply the fields present in `data`. Fields that are null mean "clear" for the island, the
    avatar and the CV and "leave as is" for the rest (their columns cannot be empty)."""
    given = data.model_fields_set
    old_username = user.username
    names = {name: getattr(data, name) for name in ("first_name", "last_name") if name in given}
    if any(value is not None for value in names.values()):
        await accounts.update_user(session, user, UserUpdateIn(**names))
    if "username" in given and data.username is not None:
        await change_username(session, user, data.username)
    profile = await get_or_create_profile(session, user)
    listed_before = (profile.visibility, profile.search_engine_indexing)
    for name in _PROFILE_FIELDS:
        value = getattr(data, name)
        if name in given and (value is not None or name == "island"):
            setattr(profile, name, value)
    if "links" in given and data.links is not None:
        profile.links = check_links(data.links)
    if "avatar_upload_id" in given:
        upload_id = data.avatar_upload_id
        profile.avatar_upload_id = None if upload_id is None else await check_avatar(session, user, upload_id)
    if "cv_upload_id" in given:
        cv_id = data.cv_upload_id
        profile.cv_upload_id = None if cv_id is None else await check_cv(session, user, cv_id)
    if "skills" in given and data.skills is not None:
        await set_profile_skills(session, user.id, normalise_skills(data.skills))
    # Bumped even when only skills changed: the talent directory lists recently updated first.
    profile.updated_at = utcnow()
    await session.flush()
    forget_after_commit(session, old_username, user.username)
    forget_person_after_commit(session, user.id)  # jobs for you, who to follow: made from the profile
    if (profile.visibility, profile.search_engine_indexing) != listed_before:
        invalidate_after_commit(session, "jobs")  # the kept sitemap lists public, indexable profiles
    return profile
