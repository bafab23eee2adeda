"""Staff verify a company: the badge shows on its page and its jobs at once (the cached anonymous
copies are dropped), in the API's answers, and in the audit log; taking it away works the same."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import StaffRole
from tests.helpers import sign_in, submit
from tests.jobs.conftest import create_company, person, post_job
from tests.staff.conftest import make_member


async def test_a_verified_company_shows_its_badge_everywhere(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await person(runtime, "bea@example.com", first_name="Bea", employer=True)
    company = await create_company(client, owner, "Coral Reef Resort", island="new_providence")
    job = await post_job(client, owner, company["slug"])
    moderator = await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR)
    page = f"/companies/{company['slug']}"
    assert "Verified" not in (await client.get(page)).text  # and now kept by the response cache
    assert "Verified" not in (await client.get(job["url"])).text

    verified = await client.post(f"/api/admin/companies/{company['slug']}/verify", headers=moderator.headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["company"]["verified"] is True
    assert "Verified" in (await client.get(page)).text
    assert "Verified" in (await client.get(job["url"])).text
    assert (await client.get(f"/api/companies/{company['slug']}")).json()["company"]["verified"] is True
    listed = (await client.get("/api/jobs")).json()["items"]
    assert [item["company"]["verified"] for item in listed] == [True]
    again = await client.post(f"/api/admin/companies/{company['slug']}/verify", headers=moderator.headers)
    assert again.status_code == 409

    sign_in(client, moderator)
    found = await client.get("/admin/companies", params={"q": "coral"})
    assert "Coral Reef Resort" in found.text
    removed = await submit(
        client, f"/admin/companies/{company['slug']}/verify", {"verified": "no"}, page="/admin/companies"
    )
    assert removed.status_code == 303
    sign_in(client, None)
    assert "Verified" not in (await client.get(page)).text
    audit = await client.get(
        "/api/admin/audit", headers=(await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)).headers
    )
    assert [entry["action"] for entry in audit.json()["items"]] == ["company.unverify", "company.verify"]
    missing = await client.post("/api/admin/companies/no-such-company/verify", headers=moderator.headers)
    assert missing.status_code == 404
