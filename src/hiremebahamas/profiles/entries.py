"""Experience and education entries: only their owner adds, edits or deletes them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import Conflict, NotFound, ValidationFailed
from hiremebahamas.models import Education, Experience, User
from hiremebahamas.profiles.cache import forget_after_commit

# Enough for any career; stops a script from filling a profile with thousands of rows.
MAX_ENTRIES = 50

Entry = TypeVar("Entry", Experience, Education)


async def _owned(session: AsyncSession, model: type[Entry], user: User, entry_id: uuid.UUID) -> Entry:
    """Your own entry; someone else's is as unknown as a missing one."""
    entry = await session.get(model, entry_id)
    if entry is None or entry.user_id != user.id:
        raise NotFound("That entry is not on your profile.")
    return entry


async def _room_for_one_more(session: AsyncSession, model: type[Entry], user: User) -> None:
    count = (await session.execute(select(func.count()).where(model.user_id == user.id))).scalar_one()
    if count >= MAX_ENTRIES:
        raise Conflict(f"A profile can list at most {MAX_ENTRIES} of these. Remove an old one first.")


def _check_dates(start: date, end: date | None) -> None:
    if start > date.today():
        message = "The start date cannot be in the future."
        raise ValidationFailed(message, fields={"start_date": message})
    if end is not None and end < start:
        message = "The end date cannot be before the start date."
        raise ValidationFailed(message, fields={"end_date": message})


def _check_years(start: int | None, end: int | None) -> None:
    if start is not None and end is not None and end < start:
        message = "The end year cannot be before the start year."
        raise ValidationFailed(message, fields={"end_year": message})


@dataclass(frozen=True)
class EntryKind(Generic[Entry]):
    """One kind of profile entry: its model, the optional fields a null clears, and the rule its
    dates follow."""

    model: type[Entry]
    clearable: frozenset[str]
    check: Callable[[Entry], None]


EXPERIENCE = EntryKind(
    Experience,
    # "I still work here" clears the end date.
    frozenset({"island", "end_date"}),
    lambda entry: _check_dates(entry.start_date, entry.end_date),
)
EDUCATION = EntryKind(
    Education, frozenset({"start_year", "end_year"}), lambda entry: _check_years(entry.start_year, entry.end_year)
)


async def add_entry(session: AsyncSession, user: User, kind: EntryKind[Entry], data: BaseModel) -> Entry:
    await _room_for_one_more(session, kind.model, user)
    entry = kind.model(user_id=user.id, **data.model_dump())
    kind.check(entry)
    session.add(entry)
    await session.flush()
    forget_after_commit(session, user.username)
    return entry


async def update_entry(
    session: AsyncSession, user: User, kind: EntryKind[Entry], entry_id: uuid.UUID, data: BaseModel
) -> Entry:
    entry = await _owned(session, kind.model, user, entry_id)
    for name in data.model_fields_set:
        value = getattr(data, name)
        if value is not None or name in kind.clearable:
            setattr(entry, name, value)
    kind.check(entry)
    await session.flush()
    forget_after_commit(session, user.username)
    return entry


async def delete_entry(session: AsyncSession, user: User, kind: EntryKind[Entry], entry_id: uuid.UUID) -> None:
    await session.delete(await _owned(session, kind.model, user, entry_id))
    await session.flush()
    forget_after_commit(session, user.username)
