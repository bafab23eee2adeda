"""Throwaway PostgreSQL, Redis and clamd servers for the test suite.

Each server runs on a free loopback port with its state in a fresh temporary
directory, and is torn down (process stopped, directory removed) by ``stop()``.
An ``atexit`` hook stops anything still running when the interpreter exits, as
a backstop for crashed or interrupted test runs.

Requires the Debian packages ``postgresql``, ``redis-server`` and ``clamav-daemon``.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import hashlib
import io
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ClamdServer",
    "PostgresServer",
    "RedisServer",
    "free_port",
    "start_clamd",
    "start_postgres",
    "start_redis",
]

STARTUP_TIMEOUT = 30.0
"""Seconds to wait for a server to start (or stop) before giving up."""

_PG_ROOT = Path("/usr/lib/postgresql")
_PG_SYSTEM_USER = "postgres"
_PG_SUPERUSER = "postgres"
_START_ATTEMPTS = 3
"""Retries with a new port, in case another process grabs our free port."""

_LOCK = threading.Lock()
_LIVE: list[PostgresServer | _ChildServer] = []


# --------------------------------------------------------------------------
# helpers


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log at {path}: {exc})"
    tail = "\n".join(text.splitlines()[-lines:])
    return tail or "(log is empty)"


def _clean_env() -> dict[str, str]:
    """The current environment without libpq variables that could redirect us."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _register(server: PostgresServer | _ChildServer) -> None:
    with _LOCK:
        _LIVE.append(server)


def _unregister(server: PostgresServer | _ChildServer) -> None:
    with _LOCK:
        if server in _LIVE:
            _LIVE.remove(server)


@atexit.register
def _stop_all() -> None:
    with _LOCK:
        servers = list(_LIVE)
    for server in reversed(servers):
        try:
            server.stop()
        except Exception as exc:
            print(f"tests.servers: failed to stop {server!r}: {exc}", file=sys.stderr)


# --------------------------------------------------------------------------
# PostgreSQL


def _version_key(path: Path) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in path.name.split("."))
    except ValueError:
        return (-1,)


def _postgres_bin_dir() -> Path:
    candidates = [
        d / "bin" for d in _PG_ROOT.glob("*") if (d / "bin" / "initdb").is_file() and (d / "bin" / "pg_ctl").is_file()
    ]
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL server binaries not found under {_PG_ROOT}/<version>/bin; "
            "install the Debian package 'postgresql' (apt-get install postgresql)"
        )
    return max(candidates, key=lambda b: _version_key(b.parent))


def _initdb_locale() -> str:
    # C.UTF-8 gives deterministic byte-order collation with UTF-8 aware ctype;
    # fall back to plain C where glibc does not ship it.
    if Path("/usr/lib/locale/C.utf8").is_dir():
        return "C.UTF-8"
    return "C"


def _pg_command(args: Sequence[str]) -> list[str]:
    """Prefix a server-side command so it runs as the postgres user under root."""
    if _running_as_root():
        return ["runuser", "-u", _PG_SYSTEM_USER, "--", *args]
    return list(args)


def _run(
    args: Sequence[str],
    *,
    what: str,
    log: Path | None = None,
    timeout: float = STARTUP_TIMEOUT,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; raise a RuntimeError with context on failure."""
    try:
        result = subprocess.run(
            list(args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=dict(env) if env is not None else _clean_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        detail = f"timed out after {timeout:.0f}s"
        out = exc.stdout if isinstance(exc.stdout, str) else ""
        err = exc.stderr if isinstance(exc.stderr, str) else ""
        result = subprocess.CompletedProcess(list(args), -1, out, err)
    else:
        if result.returncode == 0:
            return result
        detail = f"exited with status {result.returncode}"
    message = [
        f"{what} failed: {detail}",
        f"command: {' '.join(args)}",
        f"stdout: {result.stdout.strip()}",
        f"stderr: {result.stderr.strip()}",
    ]
    if log is not None:
        message.append(f"log tail ({log}):\n{_log_tail(log)}")
    raise RuntimeError("\n".join(message))


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class PostgresServer:
    """A running throwaway PostgreSQL cluster (trust auth, loopback only)."""

    host: str
    port: int
    user: str
    data_dir: Path
    pid: int
    """Process id of the postmaster."""
    bin_dir: Path
    base_dir: Path
    """Temporary directory holding data, socket and log; removed by stop()."""
    log_file: Path
    _stopped: bool = field(default=False, repr=False, compare=False)

    def is_running(self) -> bool:
        """Whether the postmaster is still alive (exited zombies count as dead)."""
        return not self._stopped and _pid_alive(self.pid)

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL for the asyncpg driver."""
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """Plain libpq/asyncpg DSN (no SQLAlchemy driver suffix)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL through psql and return its unaligned, tuples-only output."""
        env = _clean_env()
        env["PGCONNECT_TIMEOUT"] = "10"
        result = _run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-w",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-c",
                sql,
            ],
            what="psql",
            log=self.log_file,
            env=env,
        )
        return result.stdout

    def halt(self) -> None:
        """`pg_ctl stop -m fast`, keeping the data: `start_again` brings it back on the same port."""
        command = [str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"]
        _run(_pg_command(command), what="pg_ctl stop", log=self.log_file, cwd=self.base_dir, timeout=STARTUP_TIMEOUT)

    def start_again(self) -> None:
        options = _server_options(self.port, self.base_dir / "sock")
        command = [str(self.bin_dir / "pg_ctl"), "start", "-D", str(self.data_dir), "-l", str(self.log_file)]
        _run(
            _pg_command([*command, "-o", options, "-w", "-t", str(int(STARTUP_TIMEOUT))]),
            what="pg_ctl start",
            log=self.log_file,
            cwd=self.base_dir,
            timeout=STARTUP_TIMEOUT + 5,
        )
        self.pid = _read_postmaster_pid(self.data_dir)

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every connection dropped, the server back on the same port."""
        command = [str(self.bin_dir / "pg_ctl"), "restart", "-D", str(self.data_dir), "-m", "fast", "-w"]
        _run(
            _pg_command([*command, "-t", str(int(STARTUP_TIMEOUT)), "-l", str(self.log_file)]),
            what="pg_ctl restart",
            log=self.log_file,
            cwd=self.base_dir,
            timeout=STARTUP_TIMEOUT + 10,
        )
        self.pid = _read_postmaster_pid(self.data_dir)

    def create_database(self, name: str) -> None:
        """Create a database (owned by the superuser) on this server."""
        self.psql(f"CREATE DATABASE {_quote_ident(name)}")

    def stop(self) -> None:
        """Stop the server (immediate mode) and delete its temporary directory.

        Safe to call more than once.
        """
        if self._stopped:
            return
        self._stopped = True
        _unregister(self)
        try:
            _stop_postgres(self.bin_dir, self.data_dir, self.base_dir, self.pid)
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    """Whether pid is a live (not exited, not zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs: trust kill(0)
    # Format: "pid (comm) state ..."; comm may contain spaces or parens.
    state = stat.rpartition(")")[2].split()[0]
    return state not in {"Z", "X"}


def _stop_postgres(bin_dir: Path, data_dir: Path, cwd: Path, pid: int | None) -> None:
    """Stop the cluster in data_dir; never touches any other postmaster."""
    if pid is None:
        try:
            pid = _read_postmaster_pid(data_dir)
        except (OSError, IndexError, ValueError):
            return  # never started (or already cleaned up)
    if not _pid_alive(pid):
        return  # already gone (crashed or stopped)
    try:
        _run(
            _pg_command(
                [
                    str(bin_dir / "pg_ctl"),
                    "stop",
                    "-D",
                    str(data_dir),
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    str(int(STARTUP_TIMEOUT)),
                ]
            ),
            what="pg_ctl stop",
            cwd=cwd,
            timeout=STARTUP_TIMEOUT + 5,
        )
    except RuntimeError:
        if not _pid_alive(pid):
            return
        # Last resort: SIGKILL the postmaster we started (its backends exit
        # as soon as they notice it is gone).
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _read_postmaster_pid(data_dir: Path) -> int:
    first_line = (data_dir / "postmaster.pid").read_text().splitlines()[0]
    return int(first_line.strip())


def _wait_pg_ready(bin_dir: Path, port: int, log: Path, deadline: float) -> None:
    env = _clean_env()
    args = [
        str(bin_dir / "pg_isready"),
        "-q",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        _PG_SUPERUSER,
        "-d",
        "postgres",
        "-t",
        "5",
    ]
    while True:
        result = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=env,
            timeout=STARTUP_TIMEOUT,
            check=False,
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"PostgreSQL on 127.0.0.1:{port} not accepting TCP connections "
                f"after {STARTUP_TIMEOUT:.0f}s (pg_isready status "
                f"{result.returncode})\nlog tail ({log}):\n{_log_tail(log)}"
            )
        time.sleep(0.05)


def _server_options(port: int, socket_dir: Path) -> str:
    return (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {socket_dir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=200"
    )


def _launch(bin_dir: Path, base_dir: Path, data_dir: Path, socket_dir: Path, log_file: Path) -> tuple[int, int]:
    """Start the cluster in `data_dir` on a free loopback port: (port, postmaster pid)."""
    for attempt in range(1, _START_ATTEMPTS + 1):
        port = free_port()
        options = _server_options(port, socket_dir)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        try:
            _run(
                _pg_command(
                    [
                        str(bin_dir / "pg_ctl"),
                        "start",
                        "-D",
                        str(data_dir),
                        "-l",
                        str(log_file),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        str(int(STARTUP_TIMEOUT)),
                    ]
                ),
                what="pg_ctl start",
                log=log_file,
                cwd=base_dir,
                timeout=STARTUP_TIMEOUT + 5,
            )
        except RuntimeError:
            if attempt < _START_ATTEMPTS and "could not bind" in _log_tail(log_file):
                # Someone grabbed the port between free_port() and bind.
                _stop_postgres(bin_dir, data_dir, base_dir, None)
                continue
            raise
        pid = _read_postmaster_pid(data_dir)
        _wait_pg_ready(bin_dir, port, log_file, deadline)
        return port, pid
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _system_user() -> pwd.struct_passwd | None:
    """As root, the `postgres` system user the server must run as; None otherwise."""
    if not _running_as_root():
        return None
    if shutil.which("runuser") is None:
        raise RuntimeError("running as root but 'runuser' (util-linux) is missing")
    try:
        return pwd.getpwnam(_PG_SYSTEM_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root but there is no '{_PG_SYSTEM_USER}' system user; install the Debian package 'postgresql'"
        ) from None


def _start_cluster(bin_dir: Path, prefix: str, make_data: Callable[[Path, Path], None]) -> PostgresServer:
    """Make a data directory with `make_data(base_dir, data_dir)`, start it on a free loopback
    port, and remove everything again if any step fails."""
    pg_user = _system_user()
    base_dir = Path(tempfile.mkdtemp(prefix=prefix))
    data_dir, socket_dir, log_file = base_dir / "data", base_dir / "sock", base_dir / "postgres.log"
    pid: int | None = None
    try:
        socket_dir.mkdir()
        if pg_user is not None:
            for path in (base_dir, socket_dir):
                os.chown(path, pg_user.pw_uid, pg_user.pw_gid)
        make_data(base_dir, data_dir)
        port, pid = _launch(bin_dir, base_dir, data_dir, socket_dir, log_file)
    except BaseException:
        try:
            _stop_postgres(bin_dir, data_dir, base_dir, pid)
        finally:
            shutil.rmtree(base_dir, ignore_errors=True)
        raise
    server = PostgresServer(
        host="127.0.0.1",
        port=port,
        user=_PG_SUPERUSER,
        data_dir=data_dir,
        pid=pid,
        bin_dir=bin_dir,
        base_dir=base_dir,
        log_file=log_file,
    )
    _register(server)
    return server


def start_postgres() -> PostgresServer:
    """Initialise and start a fresh PostgreSQL cluster on a free loopback port."""
    bin_dir = _postgres_bin_dir()

    def initdb(base_dir: Path, data_dir: Path) -> None:
        command = [str(bin_dir / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", _PG_SUPERUSER, "-E", "UTF8"]
        options = [f"--locale={_initdb_locale()}", "--no-sync", "--no-instructions"]
        _run(_pg_command([*command, *options]), what="initdb", cwd=base_dir, timeout=STARTUP_TIMEOUT * 2)

    return _start_cluster(bin_dir, "test-pg-", initdb)


def start_replica(primary: PostgresServer) -> PostgresServer:
    """A streaming replica of `primary` (`pg_basebackup -R -X stream`), hot standby, on its own
    free loopback port. Stop it like any other server."""

    def base_backup(base_dir: Path, data_dir: Path) -> None:
        source = ["-h", primary.host, "-p", str(primary.port), "-U", primary.user]
        command = [str(primary.bin_dir / "pg_basebackup"), *source, "-D", str(data_dir)]
        options = ["-R", "-X", "stream", "-c", "fast", "--no-sync"]
        _run(_pg_command([*command, *options]), what="pg_basebackup", cwd=base_dir, timeout=STARTUP_TIMEOUT * 4)

    return _start_cluster(primary.bin_dir, "test-pg-replica-", base_backup)


# --------------------------------------------------------------------------
# PgBouncer


class _ChildServer:
    """A server that is one child process of ours with a temporary directory."""

    process: subprocess.Popen[bytes]
    base_dir: Path
    _stopped: bool

    def stop(self) -> None:
        """Terminate the server and delete its temporary directory. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        _unregister(self)
        try:
            terminate(self.process)
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)


@dataclass
class PgBouncerServer(_ChildServer):
    """A running pgbouncer in transaction pooling mode in front of one PostgreSQL server."""

    port: int
    process: subprocess.Popen[bytes] = field(repr=False)
    base_dir: Path
    log_file: Path
    user: str
    _stopped: bool = field(default=False, repr=False, compare=False)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"


def _accepts_connections(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


def start_pgbouncer(postgres: PostgresServer, *, pool_size: int = 4) -> PgBouncerServer:
    """pgbouncer (the Debian package) on a free loopback port, transaction pooling, `pool_size`
    server connections per database and user: fewer than a test opens, so they are shared."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    base_dir = Path(tempfile.mkdtemp(prefix="test-pgbouncer-"))
    log_file = base_dir / "pgbouncer.log"
    port = free_port()
    (base_dir / "users.txt").write_text(f'"{postgres.user}" ""\n')
    (base_dir / "pgbouncer.ini").write_text(
        f"""[databases]
* = host=127.0.0.1 port={postgres.port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {base_dir / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
query_wait_timeout = 5
server_login_retry = 1
max_client_conn = 500
logfile = {log_file}
pidfile = {base_dir / "pgbouncer.pid"}
ignore_startup_parameters = extra_float_digits
"""
    )
    pg_user = _system_user()
    if pg_user is not None:
        for path in (base_dir, *base_dir.iterdir()):
            os.chown(path, pg_user.pw_uid, pg_user.pw_gid)
    process = subprocess.Popen(
        _pg_command([binary, str(base_dir / "pgbouncer.ini")]),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=base_dir,
        start_new_session=True,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not _accepts_connections(port):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = _log_tail(log_file) if log_file.exists() else ""
            terminate(process)
            shutil.rmtree(base_dir, ignore_errors=True)
            raise RuntimeError(f"pgbouncer did not start on 127.0.0.1:{port}\n{tail}")
        time.sleep(0.05)
    server = PgBouncerServer(port, process, base_dir, log_file, postgres.user)
    _register(server)
    return server


# --------------------------------------------------------------------------
# Redis


def _redis_binary() -> str:
    path = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )
    if path is None:
        raise RuntimeError(
            "redis-server binary not found; install the Debian package 'redis-server' (apt-get install redis-server)"
        )
    return path


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            reply = b""
            while b"\r\n" not in reply:
                chunk = sock.recv(64)
                if not chunk:
                    break
                reply += chunk
    except OSError:
        return False
    return reply.startswith(b"+PONG")


def _redis_server_pid(port: int) -> int | None:
    """The process_id reported by INFO server, or None if unreadable."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2.0) as sock:
            sock.sendall(b"INFO server\r\n")
            reply = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
                header, sep, body = reply.partition(b"\r\n")
                if sep and header.startswith(b"$") and len(body) >= int(header[1:]):
                    break
    except (OSError, ValueError):
        return None
    for line in reply.decode(errors="replace").splitlines():
        if line.startswith("process_id:"):
            return int(line.split(":", 1)[1])
    return None


@dataclass
class RedisServer(_ChildServer):
    """A running throwaway redis-server (no persistence, loopback only)."""

    port: int
    process: subprocess.Popen[bytes] = field(repr=False)
    base_dir: Path
    """Temporary working directory holding the log; removed by stop()."""
    log_file: Path
    _stopped: bool = field(default=False, repr=False, compare=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return not self._stopped and self.process.poll() is None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def pause(self) -> None:
        """Stop the server (its data is gone: it keeps none) but keep its port and directory."""
        terminate(self.process)

    def resume(self) -> None:
        """Start it again, empty, on the same port."""
        self.process = _spawn_redis(_redis_binary(), self.port, self.base_dir, self.log_file)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _redis_ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not come back on port {self.port}:\n{_log_tail(self.log_file)}")
            time.sleep(0.02)


def terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _spawn_redis(binary: str, port: int, base_dir: Path, log_file: Path) -> subprocess.Popen[bytes]:
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
    with log_file.open("ab") as log:
        return subprocess.Popen(
            [binary, *arguments, "--dir", str(base_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=base_dir,
            start_new_session=True,
        )


def start_redis() -> RedisServer:
    """Start a fresh redis-server on a free loopback port."""
    binary = _redis_binary()
    base_dir = Path(tempfile.mkdtemp(prefix="test-redis-"))
    log_file = base_dir / "redis.log"
    try:
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = free_port()
            process = _spawn_redis(binary, port, base_dir, log_file)
            deadline = time.monotonic() + STARTUP_TIMEOUT
            try:
                while not _redis_ping(port):
                    status = process.poll()
                    if status is not None:
                        raise RuntimeError(
                            f"redis-server exited with status {status} during startup "
                            f"on port {port}\nlog tail ({log_file}):\n{_log_tail(log_file)}"
                        )
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"redis-server on 127.0.0.1:{port} did not answer PING "
                            f"within {STARTUP_TIMEOUT:.0f}s\n"
                            f"log tail ({log_file}):\n{_log_tail(log_file)}"
                        )
                    time.sleep(0.02)
                if _redis_server_pid(port) != process.pid:
                    raise RuntimeError(
                        f"port {port} is answered by a redis-server we did not start (Address already in use)"
                    )
            except BaseException as exc:
                terminate(process)
                retry = (
                    isinstance(exc, RuntimeError)
                    and attempt < _START_ATTEMPTS
                    and "Address already in use" in f"{exc}\n{_log_tail(log_file)}"
                )
                if retry:
                    continue
                raise
            break
        else:  # pragma: no cover - the loop always breaks or raises
            raise AssertionError("unreachable")
    except BaseException:
        shutil.rmtree(base_dir, ignore_errors=True)
        raise

    server = RedisServer(port=port, process=process, base_dir=base_dir, log_file=log_file)
    _register(server)
    return server


# --------------------------------------------------------------------------
# clamd (ClamAV's daemon)


def _clamd_binary() -> str:
    path = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").is_file() else None)
    if path is None:
        raise RuntimeError("clamd not found; install the Debian package 'clamav-daemon'")
    return path


def _clamd_call(port: int, command: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5.0) as sock:
        sock.sendall(b"z" + command + b"\0")
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    return reply.rstrip(b"\0")


def _clamd_version(port: int) -> str | None:
    try:
        return _clamd_call(port, b"VERSION").decode()
    except OSError:
        return None


def signature_database(version: int, signatures: Mapping[str, bytes]) -> bytes:
    """An unsigned ClamAV database (`.cud`) of body signatures that match `signatures`' bytes
    anywhere in a file. clamd reports a database version (`ClamAV 1.4.6/<version>/...`, as it
    does for the official daily.cvd) only for this container, not for a bare `.ndb`: with it, a
    test changes the signatures the way freshclam does."""
    body = "".join(f"{name}:0:*:{value.hex()}\n" for name, value in signatures.items()).encode()
    made = int(time.time())
    header = f"ClamAV-VDB:{time.strftime('%d %b %Y %H-%M %z')}:{version}:{len(signatures)}:90:X:X:tests:{made}"
    info = f"{header}\ndaily.ndb:{len(body)}:{hashlib.sha256(body).hexdigest()}\n".encode()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("daily.info", info), ("daily.ndb", body)):
            member = tarfile.TarInfo(name)
            member.size, member.mtime = len(data), made
            tar.addfile(member, io.BytesIO(data))
    return header.encode().ljust(512, b" ") + gzip.compress(archive.getvalue())


@dataclass
class ClamdServer(_ChildServer):
    """A running clamd on loopback whose only signatures are the ones a test gives it."""

    port: int
    process: subprocess.Popen[bytes] = field(repr=False)
    base_dir: Path
    log_file: Path
    version: int
    _stopped: bool = field(default=False, repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def database_dir(self) -> Path:
        return self.base_dir / "db"

    def is_running(self) -> bool:
        return not self._stopped and self.process.poll() is None

    def load_signatures(self, signatures: Mapping[str, bytes]) -> str:
        """Replace the signatures with `signatures` under the next database version, reload,
        and return clamd's new version string once it reports it."""
        self.version += 1
        (self.database_dir / "daily.cud").write_bytes(signature_database(self.version, signatures))
        _clamd_call(self.port, b"RELOAD")
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while f"/{self.version}/" not in (reported := _clamd_version(self.port) or ""):
            if time.monotonic() > deadline:
                raise RuntimeError(f"clamd did not load database version {self.version}:\n{_log_tail(self.log_file)}")
            time.sleep(0.05)
        return reported

    def pause(self) -> None:
        """Stop clamd but keep its port, configuration and signatures."""
        terminate(self.process)

    def resume(self) -> None:
        """Start it again (nothing to do when it runs)."""
        if self.process.poll() is None:
            return
        self.process = _spawn_clamd(self.base_dir, self.log_file)
        _wait_clamd(self.process, self.port, self.log_file)


def _spawn_clamd(base_dir: Path, log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as log:
        return subprocess.Popen(
            [_clamd_binary(), "--config-file", str(base_dir / "clamd.conf")],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=base_dir,
            start_new_session=True,
        )


def _wait_clamd(process: subprocess.Popen[bytes], port: int, log_file: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while _clamd_version(port) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            terminate(process)
            raise RuntimeError(f"clamd did not start on 127.0.0.1:{port}:\n{_log_tail(log_file)}")
        time.sleep(0.05)


def start_clamd(signatures: Mapping[str, bytes]) -> ClamdServer:
    """clamd on a free loopback port, in the foreground, with its own configuration and a
    database of `signatures` only (the official ones cannot be downloaded here, and loading
    them takes a minute and a gigabyte): it starts in a second or two."""
    base_dir = Path(tempfile.mkdtemp(prefix="test-clamd-"))
    log_file = base_dir / "clamd.log"
    port = free_port()
    database_dir = base_dir / "db"
    database_dir.mkdir()
    (database_dir / "daily.cud").write_bytes(signature_database(1, signatures))
    # As root clamd would switch to the clamav user, who cannot read our temporary directory.
    user = "User root\n" if _running_as_root() else ""
    (base_dir / "clamd.conf").write_text(
        f"""Foreground yes
TCPSocket {port}
TCPAddr 127.0.0.1
DatabaseDirectory {database_dir}
LogFile {log_file}
PidFile {base_dir / "clamd.pid"}
{user}"""
    )
    try:
        process = _spawn_clamd(base_dir, log_file)
        _wait_clamd(process, port, log_file)
    except BaseException:
        shutil.rmtree(base_dir, ignore_errors=True)
        raise
    server = ClamdServer(port, process, base_dir, log_file, version=1)
    _register(server)
    return server
