"""Scam-job screening: the rules flag a job when it is saved; moderators see it in the queue,
take it down (gone for everyone but its team, who see why and are notified, and cannot reopen
it) or clear the flags."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.jobs.postings import screening
from hiremebahamas.models import StaffRole
from tests.helpers import sign_in, submit
from tests.jobs.conftest import create_company, person, post_job
from tests.staff.conftest import make_member


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Pay a small registration fee of $50 to secure your interview.", screening.FEE),
        ("Training fee required before your first shift.", screening.FEE),
        ("Apply only on WhatsApp: wa.me/12425550100", screening.MESSAGING_APP),
        ("Contact our recruiter on Telegram t.me/hiring", screening.MESSAGING_APP),
        ("Salary paid in USDT or Bitcoin every week.", screening.PAYMENT),
        ("Buy gift cards for the client and get reimbursed.", screening.PAYMENT),
    ],
)
def test_the_text_rules_find_the_common_scams(text: str, flag: str) -> None:
    assert flag in screening.text_signals("Front desk agent", text)


def test_ordinary_postings_trip_no_rule() -> None:
    text = "Greet guests, handle check-in and check-out, and answer the phone. Apply with your CV."
    assert screening.text_signals("Front desk agent", text) == []


async def _company(client: httpx.AsyncClient, runtime: Runtime, name: str, email: str) -> tuple[Any, dict[str, Any]]:
    owner = await person(runtime, email, first_name=name.split()[0], employer=True)
    return owner, await create_company(client, owner, name, island="new_providence")


async def test_a_flagged_job_is_taken_down_and_its_team_told_why(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner, company = await _company(client, runtime, "Sunny Careers", "bea@example.com")
    scam = await post_job(client, owner, company["slug"], description="Pay a processing fee of $99 to start.")
    fine = await post_job(client, owner, company["slug"], title="Line cook")
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    queue = (await client.get("/api/admin/jobs/flagged", headers=moderator.headers)).json()["items"]
    assert [(item["id"], item["flags"]) for item in queue] == [(scam["id"], [screening.FEE])]
    assert fine["id"] not in [item["id"] for item in queue]

    path = f"/api/admin/jobs/{scam['id']}/takedown"
    assert (await client.post(path, json={"reason": ""}, headers=moderator.headers)).status_code == 422
    down = await client.post(path, json={"reason": "Asks applicants to pay"}, headers=moderator.headers)
    assert down.status_code == 200, down.text
    assert (await client.post(path, json={"reason": "again"}, headers=moderator.headers)).status_code == 409
    assert (await client.get(scam["url"])).status_code == 404  # gone for everyone else
    assert scam["id"] not in [item["id"] for item in (await client.get("/api/jobs")).json()["items"]]
    sign_in(client, owner)
    own = await client.get(scam["url"])
    assert own.status_code == 200
    assert "Moderators took this job down: Asks applicants to pay" in own.text
    sign_in(client, None)
    reopened = await client.patch(f"/api/jobs/{scam['id']}", json={"status": "open"}, headers=owner.headers)
    assert reopened.status_code == 409
    notes = (await client.get("/api/notifications", headers=owner.headers)).json()["items"]
    assert notes[0]["type"] == "job.taken_down"
    assert notes[0]["text"] == f"Moderators took down {scam['title']}: Asks applicants to pay"
    assert (await client.get("/api/admin/jobs/flagged", headers=moderator.headers)).json()["items"] == []


async def test_clearing_the_flags_and_the_page_queue(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner, company = await _company(client, runtime, "Island Tours", "rex@example.com")
    job = await post_job(client, owner, company["slug"], description="Questions? Message us on WhatsApp.")
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    sign_in(client, moderator)
    page = await client.get("/admin/jobs")
    assert job["title"] in page.text
    assert screening.MESSAGING_APP in page.text
    cleared = await submit(client, f"/admin/jobs/{job['id']}/clear-flags", {}, page="/admin/jobs")
    assert cleared.status_code == 303
    assert "No job is waiting for a look." in (await client.get("/admin/jobs")).text
    assert (await client.get(job["url"])).status_code == 200  # still up
    sign_in(client, None)
    again = await client.post(f"/api/admin/jobs/{job['id']}/clear-flags", headers=moderator.headers)
    assert again.status_code == 409


async def test_the_same_posting_under_another_company_is_flagged(client: httpx.AsyncClient, runtime: Runtime) -> None:
    first_owner, first = await _company(client, runtime, "Coral Reef Resort", "bea@example.com")
    second_owner, second = await _company(client, runtime, "Coral Reef Resorts Ltd", "rex@example.com")
    original = await post_job(client, first_owner, first["slug"])
    copy = await post_job(client, second_owner, second["slug"])
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    queue = (await client.get("/api/admin/jobs/flagged", headers=moderator.headers)).json()["items"]
    assert [(item["id"], item["flags"]) for item in queue] == [(copy["id"], [screening.DUPLICATE])]
    assert original["id"] != copy["id"]


async def test_a_bait_salary_is_flagged(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner, company = await _company(client, runtime, "Sunny Careers", "bea@example.com")
    await post_job(client, owner, company["slug"], salary_min=40_000, salary_max=900_000, salary_period="year")
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    queue = (await client.get("/api/admin/jobs/flagged", headers=moderator.headers)).json()["items"]
    assert [item["flags"] for item in queue] == [[screening.SALARY]]
