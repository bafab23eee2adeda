"""The search's counts, pages backwards, "did you mean", and the search page that shows them:
the number of matches and of pages, Previous and Next, empty filters kept out of the URL, the
saved search offered to everyone."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.jobs.search.schemas import JobSearch, SortOrder
from hiremebahamas.jobs.search.service import count_jobs, search_jobs
from hiremebahamas.jobs.search.suggestions import did_you_mean
from hiremebahamas.models.base import utcnow
from tests.helpers import sign_in
from tests.jobs.conftest import Person, add_jobs, post_job, set_job


async def _pages(runtime: Runtime, search: JobSearch) -> tuple[list[list[str]], list[list[str]]]:
    """Every page forwards, then every page backwards from the last one (3 jobs a page)."""
    forwards: list[list[str]] = []
    backwards: list[list[str]] = []
    async with runtime.database.sessionmaker() as session:
        page = await search_jobs(session, search, limit=3)
        assert page.previous_cursor is None
        forwards.append([card.job.title for card in page.cards])
        while page.next_cursor:
            page = await search_jobs(session, search, cursor=page.next_cursor, limit=3)
            forwards.append([card.job.title for card in page.cards])
        backwards.append(forwards[-1])
        while page.previous_cursor:
            page = await search_jobs(session, search, before=page.previous_cursor, limit=3)
            backwards.append([card.job.title for card in page.cards])
    return forwards, backwards


async def test_previous_pages_are_the_pages_seen_before_in_every_order(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    slug = company["slug"]
    for number in range(8):
        description = "Waiter wanted. " + "Serve the waiter station. " * (number % 3)
        salary = {"salary_min": None, "salary_max": 30000 + 1000 * (number % 2)}
        await add_jobs(runtime, employer, slug, [f"Waiter {number}"], description=description, **salary)
    featured = await post_job(client, employer, slug, title="Head waiter", skills=[])
    await post_job(client, employer, slug, title="Second waiter", skills=[])
    await set_job(runtime, featured["id"], featured_until=utcnow() + timedelta(days=3))
    sorts: list[SortOrder] = ["relevance", "newest", "salary"]
    for sort in sorts:
        forwards, backwards = await _pages(runtime, JobSearch(q="waiter", sort=sort))
        assert sum(len(page) for page in forwards) == 10, sort
        assert forwards[0][0] == "Head waiter", sort  # featured first, whichever way one pages
        assert backwards == list(reversed(forwards)), sort


async def test_a_count_stops_at_its_cap(runtime: Runtime, employer: Person, company: dict[str, Any]) -> None:
    await add_jobs(runtime, employer, company["slug"], [f"Cook {n}" for n in range(5)] + ["Bookkeeper"])
    async with runtime.database.sessionmaker() as session:
        assert await count_jobs(session, JobSearch()) == 6
        assert await count_jobs(session, JobSearch(q="cook")) == 5
        assert await count_jobs(session, JobSearch(q="cook"), cap=3) == 4  # "more than 3"
        assert await count_jobs(session, JobSearch(q="cook", island="exuma")) == 0


async def test_did_you_mean_corrects_words_from_open_jobs(
    runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    await add_jobs(runtime, employer, company["slug"], ["Bookkeeper", "Pool Attendant"], skills=["Accounting"])
    async with runtime.database.sessionmaker() as session:
        assert await did_you_mean(session, "bookeeper") == "bookkeeper"
        assert await did_you_mean(session, "Senior accuonting") == "Senior accounting"
        assert await did_you_mean(session, "bookkeeper") is None  # nothing to correct
        assert await did_you_mean(session, "zebra") is None  # nothing close
        assert await did_you_mean(session, "a 1 -- \"'") is None  # no words


def _link(text: str, rel: str) -> str:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', text)
    assert found is not None, rel
    return html.unescape(found.group(1))


async def test_the_page_counts_numbers_and_goes_back(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    await add_jobs(runtime, employer, company["slug"], [f"Waiter {n}" for n in range(45)])
    first = await client.get("/jobs", params={"q": "waiter"})
    assert "45 jobs · page 1 of 3" in first.text
    assert 'rel="prev"' not in first.text
    second = await client.get(_link(first.text, "next"))
    assert "45 jobs · page 2 of 3" in second.text
    third = await client.get(_link(second.text, "next"))
    assert "page 3 of 3" in third.text
    assert third.text.count('class="card job-card"') == 5
    assert 'rel="next"' not in third.text
    back = await client.get(_link(third.text, "prev"))
    assert "page 2 of 3" in back.text
    titles = re.findall(r">(Waiter \d+)</a>", back.text)
    assert titles == re.findall(r">(Waiter \d+)</a>", second.text)
    assert len(titles) == 20
    start = await client.get(_link(back.text, "prev"))
    assert "page 1 of 3" in start.text
    assert re.findall(r">(Waiter \d+)</a>", start.text) == re.findall(r">(Waiter \d+)</a>", first.text)
    assert 'rel="prev"' not in start.text
    one = await client.get("/jobs", params={"q": "waiter 7"})
    assert "1 job</p>" in one.text


async def test_empty_filters_are_left_out_of_the_url(client: httpx.AsyncClient) -> None:
    response = await client.get("/jobs?q=chef&island=&remote=&salary_min=&sort=newest")
    assert response.status_code == 303
    assert response.headers["location"] == "/jobs?q=chef&sort=newest"
    everything_empty = await client.get("/jobs?q=&island=")
    assert everything_empty.headers["location"] == "/jobs"
    assert (await client.get("/jobs?q=chef")).status_code == 200


async def test_a_search_without_results_suggests_a_spelling(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    await add_jobs(runtime, employer, company["slug"], ["Bookkeeper"])
    page = await client.get("/jobs", params={"q": "bookeeper", "island": "new_providence"})
    assert "No jobs found" in page.text
    assert "Did you mean" in page.text
    assert 'href="/jobs?q=bookkeeper&amp;island=new_providence">bookkeeper</a>?' in page.text
    found = await client.get("/jobs", params={"q": "bookkeeper"})
    assert "Did you mean" not in found.text
    assert "1 job" in found.text


async def test_saving_the_search_is_offered_on_the_result_page(client: httpx.AsyncClient, seeker: Person) -> None:
    anonymous = await client.get("/jobs", params={"q": "chef"})
    assert "to save this search" in anonymous.text
    assert 'href="/login?next=%2Fjobs%3Fq%3Dchef"' in anonymous.text
    sign_in(client, seeker)
    signed_in = await client.get("/jobs", params={"q": "chef"})
    assert "Save this search" in signed_in.text
    assert '<input type="hidden" name="q" value="chef">' in signed_in.text
