"""The plans PostgreSQL picks for the hot lists: an index for every one of them.

The statements are the ones the app really sends (recorded while its own functions run), on the
demo data, with sequential scans, bitmap scans and sorts priced out (`enable_* = off`, so that
the planner takes them only when nothing else can answer): a Seq Scan that remains on a big table
means no index can serve that query, and a Sort that remains means no index gives its order.
Speed itself is measured by `make bench`, not here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.pagination import PageParams
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.demo.loader import load_demo_data
from hiremebahamas.demo.sizes import PRESETS
from hiremebahamas.jobs.postings import for_you
from hiremebahamas.jobs.search.schemas import JobSearch
from hiremebahamas.jobs.search.service import search_jobs
from hiremebahamas.messaging import repository as messages
from hiremebahamas.models import Conversation, Island, ProfileSkill, Skill, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.models.profile import TALENT_TEXT_INDEXES
from hiremebahamas.notifications.service import list_notifications
from hiremebahamas.posts import repository as posts
from hiremebahamas.profiles.talent import TalentQuery, search_talent
from hiremebahamas.social import suggestions

BIG_TABLES = frozenset(
    {"jobs", "posts", "messages", "notifications", "follows", "post_likes", "profile_skills", "job_skills"}
)


@contextmanager
def recorded(runtime: Runtime) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    engine = runtime.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _nodes(plan: dict[str, Any], parent: str | None = None) -> Iterator[tuple[str, str | None, str | None]]:
    """(node type, relation, parent node type) for every node of a JSON plan."""
    yield plan["Node Type"], plan.get("Relation Name"), parent
    for child in plan.get("Plans", []):
        yield from _nodes(child, plan["Node Type"])


async def _price_out_scans_and_sorts(session: AsyncSession) -> None:
    connection = await session.connection()
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
        await connection.exec_driver_sql(f"SET LOCAL {setting} = off")


async def _plan(session: AsyncSession, statement: str, parameters: Any) -> list[tuple[str, str | None, str | None]]:
    await _price_out_scans_and_sorts(session)
    connection = await session.connection()
    result = await connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
    document = result.scalar_one()
    return list(_nodes((json.loads(document) if isinstance(document, str) else document)[0]["Plan"]))


async def _check(runtime: Runtime, statements: list[tuple[str, Any]], *, sorted_ok: bool = False) -> None:
    assert statements, "nothing was recorded"
    async with runtime.database.sessionmaker() as session:
        for statement, parameters in statements:
            nodes = await _plan(session, statement, parameters)
            scanned = {relation for kind, relation, _ in nodes if kind == "Seq Scan"}
            assert not scanned & BIG_TABLES, (statement, nodes)
            if not sorted_ok:
                assert not any(kind in ("Sort", "Incremental Sort") for kind, _, _ in nodes), (statement, nodes)
            await session.rollback()


@pytest.fixture
async def demo(settings: Settings, runtime: Runtime) -> Runtime:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("query plans are PostgreSQL's; SQLite runs the same statements in the other tests")
    await load_demo_data(settings, PRESETS["tiny"], seed=11)
    async with runtime.database.engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
    return runtime


async def _someone(runtime: Runtime, username: str) -> User:
    async with runtime.database.sessionmaker() as session:
        return (await session.execute(select(User).where(User.username == username))).scalar_one()


@pytest.mark.parametrize(
    "search",
    [JobSearch(), JobSearch(sort="salary"), JobSearch(island=Island.NEW_PROVIDENCE)],
    ids=["newest", "salary", "island"],
)
async def test_job_search_pages_read_an_index_in_order(demo: Runtime, search: JobSearch) -> None:
    async with demo.database.sessionmaker() as session:
        first = await search_jobs(session, search, limit=2)
        assert first.next_cursor is not None
        with recorded(demo) as statements:
            await search_jobs(session, search, cursor=first.next_cursor, limit=2)
    job_queries = [(sql, params) for sql, params in statements if "FROM jobs" in sql]
    await _check(demo, job_queries)


async def test_the_featured_run_reads_its_own_small_index(demo: Runtime) -> None:
    async with demo.database.sessionmaker() as session:
        with recorded(demo) as statements:
            await search_jobs(session, JobSearch(), limit=2)
    # The featured run sorts the few featured jobs; the rest is read in index order.
    featured = [(sql, params) for sql, params in statements if "featured_until >" in sql]
    await _check(demo, featured, sorted_ok=True)


async def test_the_feed_and_its_timeline_build_read_indexes(demo: Runtime) -> None:
    reader = await _someone(demo, "demo-networker")
    async with demo.database.sessionmaker() as session:
        with recorded(demo) as building:
            entries = await posts.feed_entries(session, reader.id, 400)
        with recorded(demo) as page:
            await posts.feed_cards_by_ids(session, reader.id, [post_id for post_id, _ in entries[:21]])
    await _check(demo, building)
    await _check(demo, page, sorted_ok=True)  # sorts the 21 posts it was given


async def test_messages_and_notifications_pages_read_an_index_in_order(demo: Runtime) -> None:
    someone = await _someone(demo, "demo-seeker")
    async with demo.database.sessionmaker() as session:
        conversation = (await session.execute(select(Conversation.id).limit(1))).scalar_one()
        with recorded(demo) as statements:
            await messages.messages_before(session, conversation, None, 20)
            await list_notifications(session, someone, PageParams(None, 20))
    await _check(demo, statements)


async def _rows_read(session: AsyncSession, statements: list[tuple[str, Any]], relation: str) -> int:
    """Rows the statements really read from `relation` (EXPLAIN ANALYZE: rows x loops per scan),
    in the plan the indexes make possible: on the tiny demo data the planner may as well read a
    few more rows another way, which says nothing about the large."""
    total = 0
    await _price_out_scans_and_sorts(session)
    connection = await session.connection()
    for statement, parameters in statements:
        result = await connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
        document = result.scalar_one()
        stack = [(json.loads(document) if isinstance(document, str) else document)[0]["Plan"]]
        while stack:
            node = stack.pop()
            stack.extend(node.get("Plans", []))
            if node.get("Relation Name") == relation:
                total += int(node["Actual Rows"]) * int(node["Actual Loops"])
    return total


async def test_who_to_follow_and_jobs_for_you_rank_bounded_candidates(
    demo: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many people share a skill, the rankings read PER_SKILL of them per skill."""
    per_skill = 1
    monkeypatch.setattr(suggestions, "PER_SKILL", per_skill)
    monkeypatch.setattr(for_you, "PER_SKILL", per_skill)
    someone = await _someone(demo, "demo-seeker")
    async with demo.database.sessionmaker() as session:
        mine = select(ProfileSkill.skill_id).where(ProfileSkill.user_id == someone.id)
        skills = len((await session.execute(mine)).all())
        holders = select(func.count()).where(ProfileSkill.skill_id.in_(mine), ProfileSkill.user_id != someone.id)
        assert (await session.execute(holders)).scalar_one() > per_skill * skills  # so the bound bites
        with recorded(demo) as people:
            await suggestions._choose(session, someone, suggestions.LIMIT)
        with recorded(demo) as jobs:
            await for_you._choose(session, someone, utcnow())
        # The seeker's own skills, then `per_skill` people per skill.
        assert await _rows_read(session, people, "profile_skills") <= skills + per_skill * skills
        # The seeker's own skills, `per_skill` jobs per skill, then the skills of those candidates.
        candidates = per_skill * skills + for_you.SAME_ISLAND
        assert await _rows_read(session, jobs, "profile_skills") <= skills
        assert await _rows_read(session, jobs, "job_skills") <= per_skill * skills + candidates * skills
    # Each ranks its few candidates read through (skill, id) indexes: sorting them is fine.
    await _check(demo, people + jobs, sorted_ok=True)


def _index_names(plan: dict[str, Any]) -> Iterator[str]:
    if "Index Name" in plan:
        yield plan["Index Name"]
    for child in plan.get("Plans", []):
        yield from _index_names(child)


async def test_talent_search_finds_people_through_trigram_indexes(demo: Runtime) -> None:
    """A word is looked for through the trigram indexes of names and of headline with bio (GIN:
    bitmap scans only), never by reading every profile or account."""
    async with demo.database.sessionmaker() as session:
        word = (await session.execute(select(Skill.name).limit(1))).scalar_one().split()[0]
        with recorded(demo) as statements:
            found = await search_talent(session, None, TalentQuery(q=word), None, 20)
        assert found.items
        search = next((sql, params) for sql, params in statements if "LIKE" in sql)
        connection = await session.connection()
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        result = await connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + search[0], search[1])
        document = result.scalar_one()
        plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    scanned = {relation for kind, relation, _ in _nodes(plan) if kind == "Seq Scan"}
    assert not scanned & {"users", "profiles", "profile_skills"}, plan
    assert set(TALENT_TEXT_INDEXES) <= set(_index_names(plan)), plan
