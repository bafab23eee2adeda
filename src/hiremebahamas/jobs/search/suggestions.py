"""A "did you mean …?" for a search that found nothing: each word of the query that is not in the
vocabulary of open jobs is replaced by the closest word that is.

The vocabulary is bounded: the words of the titles and skills of the VOCABULARY_JOBS most recently
published open jobs (read in the order of the `ix_jobs_status_published` index), so a suggestion
costs the same however many jobs there are. PostgreSQL ranks it by pg_trgm's `similarity`
(migration 0008 installs the extension); SQLite, whose data is small, reads the vocabulary and
lets difflib rank it. Only first pages without results ask, and anonymous pages are cached.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from sqlalchemy import Select, func, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.sql import dialect_name
from hiremebahamas.models import Job, JobSkill, JobStatus, Skill

VOCABULARY_JOBS = 500
MAX_WORDS = 6
MIN_LENGTH = 4
# Below this a "correction" is another word rather than the same one mistyped.
SQLITE_CUTOFF = 0.75
POSTGRES_THRESHOLD = 0.3
_WORD = re.compile(r"[^\W\d_]+")
_SPLIT = r"[^[:alpha:]]+"


def _recent_jobs() -> Any:
    return (
        select(Job.id, Job.title)
        .where(Job.status == JobStatus.OPEN)
        .order_by(Job.published_at.desc(), Job.id.desc())
        .limit(VOCABULARY_JOBS)
        .subquery("recent_jobs")
    )


def _skill_names(recent: Any) -> Select[Any]:
    return (
        select(Skill.name.label("text"))
        .join(JobSkill, JobSkill.skill_id == Skill.id)
        .where(JobSkill.job_id.in_(select(recent.c.id)))
    )


async def _postgres_closest(session: AsyncSession, word: str) -> str | None:
    recent = _recent_jobs()
    texts = union(select(func.lower(recent.c.title).label("text")), _skill_names(recent)).subquery("texts")
    vocabulary = select(func.regexp_split_to_table(texts.c.text, _SPLIT).label("word")).distinct().subquery()
    similarity = func.similarity(vocabulary.c.word, literal(word))
    statement = (
        select(vocabulary.c.word)
        .where(func.length(vocabulary.c.word) >= MIN_LENGTH, similarity >= POSTGRES_THRESHOLD)
        .order_by(similarity.desc(), vocabulary.c.word)
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def _sqlite_vocabulary(session: AsyncSession) -> list[str]:
    recent = _recent_jobs()
    titles = select(recent.c.title.label("text"))
    words: set[str] = set()
    for text in (await session.execute(union(titles, _skill_names(recent)))).scalars():
        words.update(word for word in _WORD.findall(text.lower()) if len(word) >= MIN_LENGTH)
    return sorted(words)


async def did_you_mean(session: AsyncSession, q: str) -> str | None:
    """`q` with its mistyped words corrected ("bookeeper" → "bookkeeper"), or None when no
    word has a closer match in the vocabulary than itself."""
    words = list(dict.fromkeys(word for word in _WORD.findall(q.lower()) if len(word) >= MIN_LENGTH))[:MAX_WORDS]
    if not words:
        return None
    corrections: dict[str, str] = {}
    if dialect_name(session) == "postgresql":
        for word in words:
            closest = await _postgres_closest(session, word)
            if closest is not None and closest != word:
                corrections[word] = closest
    else:
        vocabulary = await _sqlite_vocabulary(session)
        for word in words:
            if word in vocabulary:
                continue
            close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=SQLITE_CUTOFF)
            if close:
                corrections[word] = close[0]
    if not corrections:
        return None
    return _WORD.sub(lambda match: corrections.get(match.group(0).lower(), match.group(0)), q)
