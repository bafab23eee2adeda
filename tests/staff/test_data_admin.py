"""/admin/data: sqladmin's CRUD for plans and skills, behind the staff area's own check (admins
only; members 404, anonymous visitors to the login; the second factor and the idle end apply),
with writes refused from other sites, every change in the audit log, and plan edits dropping
the cached pricing page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from hiremebahamas.billing.tiers import seed_tiers
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry, AuthSession, ProfileSkill, Skill, StaffRole, Tier, TierCode
from hiremebahamas.models.base import utcnow
from hiremebahamas.staff.data_admin import DATA_ADMIN_CSP
from tests.conftest import make_settings
from tests.factories import Member
from tests.helpers import sign_in
from tests.staff.conftest import Staffed, make_member

SITE = {"Origin": "http://testserver"}
PRO_FORM = {
    "name": "Pro", "rank": "1", "monthly_price_cents": "1299", "annual_price_cents": "12900", "currency": "usd",
    "messages_per_month": "", "posts_per_month": "", "follows": "", "featured_jobs_per_month": "0",
    "team_seats": "1",
}  # fmt: skip
CALLERS = ("anonymous", "seeker", "employer", "moderator", "admin")


def _who(people: Staffed, caller: str) -> Member | None:
    return None if caller == "anonymous" else getattr(people, caller)


async def _entries(runtime: Runtime, action: str) -> list[AuditEntry]:
    async with runtime.database.sessionmaker() as session:
        return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


@pytest.fixture(autouse=True)
async def plans(runtime: Runtime) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        await seed_tiers(session)


async def _skill(runtime: Runtime, name: str) -> Skill:
    async with runtime.database.sessionmaker.begin() as session:
        skill = Skill(name=name)
        session.add(skill)
    return skill


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", ["/admin/data/", "/admin/data/tier/list", "/admin/data/skill/list"])
async def test_only_admins_see_the_data_pages(
    client: httpx.AsyncClient, people: Staffed, caller: str, path: str
) -> None:
    sign_in(client, _who(people, caller))
    response = await client.get(path)
    if caller == "anonymous":
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/login")
    elif caller != "admin":
        assert response.status_code == 404
        assert "staff" not in response.text.lower()
        assert "sqladmin" not in response.text.lower()
    else:
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == DATA_ADMIN_CSP
        assert "script-src 'self';" in DATA_ADMIN_CSP  # scripts stay the site's own
        assert response.headers["cache-control"] == "private, no-store"


async def test_its_files_are_served_by_the_site(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.admin)
    page = await client.get("/admin/data/tier/list")
    assert "Pro" in page.text
    # Nothing from elsewhere (a CDN): the pages work offline.
    assert set(re.findall(r"https?://[^/\"']+", page.text)) <= {"http://testserver"}
    for asset in ("css/tabler.min.css", "js/jquery.min.js", "js/main.js"):
        assert f"/admin/data/statics/{asset}" in page.text
        assert (await client.get(f"/admin/data/statics/{asset}")).status_code == 200


async def test_the_dashboard_links_it_for_admins_only(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.admin)
    assert 'href="/admin/data/"' in (await client.get("/admin")).text
    sign_in(client, people.moderator)
    assert "/admin/data" not in (await client.get("/admin")).text


async def test_an_admin_edits_a_plan_audited_and_the_pricing_page_follows(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    sign_in(client, None)
    assert "$9.99" in (await client.get("/pricing")).text  # cached for anonymous visitors
    sign_in(client, people.admin)
    response = await client.post("/admin/data/tier/edit/pro", data=PRO_FORM, headers=SITE)
    assert response.status_code in (302, 303), response.text
    async with runtime.database.sessionmaker() as session:
        tier = await session.get(Tier, TierCode.PRO)
    assert tier is not None
    assert tier.monthly_price_cents == 1299
    [entry] = await _entries(runtime, "tier.update")
    assert (entry.actor_name, entry.target_id) == ("ada-admin", "pro")
    assert entry.before is not None
    assert entry.before["monthly_price_cents"] == 999
    assert entry.after is not None
    assert entry.after["monthly_price_cents"] == 1299
    sign_in(client, None)
    assert "$12.99" in (await client.get("/pricing")).text


async def test_plans_are_neither_created_nor_deleted_here(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.admin)
    assert (await client.get("/admin/data/tier/create")).status_code in (403, 404)
    assert (await client.delete("/admin/data/tier/delete?pks=pro", headers=SITE)).status_code in (403, 404)


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Referer": "https://evil.example/form"}, {}, {"Origin": "null"}],
)
async def test_a_write_from_another_site_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, headers: dict[str, str]
) -> None:
    sign_in(client, people.admin)
    response = await client.post("/admin/data/tier/edit/pro", data=PRO_FORM, headers=headers)
    assert response.status_code == 403
    async with runtime.database.sessionmaker() as session:
        tier = await session.get(Tier, TierCode.PRO)
    assert tier is None or tier.monthly_price_cents == 999
    assert await _entries(runtime, "tier.update") == []


async def test_a_member_cannot_write_either(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    sign_in(client, people.moderator)
    assert (await client.post("/admin/data/tier/edit/pro", data=PRO_FORM, headers=SITE)).status_code == 404
    sign_in(client, None)
    assert (await client.post("/admin/data/skill/create", data={"name": "x"}, headers=SITE)).status_code in (401, 303)


async def test_skills_are_renamed_normalised_added_and_deleted_when_unused(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    sign_in(client, people.admin)
    skill = await _skill(runtime, "pyhton")
    renamed = await client.post(f"/admin/data/skill/edit/{skill.id}", data={"name": "  Python  "}, headers=SITE)
    assert renamed.status_code in (302, 303), renamed.text
    added = await client.post("/admin/data/skill/create", data={"name": "Bone  Fishing"}, headers=SITE)
    assert added.status_code in (302, 303), added.text
    async with runtime.database.sessionmaker() as session:
        names = set((await session.execute(select(Skill.name))).scalars())
    assert names == {"python", "bone fishing"}
    [update_entry] = await _entries(runtime, "skill.update")
    assert (update_entry.before, update_entry.after) == ({"name": "pyhton"}, {"name": "python"})
    assert len(await _entries(runtime, "skill.create")) == 1

    deleted = await client.delete(f"/admin/data/skill/delete?pks={skill.id}", headers=SITE)
    assert deleted.status_code == 200
    async with runtime.database.sessionmaker() as session:
        assert await session.get(Skill, skill.id) is None
    [delete_entry] = await _entries(runtime, "skill.delete")
    assert delete_entry.before == {"name": "python"}


async def test_a_skill_in_use_is_not_deleted(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    skill = await _skill(runtime, "diving")
    async with runtime.database.sessionmaker.begin() as session:
        session.add(ProfileSkill(user_id=people.seeker.id, skill_id=skill.id))
    sign_in(client, people.admin)
    response = await client.delete(f"/admin/data/skill/delete?pks={skill.id}", headers=SITE)
    assert "rename+it+instead" in response.text or "rename%20it%20instead" in response.text
    async with runtime.database.sessionmaker() as session:
        assert await session.get(Skill, skill.id) is not None
    assert await _entries(runtime, "skill.delete") == []


async def test_an_idle_admin_session_has_ended(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        stale = utcnow() - timedelta(hours=13)
        await session.execute(
            update(AuthSession).where(AuthSession.user_id == people.admin.id).values(last_seen_at=stale)
        )
    sign_in(client, people.admin)
    response = await client.get("/admin/data/")
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")


class TestWithTheSecondFactorRequired:
    @pytest.fixture
    def settings(self, database_url: str, tmp_path: Path) -> Settings:
        required: Settings = make_settings(database_url=database_url, var_dir=tmp_path / "var", staff_require_totp=True)
        return required

    async def test_an_unconfirmed_sign_in_is_refused(self, client: httpx.AsyncClient, runtime: Runtime) -> None:
        admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)
        sign_in(client, admin)
        page = await client.get("/admin/data/")
        assert page.status_code == 403
        assert "two-step verification" in page.text
