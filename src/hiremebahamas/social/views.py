"""Pages: follow / unfollow and block / unblock buttons, followers and following lists, the
people you blocked, and the who-to-follow box (`load_suggestions` + social/_suggestions.html)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts.deps import CurrentAuth, OptionalAuth, optional_auth
from hiremebahamas.core.errors import EmailUnverified, NotFound, ValidationFailed
from hiremebahamas.core.pagination import PageParams, Position
from hiremebahamas.core.remembered import Memory
from hiremebahamas.models import User
from hiremebahamas.profiles import service as profiles
from hiremebahamas.social import service
from hiremebahamas.social.suggestions import suggestions
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.rendering import is_htmx, redirect, render, safe_next

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)
PAGE_SIZE = 30


async def load_suggestions(db: AsyncSession, memory: Memory, user: User) -> dict[str, Any]:
    """Context for `{% include "social/_suggestions.html" %}`: who `user` might follow."""
    return {"suggestions": await suggestions(db, memory, user)}


async def _follow_box(request: Request, db: DbSession, viewer: User, username: str) -> Response:
    """After a follow or unfollow: the refreshed box for htmx, or back to the profile."""
    if not is_htmx(request):
        # Forms elsewhere (the who-to-follow box) send `next` to come back to their page.
        back = (await request.form()).get("next")
        return redirect(request, safe_next(back if isinstance(back, str) else None, f"/u/{username}"))
    view = await profiles.public_profile(db, viewer, username)
    return render(request, "social/_follow_box.html", {"view": view})


@router.post("/u/{username}/follow")
async def follow(request: Request, db: DbSession, auth: CurrentAuth, username: str) -> Response:
    # Checked here rather than by the VerifiedAuth dependency so the refusal renders as a page.
    if not auth.user.email_verified:
        raise EmailUnverified()
    state = await service.follow_user(db, auth.user, username)
    return await _follow_box(request, db, auth.user, state.user.username)


@router.post("/u/{username}/unfollow")
async def unfollow(request: Request, db: DbSession, auth: CurrentAuth, username: str) -> Response:
    state = await service.unfollow_user(db, auth.user, username)
    return await _follow_box(request, db, auth.user, state.user.username)


@router.post("/u/{username}/block")
async def block(request: Request, db: DbSession, auth: CurrentAuth, username: str) -> Response:
    user = await service.block_user(db, auth.user, username)
    message = f"You blocked @{user.username}. Neither of you will see the other on HireMeBahamas."
    return redirect(request, f"/u/{user.username}", flash=("success", message))


@router.post("/u/{username}/unblock")
async def unblock(request: Request, db: DbSession, auth: CurrentAuth, username: str) -> Response:
    user = await service.unblock_user(db, auth.user, username)
    return redirect(request, f"/u/{user.username}", flash=("success", f"You unblocked @{user.username}."))


def _page_params(cursor: str) -> PageParams:
    try:
        return PageParams(Position.decode(cursor) if cursor else None, PAGE_SIZE)
    except ValidationFailed:
        raise NotFound("That page of the list has expired. Start from the beginning.") from None


async def _list_page(
    request: Request, db: DbSession, auth: OptionalAuth, username: str, which: str, cursor: str
) -> Response:
    viewer = auth.user if auth else None
    person = await profiles.visible_person(db, viewer, username)
    lister = service.followers if which == "followers" else service.following
    page = await lister(db, viewer, person.user.username, _page_params(cursor))
    title = f"Followers of {person.user.full_name}" if which == "followers" else f"{person.user.full_name} follows"
    context = {"person": person, "page": page, "which": which, "title": title}
    return render(request, "social/people.html", context)


@router.get("/u/{username}/followers")
async def followers(request: Request, db: DbSession, auth: OptionalAuth, username: str, cursor: str = "") -> Response:
    return await _list_page(request, db, auth, username, "followers", cursor)


@router.get("/u/{username}/following")
async def following(request: Request, db: DbSession, auth: OptionalAuth, username: str, cursor: str = "") -> Response:
    return await _list_page(request, db, auth, username, "following", cursor)


@router.get("/profile/blocked")
async def blocked(request: Request, db: DbSession, auth: CurrentAuth, cursor: str = "") -> Response:
    page = await service.blocked_people(db, auth.user, _page_params(cursor))
    return render(request, "social/blocked.html", {"page": page})
