"""Schemathesis over the whole OpenAPI document, as a signed-in job seeker and as an anonymous
client, with every check on: no server error, no response off its schema, no undocumented
status code, valid data accepted and invalid data refused.

`make probes` runs these (they are left out of `make test`). Each operation gets at most
PROBE_EXAMPLES generated cases (default 15) from a fixed seed, so a failure replays.

The app runs on its own database, on Schemathesis's ASGI transport: that transport serves every
request from one event loop of its own, so the app gets a runtime of its own that only that
loop uses, and the account is written beforehand by a separate runtime that is then closed.
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
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hiremebahamas.app import create_app
from hiremebahamas.cli import migrate
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import create_runtime
from tests.conftest import ENGINES, make_settings
from tests.helpers import PASSWORD
from tests.jobs.conftest import person
from tests.servers import PostgresServer

pytestmark = pytest.mark.probe

EXAMPLES = int(os.environ.get("PROBE_EXAMPLES", "15"))
SEEKER_EMAIL = "probe-seeker@example.com"

load_all_checks()
ALL_CHECKS = cast("list[CheckFunction]", CHECKS.get_all())  # every built-in check is a plain function

# Inputs that only the server can issue: a signed link token, a Stripe signature, a list cursor.
# A generated value is schema-valid and rightly refused (400/422), so "schema-valid data is
# accepted" cannot hold for them; every other check still runs on these requests.
ISSUED_SECRETS = {
    ("POST", "/api/auth/verify-email"),
    ("POST", "/api/auth/password-reset/confirm"),
    ("GET", "/api/saved-searches/unsubscribe"),
    ("POST", "/api/saved-searches/unsubscribe"),
    ("POST", "/api/notifications/unsubscribe"),
    ("POST", "/api/subscriptions/webhook"),
}
CURSOR_PARAMETERS = {"cursor", "after"}


def _not_applicable(case: Case[Any]) -> list[CheckFunction]:
    sends_cursor = bool(CURSOR_PARAMETERS & set(case.query or {}))
    if (case.method.upper(), case.path) in ISSUED_SECRETS or sends_cursor:
        return [positive_data_acceptance]
    return []


@dataclass
class SignedIn:
    """The bearer token of the probe's account; renewed when a probed request ends its session."""

    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Probe:
    app: FastAPI
    seeker: SignedIn


def _probe_settings(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> Settings:
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'probe.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        server.create_database("hmb_probe")
        url = server.url("hmb_probe")
    probe_settings = make_settings(database_url=url, var_dir=tmp_path / "var")
    migrate(probe_settings)
    return probe_settings


async def _seed(probe_settings: Settings) -> str:
    runtime = create_runtime(probe_settings)
    try:
        return (await person(runtime, SEEKER_EMAIL, first_name="Probe")).access_token
    finally:
        await runtime.close()


@pytest.fixture(scope="module", params=ENGINES)
def probe(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    probe_settings = _probe_settings(request, request.param, tmp_path_factory.mktemp("probe"))
    token = asyncio.run(_seed(probe_settings))
    app = create_app(probe_settings, create_runtime(probe_settings))
    yield Probe(app, SignedIn(token))
    asgi.shutdown_lifespans()  # the app's lifespan closes its runtime, on the transport's loop


def _document() -> Any:
    """The OpenAPI document, loaded at collection time so each operation becomes its own test.
    The routes do not depend on settings or data, so an app without a database describes them;
    every call is then sent to the probe's app (`app=`) on that engine."""
    with tempfile.TemporaryDirectory() as var_dir:  # where test settings keep their secrets
        document_app = create_app(make_settings(var_dir=Path(var_dir)))
        loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document_app.openapi())))
    loaded.app = document_app  # selects the in-process ASGI transport; never called itself
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


def _sign_in_again(probe: Probe) -> None:
    with asgi.get_client(cast("asgi.ASGIApp", probe.app)) as client:
        response = client.post("http://testserver/api/auth/login", json={"email": SEEKER_EMAIL, "password": PASSWORD})
    assert response.status_code == 200, response.text
    probe.seeker.token = response.json()["access_token"]


@schema.parametrize()  # type: ignore[untyped-decorator]  # schemathesis's decorators are untyped
@PROBE_SETTINGS
def test_signed_in(case: Case[Any], probe: Probe) -> None:
    response = case.call_and_validate(
        app=probe.app, headers=probe.seeker.headers, checks=ALL_CHECKS, excluded_checks=_not_applicable(case)
    )
    # A generated request may sign the account out (logout, a password change): sign in again
    # so the operations after it are still probed signed in, not silently as nobody.
    if response.status_code == 401 or (case.operation.path == "/api/auth/logout" and response.status_code < 300):
        _sign_in_again(probe)


@schema.parametrize()  # type: ignore[untyped-decorator]  # schemathesis's decorators are untyped
@PROBE_SETTINGS
def test_anonymous(case: Case[Any], probe: Probe) -> None:
    case.call_and_validate(app=probe.app, checks=ALL_CHECKS, excluded_checks=_not_applicable(case))
