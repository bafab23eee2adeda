"""The help centre: the index by section, articles rendered from Markdown, search, and the
links that lead to it."""

from __future__ import annotations

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.support import library
from tests.profiles.factory import member
from tests.profiles.test_views import log_in


def test_every_article_loads_with_a_known_section() -> None:
    articles = library.articles()
    assert {"getting-started-seekers", "getting-started-employers", "faq", "privacy"} <= set(articles)
    for section, items in library.by_section():
        assert items, f"{section} has no article"
    assert sum(len(items) for _, items in library.by_section()) == len(articles)


def test_an_article_without_its_header_is_refused() -> None:
    with pytest.raises(ValueError, match="no header"):
        library.parse_article("broken", "# Just text\n")
    with pytest.raises(ValueError, match="section"):
        library.parse_article("broken", "---\ntitle: T\nsummary: S\nsection: Gossip\n---\nText")


async def test_the_index_lists_each_section(client: httpx.AsyncClient) -> None:
    page = await client.get("/help")
    assert page.status_code == 200
    for section in library.SECTIONS:
        assert f">{section}</h2>" in page.text
    assert 'href="/help/hiring-pipeline"' in page.text


async def test_an_article_is_rendered_markdown(client: httpx.AsyncClient) -> None:
    page = await client.get("/help/hiring-pipeline")
    assert page.status_code == 200
    assert "<h1>The hiring pipeline</h1>" in page.text
    assert "<strong>Interview</strong>" in page.text
    assert (await client.get("/help/no-such-page")).status_code == 404


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("reset password", "troubleshooting-sign-in"),
        ("Business", "posting-jobs"),
        ("grace period", "privacy"),
        ("recovery cod", "two-step-verification"),  # the last word as a prefix, as people type
        ("DOCX", "applying"),
    ],
)
def test_search_finds_the_article(query: str, first: str) -> None:
    assert first in [article.slug for article in library.search(query)]


async def test_search_page_escapes_the_query_and_bounds_it(client: httpx.AsyncClient) -> None:
    page = await client.get("/help", params={"q": "<script>alert(1)</script>"})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "No help page matches" in page.text
    long = await client.get("/help", params={"q": "password " * 100})
    assert long.status_code == 200
    assert "password " * 30 not in long.text  # cut at 200 characters
    found = await client.get("/help", params={"q": "two-step"})
    assert 'href="/help/two-step-verification"' in found.text
    assert library.search("") == []


async def test_the_footer_and_empty_states_lead_to_help(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert 'href="/help"' in (await client.get("/jobs")).text
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    for path, link in [
        ("/", "/help/getting-started-seekers"),
        ("/applications", "/help/applying"),
        ("/messages", "/help/privacy"),
    ]:
        page = await client.get(path)
        assert page.status_code == 200, path
        assert f'href="{link}"' in page.text, path
