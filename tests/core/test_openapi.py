"""The OpenAPI document is valid, declares its errors and the bearer scheme, and a client
generated from it (openapi-python-client) signs in and calls the API."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate

from hiremebahamas.app import create_app
from tests.conftest import make_settings
from tests.helpers import PASSWORD, register

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The document does not depend on the database: built once, without opening one."""
    unused = tmp_path_factory.mktemp("openapi") / "unused.db"
    return create_app(make_settings(database_url=f"sqlite:///{unused}")).openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_operation_ids_are_unique_and_readable(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert document["paths"]["/api/auth/login"]["post"]["operationId"] == "auth-login"
    unsubscribe = document["paths"]["/api/saved-searches/unsubscribe"]
    assert unsubscribe["get"]["operationId"] != unsubscribe["post"]["operationId"]


def test_every_api_operation_declares_its_errors(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if not path.startswith("/api/"):
            continue
        responses = operation["responses"]
        for status in ("422", "429"):
            assert responses[status]["content"]["application/json"]["schema"] == ERROR_BODY, (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= responses.keys(), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert {"code", "message"} <= set(detail["required"])


def test_free_text_in_a_url_excludes_what_the_url_guard_refuses(document: dict[str, Any]) -> None:
    """A search's words may hold no line break in a URL (web/deps.py refuses them, 400), so the
    document must not call such a value valid: the probes found `q=a%0Db` (ST202)."""
    [q] = [p for p in document["paths"]["/api/jobs"]["get"]["parameters"] if p["name"] == "q"]
    pattern = re.compile(q["schema"]["pattern"])
    assert pattern.match("front desk")
    for refused in ("a\rb", "a\nb", "a\tb", "a\x00b", "a\u202eb"):
        assert not pattern.match(refused), repr(refused)


def test_entitlement_refusals_are_declared(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path, method in (("/api/jobs", "post"), ("/api/posts", "post"), ("/api/conversations", "post")):
        assert paths[path][method]["responses"]["402"]["content"]["application/json"]["schema"] == ERROR_BODY


def test_the_bearer_scheme_is_declared_where_it_is_accepted(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    paths = document["paths"]
    assert paths["/api/users/me"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/auth/login"]["post"]


@pytest.fixture(scope="module")
def generated_client(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python client package (`hmb_client`) generated from the document, in a directory."""
    work = tmp_path_factory.mktemp("client")
    (work / "openapi.json").write_text(json.dumps(document))
    (work / "config.yaml").write_text("package_name_override: hmb_client\npost_hooks: []\n")
    generator = Path(sys.executable).parent / "openapi-python-client"
    arguments = ["--path", "openapi.json", "--output-path", "hmb_client", "--meta", "none", "--config", "config.yaml"]
    result = subprocess.run(
        [str(generator), "generate", *arguments],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Unable to parse" not in output, output
    assert "Cannot parse" not in output, output
    return work


async def test_a_generated_client_signs_in_and_calls_the_api(
    app: FastAPI, generated_client: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(generated_client))
    client_module = importlib.import_module("hmb_client.client")
    login = importlib.import_module("hmb_client.api.auth.auth_login")
    get_me = importlib.import_module("hmb_client.api.profiles.profiles_get_me")
    search = importlib.import_module("hmb_client.api.jobs.jobs_search")
    models = importlib.import_module("hmb_client.models")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await register(http, "ann@example.com")).status_code == 201
        anonymous = client_module.Client(base_url="http://testserver").set_async_httpx_client(http)
        refused = await login.asyncio_detailed(
            client=anonymous, body=models.LoginIn(email="ann@example.com", password="not-her-password")
        )
        assert refused.status_code == 401
        assert refused.parsed.error.code == "unauthenticated"
        tokens = await login.asyncio(client=anonymous, body=models.LoginIn(email="ann@example.com", password=PASSWORD))
        assert isinstance(tokens, models.TokenPairOut), tokens

    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"Authorization": f"Bearer {tokens.access_token}"}
    ) as http:
        signed_in = client_module.AuthenticatedClient(base_url="http://testserver", token=tokens.access_token)
        signed_in.set_async_httpx_client(http)
        me = await get_me.asyncio(client=signed_in)
        assert isinstance(me, models.MeOut), me
        assert me.user.email == "ann@example.com"
        jobs = await search.asyncio(client=signed_in)
        assert isinstance(jobs, models.PageJobSummaryOut), jobs
        assert jobs.items == []
