"""JSON API: follow / unfollow, block / unblock, followers and following lists."""

from __future__ import annotations

from fastapi import APIRouter

from hiremebahamas.accounts.deps import CurrentUser, OptionalAuth, VerifiedAuth
from hiremebahamas.core.pagination import Page
from hiremebahamas.profiles.schemas import PersonOut
from hiremebahamas.social import service
from hiremebahamas.social.schemas import BlockStateOut, FollowStateOut
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.openapi import UPGRADE_REQUIRED
from hiremebahamas.web.pagination import Paging

router = APIRouter(prefix="/users", tags=["social"])


def _follow_out(state: service.FollowState) -> FollowStateOut:
    return FollowStateOut(
        username=state.user.username,
        following=state.following,
        followers_count=state.followers_count,
        following_count=state.following_count,
    )


def _people(page: service.PeoplePage) -> Page[PersonOut]:
    return Page(items=[person.out() for person in page.items], next_cursor=page.next_cursor)


@router.get("/me/blocked")
async def blocked(user: CurrentUser, db: DbSession, paging: Paging) -> Page[PersonOut]:
    """People you blocked, most recent first."""
    return _people(await service.blocked_people(db, user, paging))


@router.post("/{username}/follow", responses=UPGRADE_REQUIRED)
async def follow(username: str, auth: VerifiedAuth, db: DbSession) -> FollowStateOut:
    """Idempotent. 400 for yourself; 404 when they are unknown or either of you blocked the other."""
    return _follow_out(await service.follow_user(db, auth.user, username))


@router.delete("/{username}/follow")
async def unfollow(username: str, user: CurrentUser, db: DbSession) -> FollowStateOut:
    """Idempotent."""
    return _follow_out(await service.unfollow_user(db, user, username))


@router.post("/{username}/block")
async def block(username: str, user: CurrentUser, db: DbSession) -> BlockStateOut:
    """Idempotent. Ends follows both ways; neither of you sees the other's profile or posts."""
    blocked_user = await service.block_user(db, user, username)
    return BlockStateOut(username=blocked_user.username, blocked=True)


@router.delete("/{username}/block")
async def unblock(username: str, user: CurrentUser, db: DbSession) -> BlockStateOut:
    unblocked = await service.unblock_user(db, user, username)
    return BlockStateOut(username=unblocked.username, blocked=False)


@router.get("/{username}/followers")
async def followers(username: str, auth: OptionalAuth, db: DbSession, paging: Paging) -> Page[PersonOut]:
    return _people(await service.followers(db, auth.user if auth else None, username, paging))


@router.get("/{username}/following")
async def following(username: str, auth: OptionalAuth, db: DbSession, paging: Paging) -> Page[PersonOut]:
    return _people(await service.following(db, auth.user if auth else None, username, paging))
