"""Small SQL helpers that differ by engine or need the DBAPI's row count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Date, Delete, Update, func
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute


def dialect_name(session: AsyncSession) -> str:
    """ "postgresql" or "sqlite", read from the engine the session was made with. Not through
    `session.get_bind()`: a bind lookup outside a statement moves a unit of work that reads from
    a replica to the primary (core/db.py), and the replicas share the primary's dialect."""
    bind = session.bind
    return bind.dialect.name if bind is not None else session.get_bind().dialect.name


def dialect_insert(session: AsyncSession) -> Callable[[type[DeclarativeBase]], Any]:
    """The engine's own INSERT, the one that has ON CONFLICT."""
    return postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert


async def insert_ignoring_conflicts(session: AsyncSession, model: type[DeclarativeBase], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either engine; True when a row was inserted.

    Idempotent writes (likes, follows, webhook events) use this instead of check-then-insert,
    which races under concurrency.
    """
    insert = dialect_insert(session)
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return cast(CursorResult[Any], result).rowcount > 0


async def insert_many_ignoring_conflicts(
    session: AsyncSession, model: type[DeclarativeBase], rows: list[dict[str, Any]]
) -> None:
    """One INSERT … ON CONFLICT DO NOTHING for many rows (rows already stored are skipped)."""
    if rows:
        insert = dialect_insert(session)
        await session.execute(insert(model).values(rows).on_conflict_do_nothing())


async def add_to_counters(
    session: AsyncSession, model: type[DeclarativeBase], key: dict[str, Any], amounts: dict[str, int]
) -> None:
    """Add `amounts` to the counter columns of the row `key` names, creating it if need be, in
    one atomic INSERT … ON CONFLICT DO UPDATE (racing requests all count)."""
    insert = dialect_insert(session)
    statement = insert(model).values(**key, **amounts)
    table = model.__table__
    increments = {name: table.c[name] + statement.excluded[name] for name in amounts}
    await session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=increments))


def utc_day(session: AsyncSession, column: InstrumentedAttribute[datetime]) -> ColumnElement[date]:
    """The UTC calendar day of a timestamp column, in SQL."""
    if dialect_name(session) == "postgresql":
        return sql_cast(func.timezone("UTC", column), Date)
    return func.date(column)


async def affected_rows(session: AsyncSession, statement: Update | Delete) -> int:
    result = await session.execute(statement)
    return cast(CursorResult[Any], result).rowcount
