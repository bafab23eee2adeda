"""The app in a child process, as a person or a browser meets it: `hiremebahamas serve` on a
free loopback port with a fresh SQLite database (browser tests, the smoke command's test)."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hiremebahamas.config import Settings
from tests.servers import free_port, terminate

STARTUP_TIMEOUT = 60.0
"""Seconds for imports and the migrations of a fresh database: past 30 on two cores that other
processes keep busy."""
_START_ATTEMPTS = 3


@dataclass
class LiveServer:
    """The app running in a child process."""

    url: str
    var_dir: Path
    log_file: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    env: dict[str, str] = field(repr=False, default_factory=dict)
    """The server's environment: `cli` runs commands against the same database."""

    def log_size(self) -> int:
        try:
            return self.log_file.stat().st_size
        except OSError:
            return 0

    def log_text(self, since: int = 0) -> str:
        try:
            with self.log_file.open("rb") as log:
                log.seek(since)
                return log.read().decode(errors="replace")
        except OSError as exc:
            return f"(no server log at {self.log_file}: {exc})"

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:]) or "(server log is empty)"

    def errors_since(self, offset: int) -> list[str]:
        """Log lines at ERROR or worse (and raw tracebacks) written after `offset`."""
        problems = []
        for line in self.log_text(offset).splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                if line.startswith("Traceback"):
                    problems.append(line)
                continue
            if isinstance(entry, dict) and entry.get("level") in ("ERROR", "CRITICAL"):
                problems.append(line)
        return problems

    def stop(self) -> None:
        terminate(self.process)

    def cli(self, *args: str) -> str:
        """Run `hiremebahamas <args>` against the server's database (e.g. `grant-role`); its output."""
        done = subprocess.run(
            [sys.executable, "-m", "hiremebahamas.cli", *args],
            capture_output=True, text=True, env=self.env, cwd=self.var_dir.parent, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"hiremebahamas {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
        return done.stdout


def _server_env(url: str, tmp: Path, settings: Mapping[str, str]) -> dict[str, str]:
    """This environment without any of the app's settings (so nothing from the shell leaks in)."""
    names = {name.upper() for name in Settings.model_fields}
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in names and not key.upper().startswith("DATABASE_READ_REPLICA_")
    }
    env.update(
        ENVIRONMENT="development",  # /dev/outbox, and mail goes to files there
        BASE_URL=url,
        DATABASE_URL=f"sqlite:///{tmp / 'e2e.db'}",
        VAR_DIR=str(tmp / "var"),
        RATE_LIMIT_AUTH="1000/minute",
        RATE_LIMIT_API="1000/minute",
        RATE_LIMIT_UPLOAD="1000/minute",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_live_server(tmp: Path, settings: Mapping[str, str] | None = None) -> LiveServer:
    """`hiremebahamas serve --migrate` in a child process on a free loopback port, on a fresh
    SQLite database under `tmp`, once it answers /health; `settings`: environment variables
    over the defaults (e.g. STAFF_REQUIRE_TOTP)."""
    log_file = tmp / "server.log"
    for attempt in range(1, _START_ATTEMPTS + 1):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "hiremebahamas.cli", "serve", "--migrate", "--host", "127.0.0.1"]
        env = _server_env(url, tmp, settings or {})
        with log_file.open("ab") as log:
            process = subprocess.Popen(
                [*command, "--port", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=tmp,  # no .env from the checkout
                env=env,
                start_new_session=True,  # Ctrl-C reaches pytest only; teardown stops the server
            )
        server = LiveServer(url=url, var_dir=tmp / "var", log_file=log_file, process=process, env=env)
        atexit.register(terminate, process)  # backstop for an interrupted run
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _health_ok(url):
            status = process.poll()
            if status is not None:
                if attempt < _START_ATTEMPTS and "address already in use" in server.log_text().lower():
                    break  # someone took the port: try another
                raise RuntimeError(
                    f"the app exited with status {status} while starting on {url}\n"
                    f"server log ({log_file}):\n{server.log_tail()}"
                )
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"the app did not answer GET {url}/health within {STARTUP_TIMEOUT:.0f}s\n"
                    f"server log ({log_file}):\n{server.log_tail()}"
                )
            time.sleep(0.05)
        else:
            return server
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
