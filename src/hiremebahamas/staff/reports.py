"""The reports queue: what members reported, one entry per reported thing (however many reported
it), newest or most reported first, with a preview of it and how often its author was actioned
before (repeat offenders). Resolving an entry resolves every open report on that thing:

- `dismiss`: no violation;
- `remove_content`: a post, comment or message is removed (its author still sees a post or
  comment, marked "removed by moderators"; a message keeps its place without its text), a job is
  taken down, a profile loses its picture;
- `warn`: the author is told, with the note;
- `suspend_author`: the author is suspended (staff/service.py), with the note as the reason.

The reporters hear that their report was dealt with, the author what was done; all of it goes
in the audit log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import audit
from hiremebahamas.core.cursors import decode_cursor, encode_cursor
from hiremebahamas.core.errors import BadRequest, Conflict, NotFound
from hiremebahamas.models import (
    Base,
    Comment,
    Job,
    Message,
    Post,
    Profile,
    Report,
    ReportStatus,
    ReportTarget,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.notifications.service import notify
from hiremebahamas.notifications.types import CONTENT_REMOVED, REPORT_RESOLVED, WARNING
from hiremebahamas.profiles.cache import forget_after_commit
from hiremebahamas.staff import service

PREVIEW_LENGTH = 280


class QueueOrder(StrEnum):
    NEWEST = "newest"
    MOST_REPORTED = "most_reported"


class Resolution(StrEnum):
    DISMISS = "dismiss"
    REMOVE_CONTENT = "remove_content"
    WARN = "warn"
    SUSPEND_AUTHOR = "suspend_author"


@dataclass(frozen=True)
class Target:
    """What a report names, loaded: its author and a preview."""

    kind: ReportTarget
    id: str
    author: User | None
    preview: str
    url: str | None
    removed: bool


@dataclass(frozen=True)
class QueueEntry:
    report: Report
    """The newest open report on the target."""
    reporter: User
    report_count: int
    target: Target
    author_actioned_before: int
    """Reports on this author's content that moderators acted on before: repeat offenders."""


_MODELS: dict[ReportTarget, type[Base]] = {
    ReportTarget.POST: Post,
    ReportTarget.COMMENT: Comment,
    ReportTarget.JOB: Job,
    ReportTarget.MESSAGE: Message,
    ReportTarget.USER: User,
}


async def load_target(session: AsyncSession, kind: ReportTarget, target_id: str) -> Target:
    row = await session.get(_MODELS[kind], uuid.UUID(target_id))
    if isinstance(row, Post):
        author = await session.get(User, row.author_id)
        return Target(
            kind, target_id, author, row.body[:PREVIEW_LENGTH], f"/posts/{row.id}", row.removed_at is not None
        )
    if isinstance(row, Comment):
        author = await session.get(User, row.author_id)
        return Target(
            kind, target_id, author, row.body[:PREVIEW_LENGTH], f"/posts/{row.post_id}", row.removed_at is not None
        )
    if isinstance(row, Message):
        author = await session.get(User, row.sender_id)
        return Target(kind, target_id, author, row.body[:PREVIEW_LENGTH], None, row.removed_at is not None)
    if isinstance(row, Job):
        author = await session.get(User, row.posted_by_id) if row.posted_by_id else None
        preview = f"{row.title}: {row.description[:PREVIEW_LENGTH]}"
        return Target(kind, target_id, author, preview, f"/jobs/{row.id}-{row.slug}", row.taken_down_at is not None)
    if isinstance(row, User):
        profile = await session.get(Profile, row.id)
        headline = f" · {profile.headline}" if profile and profile.headline else ""
        return Target(kind, target_id, row, f"{row.full_name} (@{row.username}){headline}", f"/u/{row.username}", False)
    return Target(kind, target_id, None, "(deleted since it was reported)", None, True)


_GROUP = (Report.target_type, Report.target_id)


async def queue(
    session: AsyncSession, order: QueueOrder, cursor: str | None, limit: int
) -> tuple[list[QueueEntry], str | None]:
    """Open reports, one entry per target, and the cursor of the next page."""
    latest, count = func.max(Report.created_at), func.count()
    groups = select(Report.target_type, Report.target_id, latest, count).where(Report.status == ReportStatus.OPEN)
    groups = groups.group_by(*_GROUP)
    keys: tuple[Any, ...]  # the sort keys, in order: the HAVING keyset and the ORDER BY
    if order is QueueOrder.NEWEST:
        keys = (latest, Report.target_type, Report.target_id)
        if cursor:
            at, kind, target = decode_cursor(cursor, datetime, str, str)
            groups = groups.having(tuple_(*keys) < tuple_(at, kind, target))
    else:
        keys = (count, latest, Report.target_type, Report.target_id)
        if cursor:
            reports, at, kind, target = decode_cursor(cursor, int, datetime, str, str)
            groups = groups.having(tuple_(*keys) < tuple_(reports, at, kind, target))
    rows = (await session.execute(groups.order_by(*(key.desc() for key in keys)).limit(limit + 1))).all()
    entries = [await _entry(session, ReportTarget(kind), target, int(n)) for kind, target, _at, n in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        kind, target, at, n = rows[limit - 1]
        parts = (at, kind, target) if order is QueueOrder.NEWEST else (int(n), at, kind, target)
        next_cursor = encode_cursor(*parts)
    return entries, next_cursor


async def _entry(session: AsyncSession, kind: ReportTarget, target_id: str, count: int) -> QueueEntry:
    newest = (
        await session.execute(
            select(Report, User)
            .join(User, User.id == Report.reporter_id)
            .where(Report.target_type == kind, Report.target_id == target_id, Report.status == ReportStatus.OPEN)
            .order_by(Report.created_at.desc())
            .limit(1)
        )
    ).one()
    target = await load_target(session, kind, target_id)
    actioned = await _actioned_before(session, target.author) if target.author else 0
    return QueueEntry(newest[0], newest[1], count, target, actioned)


async def _actioned_before(session: AsyncSession, author: User) -> int:
    """Reports on the person, or on what they wrote, that moderators acted on."""
    about = service.reports_about(author.id, session)
    query = select(func.count()).select_from(Report).where(about, Report.status == ReportStatus.ACTIONED)
    return int((await session.execute(query)).scalar_one())


async def resolve(
    session: AsyncSession, actor: User, report_id: uuid.UUID, action: Resolution, note: str | None
) -> tuple[Report, Target]:
    report = await session.get(Report, report_id)
    if report is None:
        raise NotFound("There is no such report.")
    if report.status != ReportStatus.OPEN:
        raise Conflict("This report was resolved already.")
    target = await load_target(session, report.target_type, report.target_id)
    if action is not Resolution.DISMISS and target.author is None:
        raise BadRequest("What was reported is gone: dismiss the report.")
    if action is Resolution.REMOVE_CONTENT:
        await _remove(session, actor, target, note)
    elif action is Resolution.WARN and target.author is not None:
        await notify(session, target.author.id, WARNING, data={"note": note or "", "url": target.url or ""})
    elif action is Resolution.SUSPEND_AUTHOR and target.author is not None:
        await service.suspend(session, actor, target.author.username, note or f"Reported: {report.reason}"[:500], None)
    status = ReportStatus.DISMISSED if action is Resolution.DISMISS else ReportStatus.ACTIONED
    reporters = await _close_reports(session, actor, report, status)
    for reporter_id in reporters:
        await notify(session, reporter_id, REPORT_RESOLVED, data={"action": status.value})
    audit.record(
        session, actor, f"report.{action.value}", report.target_type.value, report.target_id, reason=note,
        after={"reports": len(reporters), "status": status.value},
    )  # fmt: skip
    await session.flush()
    return report, target


async def _close_reports(session: AsyncSession, actor: User, report: Report, status: ReportStatus) -> list[uuid.UUID]:
    """Resolve every open report on the same target; the reporters, to tell."""
    closed = await session.execute(
        update(Report)
        .where(
            Report.target_type == report.target_type,
            Report.target_id == report.target_id,
            Report.status == ReportStatus.OPEN,
        )
        .values(status=status, resolved_at=utcnow(), resolved_by_id=actor.id)
        .returning(Report.reporter_id)
        .execution_options(synchronize_session="fetch")
    )
    return list(closed.scalars())


async def _remove(session: AsyncSession, actor: User, target: Target, note: str | None) -> None:
    if target.removed:
        raise Conflict("That was removed already.")
    now, target_id = utcnow(), uuid.UUID(target.id)
    if target.kind is ReportTarget.JOB:
        await service.take_down_job(session, actor, target_id, note or "It breaks the site's rules.")
        return
    if target.kind is ReportTarget.USER:
        profile = await session.get(Profile, target_id)
        if profile is None or profile.avatar_upload_id is None:
            raise BadRequest("There is no profile picture to remove: warn or suspend instead.")
        profile.avatar_upload_id = None
        assert target.author is not None
        forget_after_commit(session, target.author.username)
    else:
        removable: dict[ReportTarget, type[Post | Comment | Message]] = {
            ReportTarget.POST: Post, ReportTarget.COMMENT: Comment, ReportTarget.MESSAGE: Message,
        }  # fmt: skip
        model = removable[target.kind]
        await session.execute(update(model).where(model.id == target_id).values(removed_at=now))
    assert target.author is not None
    await notify(
        session, target.author.id, CONTENT_REMOVED,
        data={"kind": target.kind.value, "note": note or "", "url": target.url or ""},
    )  # fmt: skip
