"""Job search on both engines: stemming, what is searched, filters, order, keyset pages that
hold still while jobs are added, hostile queries, and a constant number of SQL queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.jobs.search.service import fts5_query
from hiremebahamas.models.base import utcnow
from tests.helpers import counted_queries
from tests.jobs.conftest import Person, add_jobs, post_job, set_job, titles


async def _search(client: httpx.AsyncClient, **params: Any) -> list[str]:
    return titles(await client.get("/api/jobs", params=params))


async def test_stemming_finds_other_forms_of_a_word(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    await post_job(client, employer, company["slug"], title="Restaurant Manager", description="Run the dining room.")
    await post_job(
        client, employer, company["slug"], title="Pool Attendant", description="Keep guests safe.", skills=[]
    )
    assert await _search(client, q="managers") == ["Restaurant Manager"]
    assert await _search(client, q="MANAGING") == ["Restaurant Manager"]
    assert await _search(client, q="guest") == ["Pool Attendant"]  # "guests" in the description


async def test_title_description_company_and_skills_are_searched(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    await post_job(client, employer, company["slug"], title="Sous Chef", description="Prepare conch salad.", skills=[])
    await post_job(client, rival, "blue-lagoon-tours", title="Boat Captain", description="Sail.", skills=["Navigation"])
    assert await _search(client, q="conch") == ["Sous Chef"]
    assert await _search(client, q="lagoon") == ["Boat Captain"]  # the company's name
    assert await _search(client, q="navigation") == ["Boat Captain"]  # a skill
    assert await _search(client, q="chef captain") == []  # every word is required
    assert sorted(await _search(client, q="chef OR captain")) == ["Boat Captain", "Sous Chef"]
    assert await _search(client, q="salad -chef") == []
    assert await _search(client, q='"conch salad"') == ["Sous Chef"]
    assert await _search(client, q='"salad conch"') == []  # a phrase keeps its order


async def test_a_title_match_ranks_above_a_description_match(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    await post_job(
        client, employer, company["slug"], title="Housekeeper", description="Assist the accountant weekly.", skills=[]
    )
    await post_job(client, employer, company["slug"], title="Accountant", description="Keep the books.", skills=[])
    assert await _search(client, q="accountant") == ["Accountant", "Housekeeper"]
    assert await _search(client, q="accountant", sort="newest") == ["Accountant", "Housekeeper"]


async def test_filters_combine(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    slug = company["slug"]
    await post_job(client, employer, slug, title="A Nassau full-time")
    await post_job(client, employer, slug, title="B Nassau part-time", employment_type="part_time")
    await post_job(client, employer, slug, title="C Exuma full-time", island="exuma")
    await post_job(client, employer, slug, title="D Remote", island="remote", category="it")
    await post_job(client, employer, slug, title="E Low pay", salary_min=10, salary_max=12, salary_period="hour")
    await post_job(client, employer, slug, title="F No salary", salary_min=None, salary_max=None, salary_period=None)
    await post_job(client, rival, "blue-lagoon-tours", title="G Rival Nassau")
    old = await post_job(client, employer, slug, title="H Old Nassau")
    await set_job(runtime, old["id"], published_at=utcnow() - timedelta(days=20))

    assert sorted(await _search(client, island="new_providence", employment_type="full_time", company=slug)) == [
        "A Nassau full-time",
        "E Low pay",
        "F No salary",
        "H Old Nassau",
    ]
    assert await _search(client, remote="true") == ["D Remote"]
    assert "D Remote" not in await _search(client, remote="false")
    assert await _search(client, category="it", remote="true") == ["D Remote"]
    assert await _search(client, category="it", island="exuma") == []
    # Hourly pay counts as a year's worth (12 x 2080 = 24,960): above 20,000, below 30,000.
    low_paid = await _search(client, salary_min=20000, island="new_providence", company=slug, posted_within_days=7)
    assert sorted(low_paid) == ["A Nassau full-time", "B Nassau part-time", "E Low pay"]
    assert "E Low pay" not in await _search(client, salary_min=30000)
    assert "F No salary" not in await _search(client, salary_min=1)
    assert "H Old Nassau" not in await _search(client, posted_within_days=7)
    assert "H Old Nassau" in await _search(client, posted_within_days=30)
    assert await _search(client, q="rival", island="grand_bahama") == []
    bad = await client.get("/api/jobs", params={"island": "atlantis"})
    assert bad.status_code == 422


async def test_salary_sort_and_featured_jobs_first(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    slug = company["slug"]
    await post_job(client, employer, slug, title="Mid", salary_min=None, salary_max=4000, salary_period="month")
    await post_job(client, employer, slug, title="Top", salary_min=None, salary_max=90000, salary_period="year")
    await post_job(client, employer, slug, title="None", salary_min=None, salary_max=None, salary_period=None)
    featured = await post_job(
        client, employer, slug, title="Featured", salary_min=None, salary_max=None, salary_period=None
    )
    assert await _search(client, sort="salary") == ["Top", "Mid", "Featured", "None"]
    await set_job(runtime, featured["id"], featured_until=utcnow() + timedelta(days=3))
    assert await _search(client, sort="salary") == ["Featured", "Top", "Mid", "None"]
    assert (await _search(client))[0] == "Featured"
    response = await client.get("/api/jobs")
    assert [item["featured"] for item in response.json()["items"]] == [True, False, False, False]
    await set_job(runtime, featured["id"], featured_until=utcnow() - timedelta(seconds=1))
    assert await _search(client, sort="salary") == ["Top", "Mid", "Featured", "None"]  # no longer pinned


async def _all_pages(client: httpx.AsyncClient, between: Any = None, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/jobs", params=query)
        seen += titles(response)
        cursor = response.json()["next_cursor"]
        if between is not None:
            await between()
        if cursor is None:
            return seen


async def test_pages_hold_still_while_jobs_are_added(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    slug = company["slug"]
    for number in range(7):
        # Varied text (so relevance ranks differ, with ties) and salaries (with ties).
        description = "Waiter wanted. " + "Serve the waiter station. " * (number % 3)
        salary = 30000 + 1000 * (number % 2)
        overrides = {"description": description, "salary_min": None, "salary_max": salary}
        await add_jobs(runtime, employer, slug, [f"Waiter {number}"], **overrides)
    added = 0

    async def add_more() -> None:
        nonlocal added
        added += 1
        text = "Waiter waiter waiter. " * (added % 4 + 1)
        await add_jobs(runtime, employer, slug, [f"New waiter {added}"], description=text, salary_max=90000 - added)

    for sort in ("relevance", "newest", "salary"):
        before = await _all_pages(client, q="waiter", sort=sort)
        during = await _all_pages(client, add_more, q="waiter", sort=sort)
        # No job skipped or shown twice, in the same order; new ones may or may not show.
        assert [title for title in during if title in before] == before, sort
        assert len(during) == len(set(during)), sort


HOSTILE_QUERIES = [
    '"',
    '""',
    'manager"',
    "manager AND",
    "NOT manager",
    "OR",
    "-",
    "- -",
    "(manager",
    "manager)",
    "title:manager",
    "{title}: manager",
    "man*",
    "^manager",
    "NEAR(manager desk, 2)",
    "manager + desk",
    "'; DROP TABLE jobs; --",
    "\\",
    "ümlaut café",
    "🙂",
    "a" * 200,
    " ".join(f"w{n}" for n in range(60))[:200],
]


async def test_any_text_is_a_safe_query(client: httpx.AsyncClient, employer: Person, company: dict[str, Any]) -> None:
    await post_job(client, employer, company["slug"])
    for q in HOSTILE_QUERIES:
        response = await client.get("/api/jobs", params={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert await _search(client, q='manager"') == ["Front Desk Manager"]
    assert await _search(client, q="title:manager") == []  # "title" is a word here, not a column filter
    # A control character is refused before it reaches the database (see core/text.py).
    refused = await client.get("/api/jobs", params={"q": "manager\x00desk"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "bad_request"


async def test_a_too_long_query_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/jobs", params={"q": "a" * 201})
    assert response.status_code == 422
    assert "q" in response.json()["error"]["fields"]


def test_fts5_queries_quote_every_term() -> None:
    assert fts5_query("hotel managers") == '("hotel" AND "managers")'
    assert fts5_query('"front desk" OR night -audit') == '(("front desk") OR ("night")) NOT ("audit")'
    assert fts5_query('title: NEAR(x) "') == '("title" AND "NEAR x")'
    assert fts5_query("* - () OR") is None
    assert fts5_query("-only") is None


async def test_a_bad_cursor_is_a_validation_error(client: httpx.AsyncClient) -> None:
    for cursor in ("nonsense", "W10", "WyJuZXdlc3QiLDAsIng"):
        response = await client.get("/api/jobs", params={"cursor": cursor})
        assert response.status_code == 422, cursor
        assert response.json()["error"]["fields"] == {"cursor": "Not a cursor from this list."}


async def test_a_page_costs_the_same_queries_however_long_it_is(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    await add_jobs(runtime, employer, company["slug"], [f"Cook {number}" for number in range(21)], skills=["a", "b"])
    counts = {}
    for limit in (3, 20):
        for params in ({"limit": limit}, {"limit": limit, "q": "cook"}):
            with counted_queries(runtime) as log:
                response = await client.get("/api/jobs", params=params)
            assert len(response.json()["items"]) == limit
            counts[(limit, "q" in params)] = len(log.statements)
    assert counts[(3, False)] == counts[(20, False)]
    assert counts[(3, True)] == counts[(20, True)]
