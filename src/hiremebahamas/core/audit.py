"""The audit log: who did what to which account or content, why, with the values before and
after, the request it came with and when (the staff area's actions, and the account changes
that come of them). Written in the same unit of work as the action, so
an action and its entry commit together or not at all; never changed afterwards (the database
refuses it, migration 0009)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.observability import request_id_var
from hiremebahamas.core.pagination import Position, newest_first_after, next_cursor
from hiremebahamas.models import AuditEntry, User

COMMAND_LINE = "command line"
_EXPORT_BATCH = 500


def record(
    session: AsyncSession,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: str | uuid.UUID,
    *,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry for `action` (`actor` None: the command line)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else COMMAND_LINE,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        reason=reason,
        before=before,
        after=after,
        request_id=request_id_var.get(),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditQuery:
    target_type: str | None = None
    target_id: str | None = None
    actor_id: uuid.UUID | None = None

    def statement(self) -> Select[AuditEntry]:
        query = select(AuditEntry)
        if self.target_type is not None:
            query = query.where(AuditEntry.target_type == self.target_type)
        if self.target_id is not None:
            query = query.where(AuditEntry.target_id == self.target_id)
        if self.actor_id is not None:
            query = query.where(AuditEntry.actor_id == self.actor_id)
        return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


async def entries(session: AsyncSession, query: AuditQuery, position: Position | None, limit: int) -> list[AuditEntry]:
    """Newest first, up to `limit` after `position` (callers ask for one more to see a next page)."""
    statement = query.statement()
    if (after := newest_first_after(AuditEntry.created_at, AuditEntry.id, position)) is not None:
        statement = statement.where(after)
    return list((await session.execute(statement.limit(limit))).scalars())


async def page(
    session: AsyncSession, query: AuditQuery, position: Position | None, limit: int
) -> tuple[list[AuditEntry], str | None]:
    """A page of `entries` and the next page's cursor."""
    found = await entries(session, query, position, limit + 1)
    return found[:limit], next_cursor(found, limit)


async def every_entry(session: AsyncSession, query: AuditQuery) -> AsyncIterator[AuditEntry]:
    """All of them, newest first, read a batch at a time (the export)."""
    position: Position | None = None
    while batch := await entries(session, query, position, _EXPORT_BATCH):
        for entry in batch:
            yield entry
        position = Position(batch[-1].created_at, batch[-1].id)
