"""Small SQL helpers that differ by engine or need the DBAPI's row count."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def dialect_name(session: AsyncSession) -> str:
    """ "postgresql" or "sqlite", read from the engine the session was made with. Not through
    `session.get_bind()`: a bind lookup outside a statement moves a unit of work that reads from
    a replica to the primary (core/db.py), and the replicas share the primary's dialect."""
    bind = session.bind
    return bind.dialect.name if bind is not None else session.get_bind().dialect.name


async def insert_ignoring_conflicts(session: AsyncSession, model: type[DeclarativeBase], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either engine; True when a row was inserted.

    Idempotent writes (likes, follows, webhook events) use this instead of check-then-insert,
    which races under concurrency.
    """
    insert = postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return cast(CursorResult[Any], result).rowcount > 0


async def affected_rows(session: AsyncSession, statement: Update | Delete) -> int:
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount
