"""Every staff route against every kind of caller: anonymous, job seeker, employer, moderator,
admin. The API answers 401 / 403 `forbidden`; the pages send anonymous visitors to log in and
answer members 404, so the staff area does not announce itself."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Member
from tests.helpers import sign_in, submit
from tests.staff.conftest import Staffed

CALLERS = ("anonymous", "seeker", "employer", "moderator", "admin")

# (method, path, body, the least role that may call it)
API_ROUTES = [
    ("GET", "/api/admin/users", None, "moderator"),
    ("GET", "/api/admin/users/sam-seeker", None, "moderator"),
    ("POST", "/api/admin/users/sam-seeker/suspend", {"reason": "Spam"}, "moderator"),
    ("POST", "/api/admin/users/sam-seeker/reinstate", {}, "moderator"),
    ("POST", "/api/admin/users/sam-seeker/verify-email", None, "moderator"),
    ("PUT", "/api/admin/users/sam-seeker/role", {"role": "moderator"}, "admin"),
    ("POST", "/api/admin/users/sam-seeker/delete", {"reason": "Spam"}, "admin"),
    ("POST", "/api/admin/users/sam-seeker/force-password-reset", {"reason": "Hacked"}, "moderator"),
    ("POST", "/api/admin/users/sam-seeker/comp", {"tier": "pro", "months": 1, "reason": "Partner"}, "admin"),
    ("POST", "/api/admin/users/sam-seeker/comp/end", {"reason": "Over"}, "admin"),
    ("GET", "/api/admin/companies", None, "moderator"),
    ("GET", "/api/admin/jobs/flagged", None, "moderator"),
    ("GET", "/api/admin/uploads/quarantined", None, "moderator"),
    ("GET", "/api/admin/reports", None, "moderator"),
    ("GET", "/api/admin/audit", None, "admin"),
    ("GET", "/api/admin/audit.csv", None, "admin"),
]
PAGE_ROUTES = [
    ("/admin", "moderator"),
    ("/admin/users", "moderator"),
    ("/admin/users/sam-seeker", "moderator"),
    ("/admin/companies", "moderator"),
    ("/admin/jobs", "moderator"),
    ("/admin/uploads", "moderator"),
    ("/admin/reports", "moderator"),
    ("/admin/audit", "admin"),
]
_RANK = {"anonymous": 0, "seeker": 0, "employer": 0, "moderator": 1, "admin": 2}


def _who(people: Staffed, caller: str) -> Member | None:
    return None if caller == "anonymous" else getattr(people, caller)


# What an allowed call answers besides 200 (the action done) and 409 (nothing to do), by the
# path's last part.
ALLOWED_ANSWERS = {"delete": (202,), "end": (404,)}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "body", "least"), API_ROUTES)
async def test_the_api_lets_in_only_staff_with_the_role(
    client: httpx.AsyncClient, people: Staffed, caller: str, method: str, path: str, body: object, least: str
) -> None:
    who = _who(people, caller)
    headers = who.headers if who else {}
    response = await client.request(method, path, json=body, headers=headers)
    if who is None:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
    elif _RANK[caller] < _RANK[least]:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    else:
        # Allowed: the action itself may still refuse (reinstating someone not suspended: 409),
        # or answer otherwise: a deletion is accepted (202) and becomes final later; there is no
        # comp to end (404).
        assert response.status_code in ALLOWED_ANSWERS.get(path.rsplit("/", 1)[-1], (200, 409)), response.text


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("path", "least"), PAGE_ROUTES)
async def test_the_pages_show_only_to_staff_with_the_role(
    client: httpx.AsyncClient, people: Staffed, caller: str, path: str, least: str
) -> None:
    sign_in(client, _who(people, caller))
    response = await client.get(path)
    if caller == "anonymous":
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/login")
    elif _RANK[caller] < _RANK[least]:
        assert response.status_code == 404
        assert "staff" not in response.text.lower()
    else:
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-store"


FORMS = [
    ("suspend", "moderator"), ("reinstate", "moderator"), ("verify-email", "moderator"), ("role", "admin"),
    ("delete", "admin"), ("force-password-reset", "moderator"), ("comp", "admin"), ("comp/end", "admin"),
]  # fmt: skip
REFUSED_FORMS = [
    (caller, action)
    for caller in ("seeker", "employer", "moderator")
    for action, least in FORMS
    if _RANK[caller] < _RANK[least]
]


@pytest.mark.parametrize(("caller", "action"), REFUSED_FORMS)
async def test_the_staff_forms_refuse_callers_without_the_role(
    client: httpx.AsyncClient, people: Staffed, caller: str, action: str
) -> None:
    sign_in(client, _who(people, caller))
    form = {"reason": "x", "role": "admin"}
    response = await submit(client, f"/admin/users/sam-seeker/{action}", form, page="/account")
    assert response.status_code == 404
