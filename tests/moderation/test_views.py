"""The report form linked from profiles (and, later, posts and jobs)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Report
from tests.helpers import submit
from tests.profiles.factory import member
from tests.profiles.test_views import log_in


async def test_report_a_profile_from_its_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await log_in(client, ann)
    profile = await client.get("/u/bob")
    link = f"/report?target_type=user&amp;target_id={bob.id}&amp;next=%2Fu%2Fbob"
    assert link in profile.text
    form_page = await client.get(link.replace("&amp;", "&"))
    assert form_page.status_code == 200
    assert "Report this person" in form_page.text
    data = {"target_type": "user", "target_id": str(bob.id), "next": "/u/bob", "reason": "Fake profile"}
    sent = await submit(client, "/report", data, page="/u/bob")
    assert sent.status_code == 303
    assert sent.headers["location"] == "/u/bob"
    assert "Our moderators will review your report." in (await client.get("/u/bob")).text
    again = await submit(client, "/report", data, page="/u/bob")
    assert again.status_code == 303
    assert "You already reported this" in (await client.get("/u/bob")).text
    async with runtime.database.sessionmaker() as session:
        reports = list((await session.execute(select(Report))).scalars())
    assert len(reports) == 1
    assert reports[0].reason == "Fake profile"


async def test_report_form_errors(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await log_in(client, ann)
    base = {"target_type": "user", "target_id": str(bob.id), "next": "https://evil.example.com/"}
    empty = await submit(client, "/report", {**base, "reason": "  "}, page="/u/bob")
    assert empty.status_code == 422
    assert 'aria-invalid="true"' in empty.text
    assert 'href="https://evil.example.com/"' not in empty.text  # only local next URLs
    long = await submit(client, "/report", {**base, "reason": "x" * 1001}, page="/u/bob")
    assert long.status_code == 422
    gone = await submit(client, "/report", {**base, "target_id": str(uuid.uuid4()), "reason": "x"}, page="/u/bob")
    assert gone.status_code == 404
    assert "nothing to report" in gone.text
    myself = await submit(client, "/report", {**base, "target_id": str(ann.id), "reason": "x"}, page="/u/bob")
    assert myself.status_code == 400
    assert "You cannot report yourself." in myself.text
    ok = await submit(client, "/report", {**base, "reason": "Spam"}, page="/u/bob")
    assert ok.headers["location"] == "/"


async def test_reporting_needs_sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/report?target_type=user&target_id=x")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=/report")
