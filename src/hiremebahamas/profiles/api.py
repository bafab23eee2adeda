"""JSON API: your own account and profile (/api/users/me…), public profiles and the talent
directory."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from hiremebahamas.accounts.deps import CurrentUser, OptionalAuth
from hiremebahamas.accounts.schemas import UserOut
from hiremebahamas.core import metrics
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from hiremebahamas.models import Island, User
from hiremebahamas.profiles import entries, service
from hiremebahamas.profiles.cache import ProfileCache
from hiremebahamas.profiles.schemas import (
    EducationEnvelope,
    EducationIn,
    EducationOut,
    EducationUpdateIn,
    ExperienceEnvelope,
    ExperienceIn,
    ExperienceOut,
    ExperienceUpdateIn,
    MeOut,
    PersonOut,
    ProfileUpdateIn,
    PublicProfileEnvelope,
    TalentOut,
    TalentSort,
)
from hiremebahamas.profiles.talent import TalentQuery, search_talent
from hiremebahamas.social.suggestions import suggestions
from hiremebahamas.web.deps import AppRuntime, DbSession
from hiremebahamas.web.openapi import NOT_FOUND

# /me routes are declared before /{username} so "me" is never looked up as a username
# (it is a reserved one anyway).
users_router = APIRouter(prefix="/users", tags=["profiles"])
talent_router = APIRouter(tags=["profiles"])


async def _me(db: DbSession, user: User) -> MeOut:
    view = await service.own_profile(db, user)
    return MeOut(user=UserOut.model_validate(user), profile=view.own_out())


@users_router.get("/me")
async def get_me(user: CurrentUser, db: DbSession) -> MeOut:
    return await _me(db, user)


@users_router.patch("/me", responses=NOT_FOUND)
async def update_me(body: ProfileUpdateIn, user: CurrentUser, db: DbSession) -> MeOut:
    """Any subset of: first_name, last_name, username, headline, bio, island, skills, links,
    avatar_upload_id (an upload of purpose "avatar"), available_for_hire, visibility."""
    await service.update_profile(db, user, body)
    return await _me(db, user)


@users_router.get("/me/suggestions")
async def who_to_follow(user: CurrentUser, db: DbSession, runtime: AppRuntime) -> Page[PersonOut]:
    """Up to 10 people who share your skills or island and whom you do not follow yet."""
    people = await suggestions(db, runtime.memory, user)
    return Page(items=[person.out() for person in people], next_cursor=None)


@users_router.post("/me/experience", status_code=status.HTTP_201_CREATED)
async def add_experience(body: ExperienceIn, user: CurrentUser, db: DbSession) -> ExperienceEnvelope:
    entry = await entries.add_entry(db, user, entries.EXPERIENCE, body)
    return ExperienceEnvelope(experience=ExperienceOut.model_validate(entry))


@users_router.patch("/me/experience/{entry_id:uuid}")
async def update_experience(
    entry_id: uuid.UUID, body: ExperienceUpdateIn, user: CurrentUser, db: DbSession
) -> ExperienceEnvelope:
    entry = await entries.update_entry(db, user, entries.EXPERIENCE, entry_id, body)
    return ExperienceEnvelope(experience=ExperienceOut.model_validate(entry))


@users_router.delete("/me/experience/{entry_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_experience(entry_id: uuid.UUID, user: CurrentUser, db: DbSession) -> Response:
    await entries.delete_entry(db, user, entries.EXPERIENCE, entry_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.post("/me/education", status_code=status.HTTP_201_CREATED)
async def add_education(body: EducationIn, user: CurrentUser, db: DbSession) -> EducationEnvelope:
    entry = await entries.add_entry(db, user, entries.EDUCATION, body)
    return EducationEnvelope(education=EducationOut.model_validate(entry))


@users_router.patch("/me/education/{entry_id:uuid}")
async def update_education(
    entry_id: uuid.UUID, body: EducationUpdateIn, user: CurrentUser, db: DbSession
) -> EducationEnvelope:
    entry = await entries.update_entry(db, user, entries.EDUCATION, entry_id, body)
    return EducationEnvelope(education=EducationOut.model_validate(entry))


@users_router.delete("/me/education/{entry_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_education(entry_id: uuid.UUID, user: CurrentUser, db: DbSession) -> Response:
    await entries.delete_entry(db, user, entries.EDUCATION, entry_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.get("/{username}", response_model=PublicProfileEnvelope)
# Not kept by the server: a suspension made outside the services must hide the profile at once,
# which only a check against the database at each request can tell (profiles/cache.py).
@shared_when_anonymous(area=None)
async def get_profile(username: str, auth: OptionalAuth, db: DbSession, runtime: AppRuntime) -> Response:
    """404 when the username is unknown, when either of you blocked the other, and, for
    visitors who are not signed in, when the profile is visible to members only.

    Anonymous visitors (crawlers, shared links) all see the same thing, so their answer is
    cached (profiles/cache.py). Signed-in viewers, the author above all, always get it fresh."""
    if auth is not None:
        metrics.count_cache("profile", "bypass")
        view = await service.public_profile(db, auth.user, username)
        return Response(PublicProfileEnvelope(profile=view.out()).model_dump_json(), media_type="application/json")
    cache = ProfileCache(runtime.store, runtime.settings.cache_user_ttl)
    key = await cache.key(username)
    if (cached := await cache.read(db, key, username)) is not None:
        return Response(cached, media_type="application/json")
    view = await service.public_profile(db, None, username)
    body = PublicProfileEnvelope(profile=view.out()).model_dump_json()
    await cache.write(key, view.user.id, body)
    return Response(body, media_type="application/json")


@talent_router.get("/talent")
async def talent(
    auth: OptionalAuth,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    island: Island | None = None,
    skill: Annotated[str, Query(max_length=60)] = "",
    sort: TalentSort | None = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[TalentOut]:
    """People available for hire. `q` matches words in names, headlines, bios and skills;
    `skill` is an exact skill tag; `sort` is "best" (default when `q` is given) or "newest"."""
    query = TalentQuery(q=q, island=island, skill=skill, sort=sort)
    page = await search_talent(db, auth.user.id if auth else None, query, cursor, limit)
    items = [result.person.talent_out(result.skills) for result in page.items]
    return Page(items=items, next_cursor=page.next_cursor)
