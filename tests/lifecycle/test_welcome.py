"""The welcome sequences with a moved clock: each step sent once at its day, skipped when its
goal is met, nothing after unsubscribing; the unsubscribe headers and links as a real SMTP server
receives them."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlparse

import httpx
from sqlalchemy import select, update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.lifecycle.tasks import send_welcome_sequences
from hiremebahamas.models import EmailSend, SendStatus, User
from hiremebahamas.models.base import utcnow
from tests.conftest import fresh_runtime, make_settings
from tests.helpers import emails_to, text_of
from tests.jobs.conftest import Person, create_company, person, post_job
from tests.smtp import running_smtp_server

SEEKER_DAYS = {0: "Welcome to HireMeBahamas, Sam", 2: "Complete your profile so employers can find you"}
SEEKER_DAYS |= {5: "Jobs that match your skills", 10: "Never miss a job: set a job alert"}
EMPLOYER_DAYS = {0: "Welcome to HireMeBahamas, Eve", 2: "Create your company page", 4: "Post your first job"}
EMPLOYER_DAYS |= {10: "Search the talent directory"}


async def _run(runtime: Runtime, days: float) -> None:
    await send_welcome_sequences(runtime.tasks.context, now=utcnow() + timedelta(days=days, minutes=1))
    await runtime.tasks.drain()


async def _subjects(runtime: Runtime, who: Person) -> list[str]:
    return [str(m["Subject"]) for m in await emails_to(runtime, who.email)]


async def _statuses(runtime: Runtime, who: Person) -> dict[str, SendStatus]:
    async with runtime.database.sessionmaker() as session:
        rows = await session.execute(select(EmailSend.key, EmailSend.status).where(EmailSend.user_id == who.id))
        return {row.key: row.status for row in rows}


def _one_click(message: EmailMessage) -> str:
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return str(message["List-Unsubscribe"]).strip("<>")


async def test_a_new_seeker_and_employer_get_their_sequences_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    eve = await person(runtime, "eve@example.com", first_name="Eve", employer=True)
    other = await person(runtime, "ola@example.com", first_name="Ola", employer=True)
    company = await create_company(client, other, "Island Bakery")
    await client.patch("/api/users/me", json={"skills": ["baking"]}, headers=sam.headers)
    await post_job(client, other, company["slug"], title="Pastry chef", skills=["baking"])
    for day in (0, 0.5, 1, 2, 3, 4, 5, 6, 10, 11, 20):
        await _run(runtime, day)
        await _run(runtime, day)  # every run again finds nothing more to send
    assert await _subjects(runtime, sam) == list(SEEKER_DAYS.values())
    assert await _subjects(runtime, eve) == list(EMPLOYER_DAYS.values())
    jobs_email = (await emails_to(runtime, sam.email))[2]
    assert "- Pastry chef" in text_of(jobs_email)
    assert "See jobs for you: http://testserver/jobs/for-you" in text_of(jobs_email)
    welcome = (await emails_to(runtime, sam.email))[0]
    text = text_of(welcome)
    assert "You get this email because you joined HireMeBahamas on" in text
    assert runtime.settings.operator_postal_address in text
    html = welcome.get_body(preferencelist=("html",))
    assert html is not None
    assert ">Unsubscribe</a>" in html.get_content()
    assert runtime.settings.operator_postal_address in html.get_content()
    assert set((await _statuses(runtime, sam)).values()) == {SendStatus.SENT}


async def test_a_step_whose_goal_is_met_is_skipped(client: httpx.AsyncClient, runtime: Runtime) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    eve = await person(runtime, "eve@example.com", first_name="Eve", employer=True)
    await _run(runtime, 0)
    profile = {"headline": "Pastry chef", "available_for_hire": True}
    assert (await client.patch("/api/users/me", json=profile, headers=sam.headers)).status_code == 200
    await create_company(client, eve, "Eve's Kitchen")
    for day in (2, 4, 5, 10):
        await _run(runtime, day)
    assert "Complete your profile so employers can find you" not in await _subjects(runtime, sam)
    assert len(await _subjects(runtime, sam)) == 3
    assert await _subjects(runtime, eve) == [EMPLOYER_DAYS[0], EMPLOYER_DAYS[4], EMPLOYER_DAYS[10]]
    assert (await _statuses(runtime, sam))["welcome:job_seeker:profile"] == SendStatus.SKIPPED
    assert (await _statuses(runtime, eve))["welcome:employer:company"] == SendStatus.SKIPPED


async def test_unverified_and_long_standing_members_get_nothing(runtime: Runtime) -> None:
    new = await person(runtime, "new@example.com", verified=False)
    old = await person(runtime, "old@example.com")
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == old.id).values(created_at=utcnow() - timedelta(days=30)))
    for day in (0, 2, 5, 10):
        await _run(runtime, day)
    assert await emails_to(runtime, new.email) == []
    assert await emails_to(runtime, old.email) == []


async def test_nothing_after_unsubscribing_checked_on_a_real_smtp_server(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    with running_smtp_server() as (port, inbox):
        settings = make_settings(
            database_url=runtime.settings.database_url,
            var_dir=runtime.settings.var_dir,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
        )
        async with fresh_runtime(settings) as smtp_runtime:
            sam = await person(smtp_runtime, "sam@example.com", first_name="Sam")
            await _run(smtp_runtime, 0)
            (welcome,) = inbox.messages()
            one_click = _one_click(welcome)
            assert urlparse(one_click).path == "/api/notifications/unsubscribe"
            assert welcome["To"] == sam.email
            assert welcome.get_content_type() == "multipart/alternative"
            # The mail client's one-click POST: no sign-in, no cookie, no CSRF token.
            token = parse_qs(urlparse(one_click).query)["token"][0]
            response = await client.post("/api/notifications/unsubscribe", params={"token": token})
            assert response.status_code == 200
            assert response.json() == {"type": "lifecycle.welcome", "email": False}
            for day in (2, 5, 10):
                await _run(smtp_runtime, day)
            assert len(inbox.messages()) == 1
            statuses = set((await _statuses(smtp_runtime, sam)).values())
            assert statuses == {SendStatus.SENT, SendStatus.SKIPPED}


async def test_turned_off_in_settings_the_steps_due_meanwhile_are_skipped(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    await client.put(
        "/api/notifications/preferences", json={"email": {"lifecycle.welcome": False}}, headers=sam.headers
    )
    await _run(runtime, 0)
    assert await emails_to(runtime, sam.email) == []
    await client.put("/api/notifications/preferences", json={"email": {"lifecycle.welcome": True}}, headers=sam.headers)
    await _run(runtime, 2)
    assert await _subjects(runtime, sam) == [SEEKER_DAYS[2]]  # day 0 stays skipped
