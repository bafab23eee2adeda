"""`hiremebahamas smoke URL` against the app in its own process, with demo data, and against an
address where nothing answers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

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
