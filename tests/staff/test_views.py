"""The staff pages: the dashboard's figures, finding accounts, an account's page and its forms
(refusals shown on the page, successes back with a message), the audit log and its export."""

from __future__ import annotations

import csv
import io

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import sign_in, submit
from tests.staff.conftest import Staffed, make_member


async def test_the_dashboard_shows_the_day_s_figures(client: httpx.AsyncClient, people: Staffed) -> None:
    reported = await client.post(
        "/api/reports",
        json={"target_type": "user", "target_id": str(people.employer.id), "reason": "Fake company"},
        headers=people.seeker.headers,
    )
    assert reported.status_code == 201
    sign_in(client, people.moderator)
    page = await client.get("/admin")
    assert page.status_code == 200
    assert "1 under an hour" in page.text
    assert "4 new in the last 24 hours" in page.text


async def test_finding_accounts_by_name_email_and_filters(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    sign_in(client, people.moderator)
    by_name = await client.get("/admin/users", params={"q": "Erin"})
    assert "@erin-employer" in by_name.text
    assert "@sam-seeker" not in by_name.text
    by_email = await client.get("/admin/users", params={"q": "sam-seeker@"})
    assert "@sam-seeker" in by_email.text
    employers = await client.get("/admin/users", params={"account_type": "employer"})
    assert "@erin-employer" in employers.text
    assert "@sam-seeker" not in employers.text
    nobody = await client.get("/admin/users", params={"q": "%_", "status": "nonsense"})
    assert nobody.status_code == 200  # wildcards are literal, an unknown filter is no filter
    assert "No account matches." in nobody.text
    api = await client.get("/api/admin/users", params={"q": "erin"}, headers=people.moderator.headers)
    assert [item["username"] for item in api.json()["items"]] == ["erin-employer"]
    assert api.json()["items"][0]["tier"] == "free"


async def test_the_account_list_pages_through_every_account(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    for number in range(5):
        await make_member(runtime, f"extra-{number}")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/admin/users", params=params, headers=people.admin.headers)).json()
        seen += [item["username"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 9


async def test_suspending_from_the_account_page(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.moderator)
    page = "/admin/users/sam-seeker"
    refused = await submit(client, page + "/suspend", {"reason": "", "until": ""}, page=page)
    assert refused.status_code == 422
    assert "Suspend" in refused.text  # the page again, with what is wrong
    past = await submit(client, page + "/suspend", {"reason": "Spam", "until": "2020-01-01"}, page=page)
    assert past.status_code == 422
    assert "in the future" in past.text
    done = await submit(client, page + "/suspend", {"reason": "Spam", "until": "2099-01-01"}, page=page)
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert "is suspended" in shown.text
    assert "Spam" in shown.text
    assert "user.suspend" in shown.text  # the staff actions on this account
    back = await submit(client, page + "/reinstate", {"reason": "Appeal accepted"}, page=page)
    assert back.status_code == 303
    assert "is reinstated" in (await client.get(back.headers["location"])).text


async def test_an_admin_changes_a_role_from_the_page(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.admin)
    page = "/admin/users/sam-seeker"
    changed = await submit(client, page + "/role", {"role": "moderator"}, page=page)
    assert changed.status_code == 303
    assert "@sam-seeker: moderator." in (await client.get(changed.headers["location"])).text
    own = await submit(client, "/admin/users/ada-admin/role", {"role": ""}, page="/admin/users/ada-admin")
    assert own.status_code == 403
    assert "your own role" in own.text


async def test_the_audit_log_page_and_its_export(client: httpx.AsyncClient, people: Staffed) -> None:
    suspended = await client.post(
        "/api/admin/users/sam-seeker/suspend", json={"reason": "Spam, with a comma"}, headers=people.admin.headers
    )
    assert suspended.status_code == 200
    sign_in(client, people.admin)
    page = await client.get("/admin/audit")
    assert "user.suspend" in page.text
    assert "Spam, with a comma" in page.text
    exported = await client.get("/api/admin/audit.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(row["action"], row["actor"], row["reason"]) for row in rows] == [
        ("user.suspend", "ada-admin", "Spam, with a comma")
    ]
    api = await client.get("/api/admin/audit", headers=people.admin.headers)
    assert api.json()["items"][0]["after"]["is_active"] is False
