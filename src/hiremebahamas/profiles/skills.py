"""Skill tags: normalised so "Customer  Service" and "customer service" are one searchable tag."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.models import ProfileSkill, Skill
from hiremebahamas.profiles.schemas import MAX_SKILL_LENGTH, MAX_SKILLS

_SPACES = re.compile(r"\s+")


def normalise_skill(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def normalise_skills(texts: Iterable[str], *, most: int = MAX_SKILLS) -> list[str]:
    """Trimmed, lower-cased, de-duplicated tags in the order given (a profile's or a job's, at
    most `most` of them); blanks are dropped."""
    tags: list[str] = []
    for text in texts:
        tag = normalise_skill(text)
        if not tag:
            continue
        if len(tag) > MAX_SKILL_LENGTH:
            message = f"Keep each skill to {MAX_SKILL_LENGTH} characters (“{tag[:20]}…” is longer)."
            raise ValidationFailed(message, fields={"skills": message})
        if tag not in tags:
            tags.append(tag)
    if len(tags) > most:
        message = f"List at most {most} skills."
        raise ValidationFailed(message, fields={"skills": message})
    return tags


async def skill_ids(session: AsyncSession, names: list[str]) -> dict[str, uuid.UUID]:
    """Find or create a Skill row per name. Two people adding a new tag at once both succeed:
    the insert ignores the unique-name conflict and the ids are read back afterwards."""
    if not names:
        return {}
    query = select(Skill.name, Skill.id).where(Skill.name.in_(names))
    found = dict((await session.execute(query)).all())
    missing = [name for name in names if name not in found]
    for name in missing:
        await insert_ignoring_conflicts(session, Skill, name=name)
    if missing:
        query = select(Skill.name, Skill.id).where(Skill.name.in_(missing))
        found.update((await session.execute(query)).all())
    return found


async def set_profile_skills(session: AsyncSession, user_id: uuid.UUID, names: list[str]) -> None:
    """Replace the user's skills with `names` (already normalised), kept in that order."""
    ids = await skill_ids(session, names)
    await session.execute(delete(ProfileSkill).where(ProfileSkill.user_id == user_id))
    for position, name in enumerate(names):
        await insert_ignoring_conflicts(session, ProfileSkill, user_id=user_id, skill_id=ids[name], position=position)


async def skill_names(
    session: AsyncSession,
    owner: InstrumentedAttribute[uuid.UUID],
    skill: InstrumentedAttribute[uuid.UUID],
    owner_ids: Iterable[uuid.UUID],
    position: InstrumentedAttribute[int] | None = None,
) -> dict[uuid.UUID, list[str]]:
    """Skill names of many owners (people, jobs) in one query: `owner` and `skill` are the
    columns of the table that links them to skills. In the order of its `position` column where
    it has one (what the person typed), then alphabetical."""
    ids = list(set(owner_ids))
    if not ids:
        return {}
    order = [Skill.name] if position is None else [position, Skill.name]
    query = select(owner, Skill.name).join(Skill, Skill.id == skill).where(owner.in_(ids)).order_by(*order)
    result: dict[uuid.UUID, list[str]] = defaultdict(list)
    for owner_id, name in await session.execute(query):
        result[owner_id].append(name)
    return dict(result)


async def skills_by_user(session: AsyncSession, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    return await skill_names(session, ProfileSkill.user_id, ProfileSkill.skill_id, user_ids, ProfileSkill.position)
