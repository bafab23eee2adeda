"""Small SQL helpers that differ by engine or need the DBAPI's row count."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_ignoring_conflicts(session: AsyncSession, model: type[DeclarativeBase], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either engine; True when a row was inserted.

    Idempotent writes (likes, follows, webhook events) use this instead of check-then-insert,
    which races under concurrency.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return cast(CursorResult[Any], result).rowcount > 0


async def affected_rows(session: AsyncSession, statement: Update | Delete) -> int:
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount
