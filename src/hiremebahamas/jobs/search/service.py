"""Job search: full-text matching and ranking on either engine, filters, keyset pages.

Text search
    PostgreSQL: `jobs.search_vector` (generated tsvector, GIN index) `@@ websearch_to_tsquery`,
    ranked by `ts_rank` (title weighs most, then company and skills, then the description).
    SQLite: the FTS5 table `jobs_fts` (porter stemming), `MATCH` with a query we build from the
    words of `q` (each term quoted, so no user text is ever read as FTS5 syntax), ranked by
    `bm25` with the same column weights. See `fts5_query`.

Order
    Featured jobs first, then relevance (when there is a text query), newest, or salary;
    the job id breaks ties. All keys descend. The featured jobs and the rest are two runs, each
    read in its key's index order (see `build_query`).

Pages
    Keyset: the cursor carries the sort keys of the last job shown (or, going back, of the first
    job shown: a `before` cursor reads the same order backwards from it). For relevance the rank is
    not taken from the cursor but recomputed for that last job with the current index (its id
    is in the cursor): SQLite's bm25 depends on corpus statistics, so the number a page saw can
    drift when jobs are added; comparing against the anchor job's current rank keeps the order
    consistent. The cursor's rank is only a fallback when the anchor job no longer matches.

A page costs two queries, the jobs with their companies and then the skills of those jobs,
plus one more on a page that starts among the featured jobs (see `search_jobs`).

Counts
    `count_jobs` counts the matches up to a cap (a LIMIT inside the count), so a search that
    matches every job reads at most the cap's rows; pages say "more than 1,000 jobs" beyond it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Uuid,
    and_,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.core.cursors import Kind, decode_cursor, encode_cursor
from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.sql import dialect_name
from hiremebahamas.jobs.postings.cards import JobCard, load_cards
from hiremebahamas.jobs.search.schemas import JobSearch, SortOrder
from hiremebahamas.models import Company, Job, JobStatus
from hiremebahamas.models.base import utcnow

MAX_TERMS = 16
COUNT_CAP = 1000
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')
# unicode61 splits on everything that is not a letter or a digit (the underscore included).
_WORD = re.compile(r"[^\W_]+")
# Column weights: title, keywords (company and skills), description.
_WEIGHTS = (10.0, 5.0, 1.0)
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")


def fts5_query(q: str) -> str | None:
    """An FTS5 MATCH expression for what someone typed, or None when it has no words.

    Understands what websearch_to_tsquery does: words (all required), "quoted phrases", OR
    between alternatives and -word to exclude. Every term is emitted as a quoted string, so
    FTS5 operators, column filters and stray quotes in `q` are just words.
    """
    groups: list[list[str]] = [[]]
    excluded: list[str] = []
    count = 0
    for match in _CHUNK.finditer(q):
        phrase, word = match.groups()
        if word is not None and word.upper() == "OR":
            if groups[-1]:
                groups.append([])
            continue
        negate = word is not None and word.startswith("-")
        words = _WORD.findall(phrase if phrase is not None else word)
        if not words or count >= MAX_TERMS:
            continue
        count += 1
        term = '"' + " ".join(words) + '"'
        (excluded if negate else groups[-1]).append(term)
    alternatives = [" AND ".join(group) for group in groups if group]
    if not alternatives:
        return None
    expression = " OR ".join(f"({alternative})" for alternative in alternatives)
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return expression


# What the last sort key of a page is, by sort order.
_KEY_KINDS: dict[SortOrder, Kind] = {"newest": datetime, "relevance": float, "salary": int}


@dataclass(frozen=True)
class Cursor:
    sort: SortOrder
    featured: int
    key: Any
    id: uuid.UUID

    def encode(self) -> str:
        return encode_cursor(self.sort, self.featured, self.key, self.id)

    @classmethod
    def decode(cls, value: str, sort: SortOrder) -> Cursor:
        saved_sort, featured, key, id_ = decode_cursor(value, str, int, _KEY_KINDS[sort], uuid.UUID)
        if saved_sort != sort:
            raise ValidationFailed("That cursor is not valid.", fields={"cursor": "A cursor of another sort order."})
        return cls(sort, featured, key, id_)


@dataclass(frozen=True)
class SearchPage:
    cards: list[JobCard]
    next_cursor: str | None
    previous_cursor: str | None = None


@dataclass(frozen=True)
class _TextMatch:
    condition: ColumnElement[bool] | None
    rank: ColumnElement[float]
    join: Any | None
    anchor_rank: Any


def _is_postgres(session: AsyncSession) -> bool:
    return dialect_name(session) == "postgresql"


def _postgres_match(q: str) -> _TextMatch:
    query = func.websearch_to_tsquery(_ENGLISH, q)
    vector: ColumnElement[Any] = literal_column("jobs.search_vector")
    anchor = table("jobs", column("id", Uuid()), column("search_vector")).alias("anchor_job")

    def anchor_rank(job_id: uuid.UUID) -> Any:
        return (
            select(func.ts_rank(anchor.c.search_vector, query))
            .where(anchor.c.id == job_id, anchor.c.search_vector.op("@@")(query))
            .scalar_subquery()
        )

    return _TextMatch(vector.op("@@")(query), func.ts_rank(vector, query), None, anchor_rank)


def _sqlite_matches(expression: str) -> Any:
    fts = table("jobs_fts", column("job_id", Uuid()))
    rank = -func.bm25(literal_column("jobs_fts"), 0.0, *_WEIGHTS)
    return (
        select(fts.c.job_id.label("job_id"), rank.label("rank"))
        .where(literal_column("jobs_fts").op("MATCH")(expression))
        .subquery()
    )


def _sqlite_match(expression: str) -> _TextMatch:
    matches = _sqlite_matches(expression)

    def anchor_rank(job_id: uuid.UUID) -> Any:
        anchor = _sqlite_matches(expression)
        return select(anchor.c.rank).where(anchor.c.job_id == job_id).scalar_subquery()

    return _TextMatch(None, matches.c.rank, matches, anchor_rank)


def _text_match(session: AsyncSession, q: str) -> _TextMatch | None:
    expression = fts5_query(q)
    if expression is None:
        return None
    return _postgres_match(q) if _is_postgres(session) else _sqlite_match(expression)


def _filters(search: JobSearch, now: datetime) -> list[ColumnElement[bool]]:
    # Expired jobs drop out at once, whether or not the expiry task has marked them yet.
    conditions: list[ColumnElement[bool]] = [Job.status == JobStatus.OPEN, Job.valid_through > now]
    if search.island is not None:
        conditions.append(Job.island == search.island)
    if search.employment_type is not None:
        conditions.append(Job.employment_type == search.employment_type)
    if search.remote is not None:
        conditions.append(Job.remote.is_(search.remote))
    if search.salary_min is not None and search.salary_min > 0:
        conditions.append(Job.salary_annual_max >= search.salary_min)
    if search.category is not None:
        conditions.append(Job.category == search.category)
    if search.company:
        conditions.append(Company.slug == search.company)
    if search.posted_within_days is not None:
        conditions.append(Job.published_at >= now - timedelta(days=search.posted_within_days))
    return conditions


def _after(keys: list[Any], values: list[Any], *, backwards: bool = False) -> ColumnElement[bool]:
    """Rows after `values` in (keys…) descending order (before them when `backwards`)."""

    def beyond(key: Any, value: Any) -> ColumnElement[bool]:
        return key > value if backwards else key < value  # type: ignore[no-any-return]

    clause: ColumnElement[bool] = beyond(keys[-1], values[-1])
    for key, value in reversed(list(zip(keys[:-1], values[:-1], strict=True))):
        clause = or_(beyond(key, value), and_(key == value, clause))
    return clause


def _sort_of(search: JobSearch, text: _TextMatch | None) -> SortOrder:
    return search.sort if text is not None or search.sort != "relevance" else "newest"


def build_query(
    search: JobSearch,
    text: _TextMatch | None,
    *,
    now: datetime,
    featured: bool | None = None,
    after: Cursor | None = None,
    backwards: bool = False,
    extra: Collection[ColumnElement[bool]] = (),
) -> Select[Any]:
    """The search statement (selecting Job, Company, featured, sort key); `text` is the match of
    `search.q` (`_text_match`), built once per search.

    `featured` picks one of the two runs of a result list (True: the pinned jobs, False: the
    rest, None: both, unordered by it); each run is ordered by its sort key alone, which an index
    serves (a CASE on featured_until before the key would make every page sort every match).
    `backwards` reads the run in the reverse order, from `after` towards the first result.
    """
    sort = _sort_of(search, text)
    key: Any
    if sort == "relevance":
        assert text is not None
        key = text.rank
    elif sort == "salary":
        key = Job.salary_annual_max
    else:
        key = Job.published_at
    statement = select(Job, Company, literal(int(bool(featured))).label("featured"), key.label("sort_key")).join(
        Company, Company.id == Job.company_id
    )
    conditions = [*_filters(search, now), *extra]
    if featured is True:
        conditions.append(Job.featured_until > now)
    elif featured is False:
        conditions.append(or_(Job.featured_until.is_(None), Job.featured_until <= now))
    if text is not None:
        if text.join is not None:
            statement = statement.join(text.join, text.join.c.job_id == Job.id)
        if text.condition is not None:
            conditions.append(text.condition)
    if after is not None:
        value: Any = after.key
        if sort == "relevance":
            assert text is not None
            value = func.coalesce(text.anchor_rank(after.id), literal(float(after.key), Float()))
        conditions.append(_after([key, Job.id], [value, after.id], backwards=backwards))
    order = (key.asc(), Job.id.asc()) if backwards else (key.desc(), Job.id.desc())
    return statement.where(*conditions).order_by(*order)


async def search_jobs(
    session: AsyncSession,
    search: JobSearch,
    *,
    cursor: str | None = None,
    before: str | None = None,
    limit: int = 20,
    now: datetime | None = None,
    extra: Collection[ColumnElement[bool]] = (),
) -> SearchPage:
    """A page of results: featured jobs first, then the rest. A page that starts among the
    featured jobs and runs past them takes the first of the rest in a second query.

    With `before` (a page's `previous_cursor`) it is the page that ends just before that job,
    read backwards: from the rest into the featured jobs."""
    now = now or utcnow()
    text = _text_match(session, search.q) if search.q else None
    sort = _sort_of(search, text)
    if before is not None:
        return await _page_before(session, search, text, Cursor.decode(before, sort), limit, now, extra)
    position = Cursor.decode(cursor, sort) if cursor else None
    runs = [True, False] if position is None or position.featured else [False]
    rows: list[Any] = []
    for featured in runs:
        after = position if position is not None and bool(position.featured) == featured else None
        statement = build_query(search, text, now=now, featured=featured, after=after, extra=extra)
        rows += (await session.execute(statement.limit(limit + 1 - len(rows)))).all()
        if len(rows) > limit:
            break
    shown = rows[:limit]
    cards = await load_cards(session, [(row[0], row[1]) for row in shown])
    next_cursor = _cursor_of(sort, rows[limit - 1]) if len(rows) > limit else None
    previous_cursor = _cursor_of(sort, shown[0]) if position is not None and shown else None
    return SearchPage(cards, next_cursor, previous_cursor)


async def _page_before(
    session: AsyncSession,
    search: JobSearch,
    text: _TextMatch | None,
    position: Cursor,
    limit: int,
    now: datetime,
    extra: Collection[ColumnElement[bool]],
) -> SearchPage:
    sort = _sort_of(search, text)
    runs = [True] if position.featured else [False, True]
    rows: list[Any] = []
    for featured in runs:
        after = position if bool(position.featured) == featured else None
        statement = build_query(
            search, text, now=now, featured=featured, after=after, backwards=after is not None, extra=extra
        )
        if after is None:  # the featured run, entered from its end
            statement = statement.order_by(None).order_by(statement.selected_columns.sort_key.asc(), Job.id.asc())
        rows += (await session.execute(statement.limit(limit + 1 - len(rows)))).all()
        if len(rows) > limit:
            break
    shown = list(reversed(rows[:limit]))
    cards = await load_cards(session, [(row[0], row[1]) for row in shown])
    previous_cursor = _cursor_of(sort, shown[0]) if len(rows) > limit else None
    next_cursor = _cursor_of(sort, shown[-1]) if shown else None
    return SearchPage(cards, next_cursor, previous_cursor)


def _cursor_of(sort: SortOrder, row: Any) -> str:
    return Cursor(sort, int(row.featured), row.sort_key, row[0].id).encode()


async def count_jobs(
    session: AsyncSession, search: JobSearch, *, cap: int = COUNT_CAP, now: datetime | None = None
) -> int:
    """How many jobs match `search`, counted up to `cap` + 1 (a page says "more than `cap`")."""
    text = _text_match(session, search.q) if search.q else None
    matching = build_query(search, text, now=now or utcnow()).order_by(None).with_only_columns(Job.id)
    statement = select(func.count()).select_from(matching.limit(cap + 1).subquery())
    return int((await session.execute(statement)).scalar_one())


def note_search(session: AsyncSession, search: JobSearch, page: SearchPage) -> None:
    """Log a search by words (first pages only) for the analytics' search figures: the words
    and whether anything was found, without who searched. Answers a cache shared are not
    computed again, so a search repeated within the cache's lifetime counts once."""
    if search.q:
        terms = " ".join(search.q.lower().split())[:100]
        record(session, Event.SEARCH_RUN, None, terms=terms, results=len(page.cards))


async def matches(session: AsyncSession, search: JobSearch, job_id: uuid.UUID, now: datetime | None = None) -> bool:
    """Whether the job `job_id` is among the results of `search` (used by job alerts)."""
    text = _text_match(session, search.q) if search.q else None
    statement = build_query(search, text, now=now or utcnow(), extra=[Job.id == job_id])
    return (await session.execute(statement.limit(1))).first() is not None
