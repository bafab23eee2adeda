"""A Free employer publishing a job: the form says it needs Business, Publish keeps the job as
a draft and goes to checkout, and paying brings them back to the job, published. The way back
publishes only for the draft's own employer, after a payment."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Job, JobStatus
from tests.helpers import page_csrf, sign_in, submit
from tests.jobs.conftest import Person, create_company, person, post_job
from tests.jobs.test_views import job_form


async def _job(runtime: Runtime, job_id: str) -> Job:
    async with runtime.database.sessionmaker() as session:
        return await session.get_one(Job, uuid.UUID(job_id))


async def _free_employer(client: httpx.AsyncClient, runtime: Runtime) -> tuple[Person, dict[str, Any]]:
    owner = await person(runtime, "free@example.com", first_name="Fay", employer=True, business=False)
    return owner, await create_company(client, owner, "Coral Reef Resort")


async def test_a_free_employer_publishes_through_checkout_and_comes_back_to_the_job_published(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, _company = await _free_employer(client, runtime)
    sign_in(client, owner)
    form_page = await client.get("/jobs/new")
    assert "Publishing a job needs the Business plan." in form_page.text
    assert "Publish: save and upgrade" in form_page.text

    pressed = await submit(client, "/jobs/new", job_form(), page="/jobs/new")
    assert pressed.status_code == 303, pressed.text
    publish_path = pressed.headers["location"]
    job_id = re.fullmatch(r"/jobs/([0-9a-f-]+)/publish", publish_path)
    assert job_id is not None
    draft = await _job(runtime, job_id.group(1))
    assert draft.status == JobStatus.DRAFT
    # Nothing typed is lost.
    assert (draft.title, draft.description, draft.island, draft.salary_min, draft.currency) == (
        "Dive Instructor",
        "Teach **diving** to our guests.",
        "exuma",
        2500,
        "USD",
    )

    page = await client.get(publish_path)
    assert page.status_code == 200
    assert "Your job is saved as a draft" in page.text
    assert "Publishing jobs needs the Business plan" in page.text
    back = re.search(r'name="next" value="(/jobs/[^"]+paid=[^"]+)"', page.text)
    assert back is not None
    return_to = back.group(1).replace("&amp;", "&")
    assert return_to.startswith(f"{publish_path}?paid=")

    started = await submit(
        client, "/billing/checkout", {"tier": "business", "interval": "month", "next": return_to}, page=publish_path
    )
    assert started.status_code == 303
    checkout_path = started.headers["location"]
    checkout = await client.get(checkout_path)
    assert "HireMeBahamas Business" in checkout.text
    assert f'href="{return_to}"' in checkout.text.replace("&amp;", "&")  # cancelling goes back to the draft
    paid = await submit(client, checkout_path, {}, page=checkout_path)
    assert paid.status_code == 303
    assert paid.headers["location"] == return_to

    landed = await client.get(return_to)
    assert landed.status_code == 303
    assert landed.headers["location"] == f"/jobs/{draft.id}-{draft.slug}"
    assert (await _job(runtime, job_id.group(1))).status == JobStatus.OPEN
    job_page = await client.get(landed.headers["location"])
    assert "Your job is live." in job_page.text
    # Back again (a reload): already published, nothing changes.
    assert (await client.get(return_to)).headers["location"] == f"/jobs/{draft.id}-{draft.slug}"
    client.cookies.clear()


async def test_publishing_a_saved_draft_on_free_goes_to_the_publish_page_not_an_error(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, company = await _free_employer(client, runtime)
    draft = await post_job(client, owner, company["slug"], status="draft")
    refused = await client.patch(f"/api/jobs/{draft['id']}", json={"status": "open"}, headers=owner.headers)
    assert refused.status_code == 402  # the API's answer is unchanged: upgrade_required
    assert refused.json()["error"]["required_tier"] == "business"
    sign_in(client, owner)
    pressed = await submit(client, f"/jobs/{draft['id']}/status", {"status": "open"}, page=draft["url"])
    assert pressed.status_code == 303
    assert pressed.headers["location"] == f"/jobs/{draft['id']}/publish"
    assert (await _job(runtime, draft["id"])).status == JobStatus.DRAFT
    # Saving as a draft on purpose stays where it was.
    saved = await submit(client, "/jobs/new", job_form(title="Chef", action="draft"), page="/jobs/new")
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("-chef")
    client.cookies.clear()


async def test_the_way_back_publishes_only_for_its_owner_after_a_payment(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    draft = await post_job(client, employer, company["slug"], status="draft")
    path = f"/jobs/{draft['id']}/publish"
    sign_in(client, employer)
    page = await client.get(path)
    assert page.status_code == 200
    assert "Ready to go live" in page.text  # on Business: a plain Publish button
    for forged in ("", "0" * 64, "nope"):
        response = await client.get(path, params={"paid": forged})
        assert response.status_code == 200
        assert (await _job(runtime, draft["id"])).status == JobStatus.DRAFT
    # The token of another employer's checkout does not publish this one.
    sign_in(client, rival)
    theirs = await client.get(path)
    assert theirs.status_code == 404  # a draft of another company does not exist for them
    client.cookies.clear()
    assert (await client.get(path)).status_code == 303  # signed out: log in first
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(Job.status).where(Job.id == uuid.UUID(draft["id"])))).scalar_one() == (
            JobStatus.DRAFT
        )


async def test_a_free_employer_back_before_the_payment_arrives_is_told_to_wait(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, company = await _free_employer(client, runtime)
    draft = await post_job(client, owner, company["slug"], status="draft")
    sign_in(client, owner)
    page = await client.get(f"/jobs/{draft['id']}/publish")
    back = re.search(r'name="next" value="(/jobs/[^"]+paid=[^"]+)"', page.text)
    assert back is not None
    early = await client.get(back.group(1).replace("&amp;", "&"))
    assert early.status_code == 200
    assert "still waiting for your payment" in early.text
    assert (await _job(runtime, draft["id"])).status == JobStatus.DRAFT
    token = await page_csrf(client, f"/jobs/{draft['id']}/publish")
    outside = await client.post(
        "/billing/checkout",
        data={"tier": "business", "interval": "month", "next": "https://evil.example/", "csrf_token": token},
    )
    assert outside.status_code == 303
    checkout = await client.get(outside.headers["location"])
    assert 'href="/pricing?checkout=canceled"' in checkout.text  # another site is never a way back
    client.cookies.clear()
