"""Pages: public profiles (/u/<username>), editing your own (/profile/edit), the talent directory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from hiremebahamas.accounts.deps import CurrentAuth, OptionalAuth, optional_auth
from hiremebahamas.accounts.views import account_settings_page
from hiremebahamas.core.errors import AppError, NotFound, ValidationFailed
from hiremebahamas.core.http_cache import marked_private, shared_when_anonymous
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Island, Profile, ProfileVisibility, UploadPurpose, User
from hiremebahamas.profiles import entries, service
from hiremebahamas.profiles.avatars import set_avatar
from hiremebahamas.profiles.cache import ProfileCache
from hiremebahamas.profiles.cvs import profile_cv
from hiremebahamas.profiles.forms import LINK_ROWS, link_errors, profile_form, submitted_profile
from hiremebahamas.profiles.indexing import robots_tagged
from hiremebahamas.profiles.people import island_options
from hiremebahamas.profiles.schemas import EducationIn, ExperienceIn, ProfileUpdateIn, TalentSort
from hiremebahamas.profiles.talent import TalentQuery, search_talent
from hiremebahamas.uploads.forms import file_chosen, upload_from_form
from hiremebahamas.uploads.service import upload_url
from hiremebahamas.web.deps import AppRuntime, DbSession, request_ip
from hiremebahamas.web.forms import Refusal, form_text, refused_form, render_form
from hiremebahamas.web.rendering import FLASH_COOKIE, redirect, render

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)

TALENT_PAGE = 20
MESSAGES_FROM_MESSAGE = "Choose who may message you: everyone, people you follow or nobody."


@router.get("/u/{username}")
# Not kept by the response cache: a suspension made outside the services must hide the profile
# at once, which only a check against the database at each request can tell. The anonymous page
# is kept by profiles/cache.py instead, which makes that check on every hit.
@shared_when_anonymous(area=None)
async def profile_page(
    request: Request, db: DbSession, auth: OptionalAuth, runtime: AppRuntime, username: str
) -> Response:
    if auth is not None:
        row = await service.find_person(db, username)
        if row is not None and await service.has_blocked(db, auth.user.id, row[0].id):
            # The one person who may still reach a blocked profile: whoever blocked it, to undo it.
            return render(request, "profiles/blocked.html", {"person": row[0]})
        return _profile_response(request, await service.public_profile(db, auth.user, username))
    if FLASH_COOKIE in request.cookies:  # a message to show once: this answer is not everyone's
        return _profile_response(request, await service.public_profile(db, None, username))
    cache = ProfileCache(runtime.store, runtime.settings.cache_user_ttl, kind="profile_page")
    key = await cache.key(username)
    if (cached := await cache.read(db, key, username)) is not None:
        return robots_tagged(HTMLResponse(cached.body), cached.indexable)
    view = await service.public_profile(db, None, username)
    response = _profile_response(request, view)
    if "set-cookie" not in response.headers and not marked_private(request.scope):
        await cache.write(key, view.user.id, bytes(response.body).decode())
    return response


def _profile_response(request: Request, view: service.ProfileView) -> Response:
    response = render(request, "profiles/profile.html", {"view": view})
    return robots_tagged(response, view.profile.search_engine_indexing)


async def _edit_page(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    *,
    form: dict[str, Any] | None = None,
    refusal: Refusal | None = None,
    **extra: Any,
) -> Response:
    view = await service.own_profile(db, auth.user)
    context = {
        "view": view,
        "islands": island_options(),
        "visibilities": [
            (v.value, "Everyone" if v == ProfileVisibility.PUBLIC else "Members only") for v in ProfileVisibility
        ],
        "experience_form": extra.get("experience_form", {}),
        "education_form": extra.get("education_form", {}),
        "section_errors": extra.get("section_errors", {}),
        "cv": await profile_cv(db, auth.user.id),
        "upload_url": upload_url,
    }
    return render_form(
        request, "profiles/edit.html", context, form or profile_form(auth.user, view.profile, view.skills), refusal
    )


@router.get("/profile/edit")
async def edit_page(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    return await _edit_page(request, db, auth)


@router.post("/profile/edit")
async def edit_submit(request: Request, db: DbSession, runtime: AppRuntime, auth: CurrentAuth) -> Response:
    """One form for the page's fields and the files chosen on it (picture, CV): "Save profile"
    keeps a picture chosen in the picture section too."""
    raw = await request.form()

    def text(name: str) -> str:
        value = raw.get(name, "")
        return value if isinstance(value, str) else ""

    form: dict[str, Any] = {
        name: text(name) for name in ("first_name", "last_name", "username", "headline", "bio", "island", "skills")
    }
    form["visibility"] = text("visibility") or ProfileVisibility.PUBLIC.value
    form["available_for_hire"] = bool(text("available_for_hire"))
    form["links"] = [{"label": text(f"link_label_{i}"), "url": text(f"link_url_{i}")} for i in range(LINK_ROWS)]
    try:
        data = ProfileUpdateIn.model_validate(submitted_profile(form))
        profile = await service.update_profile(db, auth.user, data)
        ip = request_ip(request)
        if file_chosen(raw.get("avatar")):
            await _replace_avatar(db, runtime, auth.user, profile, raw.get("avatar"), ip)
        cv = await upload_from_form(db, runtime, auth.user, UploadPurpose.CV, raw.get("cv"), field="cv", ip=ip)
        if cv is not None:
            await service.update_profile(db, auth.user, ProfileUpdateIn(cv_upload_id=cv.id))
    except (ValidationError, AppError) as exc:
        refusal = await refused_form(request, db, exc)
        refusal = refusal._replace(errors=link_errors(refusal.errors, form))
        return await _edit_page(request, db, auth, form=form, refusal=refusal, section_errors=_file_errors(refusal))
    return redirect(request, f"/u/{auth.user.username}", flash=("success", "Your profile was saved."))


def _file_errors(refusal: Refusal) -> dict[str, dict[str, str]]:
    """A refused picture or CV is shown in its own section of the page."""
    errors = refusal.errors
    return {section: {section: errors[section]} for section in ("avatar", "cv") if section in errors}


@router.post("/profile/cv/remove")
async def remove_cv(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    """The file stays with the applications it was sent with; the profile stops offering it."""
    await service.update_profile(db, auth.user, ProfileUpdateIn(cv_upload_id=None))
    return redirect(request, "/profile/edit#cv", flash=("success", "Your CV was removed from your profile."))


async def _section_failed(
    request: Request, db: DbSession, auth: CurrentAuth, section: str, form: dict[str, Any], exc: Exception
) -> Response:
    """The edit page again, with the refused section's form as it was filled in and its messages
    in that section; the page's own form is shown as saved."""
    assert isinstance(exc, AppError | ValidationError)
    refusal = await refused_form(request, db, exc)
    return await _edit_page(
        request,
        db,
        auth,
        refusal=refusal._replace(errors={}),
        section_errors={section: refusal.errors},
        **{f"{section}_form": form},
    )


async def _replace_avatar(
    session: AsyncSession, runtime: Runtime, user: User, profile: Profile, file: UploadFile | str | None, ip: str
) -> None:
    """Store the edit page's file as the user's new profile picture."""
    upload = await upload_from_form(session, runtime, user, UploadPurpose.AVATAR, file, field="avatar", ip=ip)
    if upload is None:
        message = "Choose a picture to upload."
        raise ValidationFailed(message, fields={"avatar": message})
    await set_avatar(session, user, profile, upload)


@router.post("/account/privacy")
async def privacy_submit(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    """The account page's privacy controls; the same service call as PATCH /api/users/me."""
    form = await form_text(request, "messages_from", "available_for_hire", "search_engine_indexing", "read_receipts")
    try:
        data = ProfileUpdateIn.model_validate(
            {"messages_from": form["messages_from"]}
            | {name: bool(form[name]) for name in ("available_for_hire", "search_engine_indexing", "read_receipts")}
        )
        await service.update_profile(db, auth.user, data)
    except (ValidationError, AppError) as exc:
        refusal = await refused_form(request, db, exc)
        errors = refusal.errors | (
            {"messages_from": MESSAGES_FROM_MESSAGE} if "messages_from" in refusal.errors else {}
        )
        return await account_settings_page(request, db, auth, refusal.status_code, errors=errors, error=refusal.message)
    return redirect(request, "/account#privacy", flash=("success", "Your privacy settings were saved."))


@router.post("/profile/avatar")
async def upload_avatar(request: Request, db: DbSession, runtime: AppRuntime, auth: CurrentAuth) -> Response:
    """A normal multipart form (no script needed); the uploads service checks and re-encodes it."""
    file = (await request.form()).get("avatar")
    try:
        profile = await service.get_or_create_profile(db, auth.user)
        await _replace_avatar(db, runtime, auth.user, profile, file, request_ip(request))
    except AppError as exc:
        return await _section_failed(request, db, auth, "avatar", {}, exc)
    return redirect(request, "/profile/edit#picture", flash=("success", "Your profile picture was updated."))


@router.post("/profile/avatar/remove")
async def remove_avatar(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    await service.update_profile(db, auth.user, ProfileUpdateIn(avatar_upload_id=None))
    return redirect(request, "/profile/edit#picture", flash=("success", "Your profile picture was removed."))


@dataclass(frozen=True)
class _Section:
    """A kind of profile entry as its section of the edit page shows it."""

    kind: entries.EntryKind[Any]
    anchor: str
    added: str
    removed: str


def _section_forms(
    section: _Section, model: type[BaseModel], fields: tuple[str, ...], *, optional: tuple[str, ...]
) -> None:
    """The routes of a section's forms: /profile/<anchor> adds the entry the form describes (a
    blank optional field is unset), /profile/<anchor>/<id>/delete removes one."""

    async def add(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
        form = await form_text(request, *fields)
        try:
            data = model.model_validate(form | {name: form[name].strip() or None for name in optional})
            await entries.add_entry(db, auth.user, section.kind, data)
        except (ValidationError, AppError) as exc:
            return await _section_failed(request, db, auth, section.anchor, form, exc)
        return redirect(request, f"/profile/edit#{section.anchor}", flash=("success", section.added))

    async def delete(request: Request, db: DbSession, auth: CurrentAuth, entry_id: uuid.UUID) -> Response:
        await entries.delete_entry(db, auth.user, section.kind, entry_id)
        return redirect(request, f"/profile/edit#{section.anchor}", flash=("success", section.removed))

    router.post(f"/profile/{section.anchor}", name=f"add_{section.anchor}")(add)
    router.post(f"/profile/{section.anchor}/{{entry_id}}/delete", name=f"delete_{section.anchor}")(delete)


_section_forms(
    _Section(entries.EXPERIENCE, "experience", "Experience added.", "Experience removed."),
    ExperienceIn,
    ("title", "company_name", "island", "start_date", "end_date", "description"),
    optional=("island", "start_date", "end_date"),
)
_section_forms(
    _Section(entries.EDUCATION, "education", "Education added.", "Education removed."),
    EducationIn,
    ("school", "degree", "field_of_study", "start_year", "end_year"),
    optional=("start_year", "end_year"),
)


@router.get("/talent")
async def talent_page(
    request: Request,
    db: DbSession,
    auth: OptionalAuth,
    q: str = "",
    island: str = "",
    skill: str = "",
    sort: str = "",
    cursor: str = "",
) -> Response:
    form = {"q": q[:200], "island": island, "skill": skill[:60], "sort": sort}
    chosen_island = Island(island) if island in Island._value2member_map_ else None
    chosen_sort: TalentSort | None = "newest" if sort == "newest" else "best" if sort == "best" else None
    query = TalentQuery(q=form["q"], island=chosen_island, skill=form["skill"], sort=chosen_sort)
    try:
        page = await search_talent(db, auth.user.id if auth else None, query, cursor or None, TALENT_PAGE)
    except ValidationFailed:
        raise NotFound("That page of results has expired. Start the search again.") from None
    next_params = {k: v for k, v in form.items() if v} | {"cursor": page.next_cursor or ""}
    context = {
        "form": form,
        "page": page,
        "next_params": next_params,
        "islands": island_options(),
        "searched": bool(q or island or skill),
    }
    return render(request, "profiles/talent.html", context)
