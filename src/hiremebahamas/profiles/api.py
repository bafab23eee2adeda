"""JSON API: your own account and profile (/api/users/me…), public profiles and the talent
directory."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from hiremebahamas.accounts.deps import CurrentUser, OptionalAuth
from hiremebahamas.accounts.schemas import UserOut
from hiremebahamas.core import metrics
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from hiremebahamas.legal.service import acceptance_required
from hiremebahamas.models import Island, User
from hiremebahamas.profiles import entries, service
from hiremebahamas.profiles.cache import ProfileCache
from hiremebahamas.profiles.indexing import robots_tagged
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
from hiremebahamas.web.deps import AppRuntime, AppSettings, DbSession
from hiremebahamas.web.openapi import NOT_FOUND

# /me routes are declared before /{username} so "me" is never looked up as a username
# (it is a reserved one anyway).
users_router = APIRouter(prefix="/users", tags=["profiles"])
talent_router = APIRouter(tags=["profiles"])


async def _me(db: DbSession, settings: AppSettings, user: User) -> MeOut:
    view = await service.own_profile(db, user)
    return MeOut(
        user=UserOut.model_validate(user),
        profile=view.own_out(),
        terms_acceptance_required=acceptance_required(settings, user),
    )


@users_router.get("/me")
async def get_me(user: CurrentUser, db: DbSession, settings: AppSettings) -> MeOut:
    return await _me(db, settings, user)


@users_router.patch("/me", responses=NOT_FOUND)
async def update_me(body: ProfileUpdateIn, user: CurrentUser, db: DbSession, settings: AppSettings) -> MeOut:
    """Any subset of: first_name, last_name, username, headline, bio, island, skills, links,
    avatar_upload_id (an upload of purpose "avatar"), available_for_hire (which also lists you in
    the talent directory), visibility, and the privacy controls messages_from,
    search_engine_indexing and read_receipts."""
    await service.update_profile(db, user, body)
    return await _me(db, settings, user)


@users_router.get("/me/suggestions")
async def who_to_follow(user: CurrentUser, db: DbSession, runtime: AppRuntime) -> Page[PersonOut]:
    """Up to 10 people who share your skills or island and whom you do not follow yet."""
    people = await suggestions(db, runtime.memory, user)
    return Page(items=[person.out() for person in people], next_cursor=None)


def _entry_routes(
    name: str,
    kind: entries.EntryKind[Any],
    new: type[BaseModel],
    changes: type[BaseModel],
    out: type[BaseModel],
    envelope: type[BaseModel],
) -> None:
    """Add, edit and delete for one kind of profile entry, at /me/<name>, answered as
    `{"<name>": <out>}`: the same three routes for each kind, so they are written once."""

    def entry_out(entry: Any) -> BaseModel:
        return envelope(**{name: out.model_validate(entry)})

    async def add(body: BaseModel, user: CurrentUser, db: DbSession) -> BaseModel:
        return entry_out(await entries.add_entry(db, user, kind, body))

    async def update(entry_id: uuid.UUID, body: BaseModel, user: CurrentUser, db: DbSession) -> BaseModel:
        return entry_out(await entries.update_entry(db, user, kind, entry_id, body))

    async def delete(entry_id: uuid.UUID, user: CurrentUser, db: DbSession) -> Response:
        await entries.delete_entry(db, user, kind, entry_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    # FastAPI takes the request body's model from the annotation, and only here is it known.
    add.__annotations__["body"] = new
    update.__annotations__["body"] = changes
    # The names make the operation ids ("profiles-add_experience", ...).
    many, one = f"/me/{name}", f"/me/{name}/{{entry_id:uuid}}"
    users_router.post(many, status_code=status.HTTP_201_CREATED, response_model=envelope, name=f"add_{name}")(add)
    users_router.patch(one, response_model=envelope, name=f"update_{name}")(update)
    users_router.delete(one, status_code=status.HTTP_204_NO_CONTENT, name=f"delete_{name}")(delete)


_entry_routes("experience", entries.EXPERIENCE, ExperienceIn, ExperienceUpdateIn, ExperienceOut, ExperienceEnvelope)
_entry_routes("education", entries.EDUCATION, EducationIn, EducationUpdateIn, EducationOut, EducationEnvelope)


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
        body = PublicProfileEnvelope(profile=view.out()).model_dump_json()
        return robots_tagged(Response(body, media_type="application/json"), view.profile.search_engine_indexing)
    cache = ProfileCache(runtime.store, runtime.settings.cache_user_ttl)
    key = await cache.key(username)
    if (cached := await cache.read(db, key, username)) is not None:
        return robots_tagged(Response(cached.body, media_type="application/json"), cached.indexable)
    view = await service.public_profile(db, None, username)
    body = PublicProfileEnvelope(profile=view.out()).model_dump_json()
    await cache.write(key, view.user.id, body)
    return robots_tagged(Response(body, media_type="application/json"), view.profile.search_engine_indexing)


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
