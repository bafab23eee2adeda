"""`hiremebahamas worker` as a real process: starts on Redis, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hiremebahamas.config import Settings
from tests.servers import RedisServer

STARTUP_SECONDS = 60.0


def test_the_worker_starts_and_stops_gracefully(redis_server: RedisServer, tmp_path: Path) -> None:
    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env.update(
        ENVIRONMENT="test",
        REDIS_URL=redis_server.url(8),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.db'}",
        VAR_DIR=str(tmp_path / "var"),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "hiremebahamas.cli", "worker"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while "worker started" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"the worker did not start:\n{log.read_text(errors='replace')}"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=30)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"the worker did not stop:\n{log.read_text(errors='replace')}") from exc
        assert status == 0, log.read_text(errors="replace")
        text = log.read_text(errors="replace")
        assert "worker stopped" in text
        assert "jobs_schedule" in text  # the cron job is registered
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
