"""Schemathesis over the whole OpenAPI document, as a signed-in job seeker, as an employer on
the Business plan with a company page, and as an anonymous client, with every check on: no
server error, no response off its schema, no undocumented status code, valid data accepted and
invalid data refused.

`make probes` runs these (they are left out of `make test`). Each operation gets at most
PROBE_EXAMPLES generated cases (default 15) from a fixed seed, so a failure replays.

The app runs on its own database, on Schemathesis's ASGI transport: that transport serves every
request from one event loop of its own, so the app gets a runtime of its own that only that
loop uses, and the accounts are written beforehand by a separate runtime that is then closed.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import CHECKS, CheckFunction, load_all_checks
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hiremebahamas.app import create_app
from hiremebahamas.cli import migrate
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import create_runtime
from tests.conftest import ENGINES, make_settings
from tests.helpers import PASSWORD
from tests.jobs.conftest import person
from tests.lifecycle.test_deliverability import PUBLIC_KEY
from tests.servers import PostgresServer

pytestmark = pytest.mark.probe

EXAMPLES = int(os.environ.get("PROBE_EXAMPLES", "15"))

load_all_checks()
ALL_CHECKS = cast("list[CheckFunction]", CHECKS.get_all())  # every built-in check is a plain function

# Inputs that only the server (or a sender we trust) can issue: a signed link token, a Stripe or
# SendGrid signature, a list cursor.
# A generated value is schema-valid and rightly refused (400/422), so "schema-valid data is
# accepted" cannot hold for them; every other check still runs on these requests.
ISSUED_SECRETS = {
    ("POST", "/api/auth/verify-email"),
    ("POST", "/api/auth/password-reset/confirm"),
    ("GET", "/api/saved-searches/unsubscribe"),
    ("POST", "/api/saved-searches/unsubscribe"),
    ("POST", "/api/notifications/unsubscribe"),
    ("POST", "/api/subscriptions/webhook"),
    ("POST", "/api/email/events"),  # SendGrid's signature
    # The code of an authenticator app, from a secret only the server and the app know.
    ("POST", "/api/auth/two-factor/enable"),
}
CURSOR_PARAMETERS = {"cursor", "after"}
# Rules that join two parts of a request, which JSON Schema cannot state: the schema states each
# part's own rules, the service refuses the combination (422, naming the field), and the tests
# named here show that refusal. Every other rule of a body is in the schema.
UNSTATED_RULES = {
    # A new password is not the account's email, nor a common password (in any case).
    ("POST", "/api/auth/register"): "tests/accounts/test_registration.py",
    ("POST", "/api/auth/password-reset/confirm"): "tests/accounts/test_registration.py",
    ("POST", "/api/auth/change-password"): "tests/accounts/test_registration.py",
    # The end of a stay or a job is not before its start.
    ("POST", "/api/users/me/education"): "tests/profiles/test_entries.py",
    ("PATCH", "/api/users/me/education/{entry_id}"): "tests/profiles/test_entries.py",
    ("POST", "/api/users/me/experience"): "tests/profiles/test_entries.py",
    ("PATCH", "/api/users/me/experience/{entry_id}"): "tests/profiles/test_entries.py",
    # The file's own type fits the purpose given beside it (a CV is a PDF, an avatar an image).
    ("POST", "/api/uploads"): "tests/uploads/test_api.py",
}


def _not_applicable(case: Case[Any]) -> list[CheckFunction]:
    operation = (case.method.upper(), case.path)
    sends_cursor = bool(CURSOR_PARAMETERS & set(case.query or {}))
    if operation in ISSUED_SECRETS or operation in UNSTATED_RULES or sends_cursor:
        return [positive_data_acceptance]
    return []


@dataclass
class SignedIn:
    """A probe account's bearer token; renewed when a probed request ends its session."""

    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Probe:
    app: FastAPI
    seeker: SignedIn
    employer: SignedIn


def _probe_settings(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> Settings:
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'probe.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        server.create_database("hmb_probe")
        url = server.url("hmb_probe")
    # SendGrid's key set, as deployed: unsigned events are then refused (400), not unverifiable (503).
    probe_settings = make_settings(database_url=url, var_dir=tmp_path / "var", sendgrid_webhook_public_key=PUBLIC_KEY)
    migrate(probe_settings)
    return probe_settings


async def _seed(probe_settings: Settings) -> tuple[SignedIn, SignedIn]:
    runtime = create_runtime(probe_settings)
    try:
        seeker = await person(runtime, "probe-seeker@example.com", first_name="Probe")
        employer = await person(runtime, "probe-employer@example.com", first_name="Pat", employer=True)
    finally:
        await runtime.close()
    return SignedIn(seeker.email, seeker.access_token), SignedIn(employer.email, employer.access_token)


def _client(probe: Probe) -> Any:
    return asgi.get_client(cast("asgi.ASGIApp", probe.app))


@pytest.fixture(scope="module", params=ENGINES)
def probe(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    probe_settings = _probe_settings(request, request.param, tmp_path_factory.mktemp("probe"))
    seeker, employer = asyncio.run(_seed(probe_settings))
    probe = Probe(create_app(probe_settings, create_runtime(probe_settings)), seeker, employer)
    with _client(probe) as client:  # the employer's company, so job operations go past "no company"
        body = {"name": "Probe Reef Resort", "island": "new_providence"}
        created = client.post("http://testserver/api/companies", json=body, headers=employer.headers)
    assert created.status_code == 201, created.text
    yield probe
    asgi.shutdown_lifespans()  # the app's lifespan closes its runtime, on the transport's loop


def _document() -> Any:
    """The OpenAPI document, loaded at collection time so each operation becomes its own test.
    The routes do not depend on settings or data, so an app without a database describes them;
    every call is then sent to the probe's app (`app=`) on that engine."""
    with tempfile.TemporaryDirectory() as var_dir:  # where test settings keep their secrets
        document_app = create_app(make_settings(var_dir=Path(var_dir)))
        loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document_app.openapi())))
    loaded.app = document_app  # selects the in-process ASGI transport; never called itself
    # A valid request may still meet a plan's limit (402 upgrade_required, declared where it
    # can happen), as it may meet a rate limit (429, already allowed): neither is bad data.
    accepted = loaded.config.checks.positive_data_acceptance
    loaded.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=[*accepted.expected_statuses, "402"]
    )
    return loaded


# schemathesis.pytest.from_fixture would load it per engine, but its lazy loader sets
# `Function._nodeid`, which pytest 9 no longer has.
schema = _document()
PROBE_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _call_signed_in(case: Case[Any], probe: Probe, account: SignedIn) -> None:
    response = case.call_and_validate(
        app=probe.app, headers=account.headers, checks=ALL_CHECKS, excluded_checks=_not_applicable(case)
    )
    # A generated request may sign the account out (logout, a password change): sign in again
    # so the operations after it are still probed signed in, not silently as nobody.
    if response.status_code == 401 or (case.operation.path == "/api/auth/logout" and response.status_code < 300):
        with _client(probe) as client:
            login = client.post("http://testserver/api/auth/login", json={"email": account.email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        account.token = login.json()["access_token"]


@schema.parametrize()  # type: ignore[untyped-decorator]  # schemathesis's decorators are untyped
@PROBE_SETTINGS
def test_as_job_seeker(case: Case[Any], probe: Probe) -> None:
    _call_signed_in(case, probe, probe.seeker)


@schema.parametrize()  # type: ignore[untyped-decorator]  # schemathesis's decorators are untyped
@PROBE_SETTINGS
def test_as_employer(case: Case[Any], probe: Probe) -> None:
    _call_signed_in(case, probe, probe.employer)


@schema.parametrize()  # type: ignore[untyped-decorator]  # schemathesis's decorators are untyped
@PROBE_SETTINGS
def test_anonymous(case: Case[Any], probe: Probe) -> None:
    case.call_and_validate(app=probe.app, checks=ALL_CHECKS, excluded_checks=_not_applicable(case))
