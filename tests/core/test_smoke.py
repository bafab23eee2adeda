"""`hiremebahamas smoke URL` against the app in its own process, with demo data, and against an
address where nothing answers; with `--signed-in`, a member's whole path with throwaway
accounts that the staff API deletes at the end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from hiremebahamas.cli import main
from tests.live_server import LiveServer, start_live_server
from tests.servers import free_port


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("smoke")
    server = start_live_server(tmp)
    try:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}", "VAR_DIR": str(server.var_dir)}
        command = [sys.executable, "-m", "hiremebahamas.cli", "demo-data", "--size", "tiny"]
        loaded = subprocess.run(command, env=env, cwd=tmp, capture_output=True, text=True, timeout=120, check=False)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        yield server
    finally:
        server.stop()


def _rows(output: str) -> dict[str, str]:
    return {line.split("  ")[0]: line for line in output.splitlines()[:-1]}


def test_a_healthy_instance_passes(live_server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["smoke", live_server.url]) == 0
    rows = _rows(capsys.readouterr().out)
    for check in ("health", "ready", "security headers", "job search", "job page", "sitemap", "static files"):
        assert "PASS" in rows[check], rows[check]
    assert "JobPosting JSON-LD" in rows["job page"]
    assert "closed with 4401" in rows["WebSocket"]
    assert "refused with 400" in rows["Stripe webhook"]
    assert "SKIP" in rows["TLS and HSTS"]  # a loopback http address: nothing to check, and said so


def test_an_instance_that_does_not_answer_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["smoke", f"http://127.0.0.1:{free_port()}", "--timeout", "2"]) == 1
    output = capsys.readouterr().out
    assert "FAIL" in _rows(output)["health"]
    assert "FAILED" in output.splitlines()[-1]


ADMIN_EMAIL = "smoke-admin@example.com"
ADMIN_PASSWORD = "a long admin passphrase 7"


def _admin_token(server: LiveServer) -> str:
    env = {**server.env, "ADMIN_PASSWORD": ADMIN_PASSWORD}
    command = [sys.executable, "-m", "hiremebahamas.cli", "create-admin", "--email", ADMIN_EMAIL]
    made = subprocess.run(command, env=env, cwd=server.var_dir.parent, capture_output=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    response = httpx.post(f"{server.url}/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_the_signed_in_flow_passes_and_deletes_its_accounts(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _admin_token(live_server)
    monkeypatch.setenv("SMOKE_STAFF_TOKEN", token)
    assert main(["smoke", live_server.url, "--signed-in"]) == 0
    output = capsys.readouterr().out
    rows = _rows(output)
    for check in ("staff token", "sign up", "verify (staff API)", "log in", "post and read", "upload", "subscribe"):
        assert "PASS" in rows[check], rows[check]
    assert "received live on /ws" in rows["message, live"]
    assert "Pro through the embedded checkout" in rows["subscribe"]
    assert "2 accounts deleted" in rows["clean up"]
    assert token not in output
    # The staff API sees both throwaway accounts gone from the active ones.
    headers = {"Authorization": f"Bearer {token}"}
    query = {"q": "smoke-", "status": "active"}
    listed = httpx.get(f"{live_server.url}/api/admin/users", params=query, headers=headers)
    assert listed.status_code == 200
    assert [user["email"] for user in listed.json()["items"]] == [ADMIN_EMAIL]


def test_without_a_working_staff_token_nothing_is_made(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOKE_STAFF_TOKEN", "not-a-token")
    assert main(["smoke", live_server.url, "--signed-in"]) == 1
    rows = _rows(capsys.readouterr().out)
    assert "FAIL" in rows["staff token"]
    assert "401" in rows["staff token"]
    for check in ("sign up", "verify (staff API)", "log in", "post and read", "clean up"):
        assert "SKIP" in rows[check], rows[check]


def test_signed_in_needs_the_token_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMOKE_STAFF_TOKEN", raising=False)
    assert main(["smoke", "http://127.0.0.1:9", "--signed-in"]) == 2
    assert "SMOKE_STAFF_TOKEN" in capsys.readouterr().err
