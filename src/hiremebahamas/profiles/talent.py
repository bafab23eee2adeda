"""The talent directory ("HireMe"): people available for hire, by text, skill and island.

Text search splits the query into words and counts, per person, how many of them match:
a word found among their skills scores 2, one found in their name, headline or bio scores 1.
"best" orders by that score, "newest" by when the profile was last updated. Pages are
keyset-paginated on (score, updated_at, id), so page 50 costs what page 1 costs. Matching is
LIKE on lower-cased text so it behaves the same on SQLite and PostgreSQL.

Only people who match at least one word are scored: `_matching_people` finds them through the
texts each word can be in, one table at a time, which on PostgreSQL the trigram indexes of
migration 0008 serve (names, headline with bio; skill names are few) instead of a scan of
everyone available. A word has no spaces, so it matches two texts joined by a space exactly when it
matches one of them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, case, exists, func, literal, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.cursors import decode_cursor, encode_cursor
from hiremebahamas.models import Island, Profile, ProfileSkill, Skill, User
from hiremebahamas.profiles.people import PersonCard, card, visible_to
from hiremebahamas.profiles.schemas import TalentSort
from hiremebahamas.profiles.skills import normalise_skill, skills_by_user

MAX_TERMS = 8


@dataclass(frozen=True)
class TalentQuery:
    q: str = ""
    island: Island | None = None
    skill: str = ""
    sort: TalentSort | None = None

    @property
    def terms(self) -> list[str]:
        words: list[str] = []
        for word in self.q.lower().split():
            word = word[:60]
            if word not in words:
                words.append(word)
        return words[:MAX_TERMS]

    @property
    def effective_sort(self) -> TalentSort:
        """Best match when there is text to match, newest otherwise (unless asked)."""
        if self.sort is not None:
            return self.sort
        return "best" if self.terms else "newest"


@dataclass(frozen=True)
class TalentCursor:
    score: int
    at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        return encode_cursor(self.score, self.at, self.id)

    @classmethod
    def decode(cls, cursor: str) -> TalentCursor:
        return cls(*decode_cursor(cursor, int, datetime, uuid.UUID))


@dataclass(frozen=True)
class TalentResult:
    person: PersonCard
    skills: list[str]


@dataclass(frozen=True)
class TalentPage:
    items: list[TalentResult]
    next_cursor: str | None


def _has_skill(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(ProfileSkill.user_id == Profile.user_id, ProfileSkill.skill_id == Skill.id, condition)


def _found(text: ColumnElement[str], terms: list[str]) -> ColumnElement[bool]:
    return or_(*(text.contains(term, autoescape=True) for term in terms))


def _text_selects(terms: list[str]) -> tuple[Select[uuid.UUID], Select[uuid.UUID]]:
    """The people with one of `terms` in their name, and those with one in headline or bio."""
    by_name = select(User.id).where(_found(func.lower(User.first_name + " " + User.last_name), terms))
    by_text = select(Profile.user_id).where(_found(func.lower(Profile.headline + " " + Profile.bio), terms))
    return by_name, by_text


def _with_text(terms: list[str]) -> CompoundSelect[uuid.UUID]:
    return union(*_text_selects(terms))


def _with_skill(terms: list[str]) -> Select[uuid.UUID]:
    """The people with one of `terms` in a skill's name."""
    found = _found(Skill.name.expression, terms)
    return select(ProfileSkill.user_id).join(Skill, Skill.id == ProfileSkill.skill_id).where(found)


def _matching_people(terms: list[str]) -> ColumnElement[bool]:
    """The profiles where at least one of `terms` is found: the same people as `_score > 0`."""
    return Profile.user_id.in_(union(*_text_selects(terms), _with_skill(terms)))  # one flat UNION, for SQLite


def _score(terms: list[str]) -> ColumnElement[int]:
    """How well a person matches `terms` (at least one): each term's two sets are found once per
    query and each candidate is looked up in them, instead of matching its texts again."""
    scores = [
        case((Profile.user_id.in_(_with_skill([term])), 2), else_=0)
        + case((Profile.user_id.in_(_with_text([term])), 1), else_=0)
        for term in terms
    ]
    total = scores[0]
    for score in scores[1:]:
        total = total + score
    return total


def _after(score: ColumnElement[int], cursor: TalentCursor) -> ColumnElement[bool]:
    """Rows after `cursor` in (score DESC, updated_at DESC, id DESC) order."""
    same_score_later = or_(
        Profile.updated_at < cursor.at, and_(Profile.updated_at == cursor.at, Profile.user_id < cursor.id)
    )
    return or_(score < cursor.score, and_(score == cursor.score, same_score_later))


async def search_talent(
    session: AsyncSession, viewer_id: uuid.UUID | None, query: TalentQuery, cursor: str | None, limit: int
) -> TalentPage:
    """Two queries: the page of people, then their skills."""
    terms = query.terms
    # "best" ranks by how well the words match; without words every score is 0 and the order
    # is newest (a literal 0 in ORDER BY would be read as a column position).
    ranked = query.effective_sort == "best" and bool(terms)
    score = _score(terms) if ranked else literal(0)
    # Unverified accounts stay out of the directory: it must not be a free billboard for spam.
    statement = (
        select(User, Profile, score.label("score"))
        .join(Profile, Profile.user_id == User.id)
        .where(Profile.available_for_hire.is_(True), User.email_verified_at.is_not(None), visible_to(viewer_id))
    )
    if terms:
        statement = statement.where(_matching_people(terms))
    if query.island is not None:
        statement = statement.where(Profile.island == query.island)
    if skill := normalise_skill(query.skill):
        statement = statement.where(_has_skill(Skill.name == skill))
    if cursor:
        statement = statement.where(_after(score, TalentCursor.decode(cursor)))
    if ranked:
        statement = statement.order_by(score.desc())
    statement = statement.order_by(Profile.updated_at.desc(), Profile.user_id.desc()).limit(limit + 1)
    rows = (await session.execute(statement)).all()
    skills = await skills_by_user(session, [user.id for user, _, _ in rows[:limit]])
    items = [TalentResult(card(user, profile), skills.get(user.id, [])) for user, profile, _ in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        _, last_profile, last_score = rows[limit - 1]
        next_cursor = TalentCursor(int(last_score), last_profile.updated_at, last_profile.user_id).encode()
    return TalentPage(items, next_cursor)
