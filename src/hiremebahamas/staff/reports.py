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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import audit
from hiremebahamas.core.cursors import decode_cursor, encode_cursor
from hiremebahamas.core.errors import BadRequest, Conflict, NotFound
from hiremebahamas.models import (
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


TargetKey = tuple[ReportTarget, str]


def _by_kind(keys: list[TargetKey]) -> dict[ReportTarget, list[str]]:
    ids: dict[ReportTarget, list[str]] = {}
    for kind, target_id in keys:
        ids.setdefault(kind, []).append(target_id)
    return ids


def _ids(target_ids: list[str]) -> list[uuid.UUID]:
    return [uuid.UUID(target_id) for target_id in target_ids]


async def _posts(session: AsyncSession, target_ids: list[str]) -> list[Target]:
    query = select(Post, User).join(User, User.id == Post.author_id).where(Post.id.in_(_ids(target_ids)))
    return [
        Target(ReportTarget.POST, str(post.id), author, post.body[:PREVIEW_LENGTH], f"/posts/{post.id}",
               post.removed_at is not None)
        for post, author in await session.execute(query)
    ]  # fmt: skip


async def _comments(session: AsyncSession, target_ids: list[str]) -> list[Target]:
    query = select(Comment, User).join(User, User.id == Comment.author_id).where(Comment.id.in_(_ids(target_ids)))
    return [
        Target(ReportTarget.COMMENT, str(comment.id), author, comment.body[:PREVIEW_LENGTH],
               f"/posts/{comment.post_id}", comment.removed_at is not None)
        for comment, author in await session.execute(query)
    ]  # fmt: skip


async def _messages(session: AsyncSession, target_ids: list[str]) -> list[Target]:
    query = select(Message, User).join(User, User.id == Message.sender_id).where(Message.id.in_(_ids(target_ids)))
    return [
        Target(ReportTarget.MESSAGE, str(message.id), sender, message.body[:PREVIEW_LENGTH], None,
               message.removed_at is not None)
        for message, sender in await session.execute(query)
    ]  # fmt: skip


async def _jobs(session: AsyncSession, target_ids: list[str]) -> list[Target]:
    query = select(Job, User).outerjoin(User, User.id == Job.posted_by_id).where(Job.id.in_(_ids(target_ids)))
    return [
        Target(ReportTarget.JOB, str(job.id), poster, f"{job.title}: {job.description[:PREVIEW_LENGTH]}",
               f"/jobs/{job.id}-{job.slug}", job.taken_down_at is not None)
        for job, poster in await session.execute(query)
    ]  # fmt: skip


async def _people(session: AsyncSession, target_ids: list[str]) -> list[Target]:
    query = select(User, Profile.headline).outerjoin(Profile, Profile.user_id == User.id)
    targets = []
    for user, headline in await session.execute(query.where(User.id.in_(_ids(target_ids)))):
        shown = f"{user.full_name} (@{user.username})" + (f" · {headline}" if headline else "")
        targets.append(Target(ReportTarget.USER, str(user.id), user, shown, f"/u/{user.username}", False))
    return targets


_LOADERS: dict[ReportTarget, Callable[[AsyncSession, list[str]], Awaitable[list[Target]]]] = {
    ReportTarget.POST: _posts,
    ReportTarget.COMMENT: _comments,
    ReportTarget.MESSAGE: _messages,
    ReportTarget.JOB: _jobs,
    ReportTarget.USER: _people,
}


async def load_targets(session: AsyncSession, keys: list[TargetKey]) -> dict[TargetKey, Target]:
    """What the reports name, with their authors: one query per kind of thing among them, however
    many there are (the queue's page costs the same whatever its length)."""
    found = {
        (target.kind, target.id): target
        for kind, target_ids in _by_kind(keys).items()
        for target in await _LOADERS[kind](session, target_ids)
    }
    gone = "(deleted since it was reported)"
    return {key: found.get(key) or Target(key[0], key[1], None, gone, None, True) for key in keys}


async def load_target(session: AsyncSession, kind: ReportTarget, target_id: str) -> Target:
    return (await load_targets(session, [(kind, target_id)]))[(kind, target_id)]


_GROUP = (Report.target_type, Report.target_id)


async def queue(
    session: AsyncSession, order: QueueOrder, cursor: str | None, limit: int
) -> tuple[list[QueueEntry], str | None]:
    """Open reports, one entry per target, and the cursor of the next page.

    Ordered by an aggregate, the grouping reads every open report whatever the page: on
    PostgreSQL through ix_reports_status_created (open ones only), a few milliseconds at 20,000
    reports over 5,000 things, so it has no index of its own."""
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
    entries = await _entries(session, [(ReportTarget(kind), target, int(n)) for kind, target, _at, n in rows[:limit]])
    next_cursor = None
    if len(rows) > limit:
        kind, target, at, n = rows[limit - 1]
        parts = (at, kind, target) if order is QueueOrder.NEWEST else (int(n), at, kind, target)
        next_cursor = encode_cursor(*parts)
    return entries, next_cursor


def _naming_one_of(keys: list[TargetKey]) -> ColumnElement[bool]:
    """Reports on one of `keys`: an IN list per kind (the index on the target serves each)."""
    by_kind = _by_kind(keys).items()
    return or_(*(and_(Report.target_type == kind, Report.target_id.in_(ids)) for kind, ids in by_kind))


async def _entries(session: AsyncSession, page: list[tuple[ReportTarget, str, int]]) -> list[QueueEntry]:
    """The page's entries in a constant number of queries: the newest open report on each target
    with its reporter, the targets (one query per kind), the authors' records (one)."""
    if not page:
        return []
    keys = [(kind, target_id) for kind, target_id, _count in page]
    newest_first = (Report.created_at.desc(), Report.id.desc())
    rank = func.row_number().over(partition_by=_GROUP, order_by=newest_first).label("rank")
    ranked = select(Report.id, rank).where(Report.status == ReportStatus.OPEN, _naming_one_of(keys)).subquery()
    newest = await session.execute(
        select(Report, User)
        .join(ranked, ranked.c.id == Report.id)
        .join(User, User.id == Report.reporter_id)
        .where(ranked.c.rank == 1)
    )
    latest = {(report.target_type, report.target_id): (report, reporter) for report, reporter in newest}
    targets = await load_targets(session, keys)
    authors = {target.author.id for target in targets.values() if target.author is not None}
    actioned = await service.actioned_reports_about(session, authors)
    entries = []
    for kind, target_id, count in page:
        report, reporter = latest[(kind, target_id)]
        target = targets[(kind, target_id)]
        entries.append(
            QueueEntry(report, reporter, count, target, actioned.get(target.author.id, 0) if target.author else 0)
        )
    return entries


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
