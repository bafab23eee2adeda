"""The demo data loads on both engines, the app works on it, and its counters match its rows."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select, text

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from hiremebahamas.demo.loader import DemoRefused, LoadResult, load_demo_data
from hiremebahamas.demo.sizes import PRESETS
from hiremebahamas.jobs.postings.indexing import search_keywords, skills_by_job
from hiremebahamas.jobs.postings.markdown import plain_text, render_markdown
from hiremebahamas.jobs.postings.service import yearly_salary_top
from hiremebahamas.models import Company, Job, Tier, User


async def _scalar(runtime: Runtime, sql: str) -> int:
    async with runtime.database.engine.connect() as connection:
        return int((await connection.execute(text(sql))).scalar_one())


async def sign_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post(
        "/api/auth/login", json={"email": f"{username}@{DEMO_EMAIL_DOMAIN}", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_every_table_is_filled_and_summarised(tiny: LoadResult, runtime: Runtime) -> None:
    for table in ("users", "posts", "post_likes", "comments", "follows", "jobs", "job_applications", "messages"):
        assert tiny.stats[table].rows == await _scalar(runtime, f"SELECT count(*) FROM {table}") > 0  # noqa: S608
    assert tiny.stats["users"].rows == PRESETS["tiny"].users
    assert await _scalar(runtime, "SELECT count(DISTINCT tier) FROM subscriptions") == 2  # Pro and Business
    assert await _scalar(runtime, "SELECT count(DISTINCT to_status) FROM application_events") == 7


async def test_demo_users_sign_in_search_jobs_and_read_their_feed(tiny: LoadResult, client: httpx.AsyncClient) -> None:
    jobs = await client.get("/api/jobs")
    assert jobs.status_code == 200
    assert jobs.json()["items"]
    featured = [item for item in jobs.json()["items"] if item["featured"]]
    assert featured
    assert jobs.json()["items"][0]["featured"]
    # The networker follows the most people: their feed has posts.
    headers = await sign_in(client, "demo-networker")
    feed = await client.get("/api/feed", headers=headers)
    assert feed.status_code == 200
    assert feed.json()["items"]
    me = await client.get("/api/users/me", headers=headers)
    assert me.json()["user"]["email_verified"] is True


async def test_company_logos_are_served(tiny: LoadResult, client: httpx.AsyncClient, runtime: Runtime) -> None:
    async with runtime.database.sessionmaker() as session:
        company = (await session.execute(select(Company).where(Company.logo_upload_id.is_not(None)))).scalars().first()
    assert company is not None
    page = await client.get(f"/api/companies/{company.slug}")
    assert page.status_code == 200
    logo = await client.get(page.json()["company"]["logo_url"])
    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/webp"


@pytest.mark.parametrize(
    "sql",
    [
        # Counters on posts are the counts of their rows.
        "SELECT count(*) FROM posts p WHERE like_count <> (SELECT count(*) FROM post_likes l WHERE l.post_id = p.id)",
        "SELECT count(*) FROM posts p WHERE comment_count <> (SELECT count(*) FROM comments c WHERE c.post_id = p.id)",
        # A conversation points at its newest message, and both inboxes are ordered by it.
        """SELECT count(*) FROM conversations c WHERE last_message_id <> (
             SELECT m.id FROM messages m WHERE m.conversation_id = c.id
             ORDER BY m.created_at DESC, m.id DESC LIMIT 1)""",
        """SELECT count(*) FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
           WHERE p.last_message_at <> c.last_message_at""",
        # Unread: the other person's messages after this side's read position.
        """SELECT count(*) FROM conversation_participants p WHERE unread_count <> (
             SELECT count(*) FROM messages m WHERE m.conversation_id = p.conversation_id AND m.sender_id <> p.user_id
             AND (p.last_read_message_at IS NULL OR m.created_at > p.last_read_message_at))""",
        # An application's status is where its history ends.
        """SELECT count(*) FROM job_applications a WHERE status <> (
             SELECT e.to_status FROM application_events e WHERE e.application_id = a.id
             ORDER BY e.created_at DESC LIMIT 1)""",
        "SELECT count(*) FROM users WHERE email <> username || '@demo.hiremebahamas.com'",
        # Free accounts keep within their plan's follow limit.
        """SELECT count(*) FROM (SELECT follower_id FROM follows GROUP BY follower_id HAVING count(*) > 100) f
           WHERE NOT EXISTS (
             SELECT 1 FROM subscriptions s WHERE s.user_id = f.follower_id AND s.status <> 'canceled')""",
    ],
)
async def test_counters_and_denormalised_fields_match_rows(tiny: LoadResult, runtime: Runtime, sql: str) -> None:
    assert await _scalar(runtime, sql) == 0


async def test_jobs_are_indexed_as_the_job_service_would(tiny: LoadResult, runtime: Runtime) -> None:
    async with runtime.database.sessionmaker() as session:
        rows = (await session.execute(select(Job, Company).join(Company, Company.id == Job.company_id))).all()
        skills = await skills_by_job(session, [job.id for job, _ in rows])
        tiers = (await session.execute(select(func.count()).select_from(Tier))).scalar_one()
    assert tiers == 3
    for job, company in rows:
        assert job.search_keywords == search_keywords(company.name, skills[job.id])
        assert job.description_html == render_markdown(job.description)
        assert job.description_text == plain_text(job.description_html)
        assert job.salary_annual_max == yearly_salary_top(job.salary_min, job.salary_max, job.salary_period)


async def test_most_accounts_are_verified(tiny: LoadResult, runtime: Runtime) -> None:
    unverified = await _scalar(runtime, "SELECT count(*) FROM users WHERE email_verified_at IS NULL")
    assert unverified < PRESETS["tiny"].users * 0.2


async def test_demo_accounts_have_accepted_the_terms_in_force(tiny: LoadResult, client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "demo-seeker")
    page = await client.get("/jobs", headers={**headers, "accept": "text/html"})
    assert page.status_code == 200
    assert "Accept the updated terms" not in page.text  # no demo account is asked to accept them


async def test_refuses_a_database_with_users_and_appends_when_asked(
    tiny: LoadResult, settings: Settings, runtime: Runtime
) -> None:
    with pytest.raises(DemoRefused, match="already has 40 users"):
        await load_demo_data(settings, PRESETS["tiny"], seed=7)
    assert await _scalar(runtime, "SELECT count(*) FROM posts") == tiny.stats["posts"].rows
    await load_demo_data(settings, PRESETS["tiny"], seed=7, append=True)
    assert await _scalar(runtime, "SELECT count(*) FROM users") == 80
    assert await _scalar(runtime, "SELECT count(*) FROM posts") == 2 * tiny.stats["posts"].rows
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(func.count(func.distinct(User.username))))).scalar_one() == 80
