"""Keyset pagination: opaque cursors over (time, id), so pages stay stable under inserts and
cost the same however deep a client scrolls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from hiremebahamas.core.cursors import decode_cursor, encode_cursor

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class Position:
    """Where a page ends: the last item's sort time and id."""

    at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        return encode_cursor(self.at, self.id)

    @classmethod
    def decode(cls, cursor: str) -> Position:
        return cls(*decode_cursor(cursor, datetime, uuid.UUID))


@dataclass(frozen=True)
class PageParams:
    cursor: Position | None
    limit: int


def newest_first_after(
    at_column: InstrumentedAttribute[datetime], id_column: InstrumentedAttribute[uuid.UUID], position: Position | None
) -> ColumnElement[bool] | None:
    """WHERE clause for the rows after `position` in (time DESC, id DESC) order."""
    if position is None:
        return None
    return or_(at_column < position.at, and_(at_column == position.at, id_column < position.id))


def oldest_first_after(
    at_column: InstrumentedAttribute[datetime], id_column: InstrumentedAttribute[uuid.UUID], position: Position | None
) -> ColumnElement[bool] | None:
    """WHERE clause for the rows after `position` in (time ASC, id ASC) order."""
    if position is None:
        return None
    return or_(at_column > position.at, and_(at_column == position.at, id_column > position.id))


def next_cursor(rows: list[Any], limit: int, at: str = "created_at") -> str | None:
    """Callers fetch limit + 1 rows: a row beyond the limit means there is a next page."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return Position(getattr(last, at), last.id).encode()
