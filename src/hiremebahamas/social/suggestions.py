"""Who to follow: people who share your skills (most shared first), then people on your island.

Bounded queries find candidates through indexes (the newest people per skill from
profile_skills by (skill, user), profiles by island) rather than scanning everyone; their choice
is remembered for CACHE_DEFAULT_TTL (core/remembered.py), and one query loads the chosen people.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from hiremebahamas.core.remembered import Memory, personal_choice, remembered_ids
from hiremebahamas.models import Profile, ProfileSkill, User
from hiremebahamas.profiles.people import PersonCard, card, people_query
from hiremebahamas.social.graph import blocked_between_clause, followee_ids

LIMIT = 10
# Who-to-follow considers this many of the newest people per skill, for up to MAX_SKILLS skills.
PER_SKILL = 200
MAX_SKILLS = 10
CHOICE = personal_choice("suggestions")


def _candidate(
    user: User, candidate_id: ColumnElement[uuid.UUID] | QueryableAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """An active, verified member who is not you, not already followed, and with no block
    either way. Needs User joined on `candidate_id`."""
    return and_(
        User.is_active.is_(True),
        User.email_verified_at.is_not(None),
        candidate_id != user.id,
        candidate_id.not_in(followee_ids(user.id)),
        ~blocked_between_clause(candidate_id, user.id),
    )


async def _sharing_skills(session: AsyncSession, user: User, limit: int) -> list[uuid.UUID]:
    """People sharing the most of your skills, among the newest PER_SKILL with each: a popular
    skill is shared by tens of thousands, and ranking them all took hundreds of milliseconds."""
    mine = select(ProfileSkill.skill_id).where(ProfileSkill.user_id == user.id).limit(MAX_SKILLS)
    skill_ids = list((await session.execute(mine)).scalars())
    if not skill_ids:
        return []
    samples = [
        select(ProfileSkill.user_id.label("user_id"))
        .where(ProfileSkill.skill_id == skill_id, ProfileSkill.user_id != user.id)
        .order_by(ProfileSkill.user_id.desc())  # ids are time-ordered: the newest accounts
        .limit(PER_SKILL)
        .subquery()
        for skill_id in skill_ids
    ]
    candidates = union_all(*(select(sample.c.user_id) for sample in samples)).subquery()
    query = (
        select(candidates.c.user_id)
        .join(User, User.id == candidates.c.user_id)
        .where(_candidate(user, candidates.c.user_id))
        .group_by(candidates.c.user_id)
        .order_by(func.count().desc(), candidates.c.user_id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def _same_island(session: AsyncSession, user: User, profile: Profile | None, limit: int) -> list[uuid.UUID]:
    if profile is None or profile.island is None:
        return []
    query = (
        select(Profile.user_id)
        .join(User, User.id == Profile.user_id)
        .where(Profile.island == profile.island, _candidate(user, Profile.user_id))
        .order_by(Profile.updated_at.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def _choose(session: AsyncSession, user: User, limit: int) -> list[uuid.UUID]:
    profile = await session.get(Profile, user.id)
    ids = await _sharing_skills(session, user, limit)
    if len(ids) < limit:
        ids += [i for i in await _same_island(session, user, profile, limit) if i not in ids]
    return ids[:limit]


async def suggestions(session: AsyncSession, memory: Memory, user: User) -> list[PersonCard]:
    """The ranking (see `_sharing_skills` and `_same_island`) is remembered per person; the
    people are loaded fresh, without those followed or blocked since."""
    ids = await remembered_ids(memory, CHOICE.key(user.id), lambda: _choose(session, user, LIMIT))
    if not ids:
        return []
    query = people_query().where(User.id.in_(ids), _candidate(user, User.id))
    by_id = {person.id: card(person, person_profile) for person, person_profile in await session.execute(query)}
    return [by_id[i] for i in ids if i in by_id]
