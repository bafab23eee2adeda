"""Who viewed a profile: a signed-in member who opens someone else's profile (the page or the
API) is noted once a day as its viewer, and the weekly digest tells people who viewed them.

Noting a view writes nothing in the request, which is a read and may be served by a replica:
the views of one process are gathered (core/tasks.py `gathered_task`) and the worker stores them
a few hundred at a time, a row per profile, day and viewer. A process killed outright loses up
to a second of views, which costs a line in a digest at most. Anonymous visitors are never
noted, and rows are kept for VIEWERS_KEPT_DAYS.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import tasks
from hiremebahamas.core.schedule import claim_period
from hiremebahamas.core.sql import insert_many_ignoring_conflicts
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.models import ProfileViewer, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles.people import visible_to

VIEWERS_KEPT_DAYS = 90
PRUNE = "profile_viewers_prune"


def note(session: AsyncSession, viewer: User | None, profile_id: uuid.UUID) -> None:
    """Note that `viewer` looked at the profile of `profile_id` today (not their own; not a visitor)."""
    if viewer is None or viewer.id == profile_id:
        return
    tasks.batch(session, store_viewers, "views").append(
        {"profile_id": str(profile_id), "viewer_id": str(viewer.id), "day": utcnow().date().isoformat()}
    )


@tasks.gathered_task("views", seconds=1.0, most=500)
async def store_viewers(context: TaskContext, views: list[dict[str, Any]]) -> None:
    """Store the views, once per profile, day and viewer. A view by or of an account erased
    meanwhile is dropped (its rows would break the batch's foreign keys)."""
    rows = {
        (uuid.UUID(view["profile_id"]), date.fromisoformat(view["day"]), uuid.UUID(view["viewer_id"])) for view in views
    }
    async with tasks.unit_of_work(context) as session:
        ids = {profile_id for profile_id, _, _ in rows} | {viewer_id for _, _, viewer_id in rows}
        existing = set((await session.execute(select(User.id).where(User.id.in_(ids)))).scalars())
        kept = [
            {"profile_id": profile_id, "day": day, "viewer_id": viewer_id}
            for profile_id, day, viewer_id in sorted(rows)
            if profile_id in existing and viewer_id in existing
        ]
        await insert_many_ignoring_conflicts(session, ProfileViewer, kept)


def _since(profile_id: uuid.UUID, since: datetime) -> list[ColumnElement[bool]]:
    return [
        ProfileViewer.profile_id == profile_id,
        ProfileViewer.day >= since.date(),
        User.id == ProfileViewer.viewer_id,
        visible_to(profile_id),  # active, and neither blocked the other
        User.deletion_requested_at.is_(None),
    ]


async def viewers_since(
    session: AsyncSession, profile_id: uuid.UUID, since: datetime, most: int
) -> tuple[int, list[User]]:
    """How many people viewed the profile since `since` (by day), and the `most` latest of them."""
    where = _since(profile_id, since)
    total = (
        await session.execute(select(func.count(func.distinct(ProfileViewer.viewer_id))).where(*where))
    ).scalar_one()
    if not total:
        return 0, []
    latest = func.max(ProfileViewer.day)
    query = select(User).where(*where).group_by(User.id).order_by(latest.desc(), User.id.desc()).limit(most)
    return int(total), list((await session.execute(query)).scalars())


async def forget_old_views(context: TaskContext, now: datetime | None = None) -> None:
    """Forget views older than VIEWERS_KEPT_DAYS, once a day whichever process gets there first."""
    today = (now or utcnow()).date()
    if not await claim_period(context, PRUNE, today.isoformat()):
        return
    async with tasks.unit_of_work(context) as session:
        await session.execute(
            delete(ProfileViewer).where(ProfileViewer.day < today - timedelta(days=VIEWERS_KEPT_DAYS))
        )
