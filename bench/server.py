"""The server under test: gunicorn with uvicorn workers (`deploy/gunicorn.conf.py`), as deployed,
on a free loopback port, with its state in a temporary directory; plus CPU accounting."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.servers import free_port

from hiremebahamas.config import Settings, generate_secret

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONF = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
VENV_BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 40.0
"""gunicorn's graceful_timeout is 30 s; after this the process group is killed."""
UNLIMITED_RATE = "1000000/minute"
"""The load comes from one IP and a few hundred users: the limits would measure themselves."""

_APP_NAMES = frozenset(name.upper() for name in Settings.model_fields) | {
    "PROMETHEUS_MULTIPROC_DIR",
    "WEB_TIMEOUT",
    "WEB_MAX_REQUESTS",
}


def _inherited(name: str) -> bool:
    """Leave out the caller's own app settings (a DATABASE_URL, say) and libpq variables."""
    upper = name.upper()
    return not (upper in _APP_NAMES or upper.startswith(("DATABASE_READ_REPLICA_", "PG")))


def app_environment(
    *,
    var_dir: Path,
    database_url: str,
    production: bool,
    workers: int,
    redis_url: str | None = None,
    max_requests: int | None = None,
) -> dict[str, str]:
    """The app's environment: production (strict checks) on PostgreSQL, development on SQLite,
    which production and staging refuse."""
    env = {name: value for name, value in os.environ.items() if _inherited(name)}
    port = free_port()
    env.update(
        ENVIRONMENT="production" if production else "development",
        DATABASE_URL=database_url,
        SECRET_KEY=generate_secret(),
        JWT_SECRET_KEY=generate_secret(),
        # /metrics answers only to this bearer token outside development; the benchmark reads it.
        METRICS_TOKEN=generate_secret(),
        BASE_URL=f"http://127.0.0.1:{port}",
        HOST="127.0.0.1",
        PORT=str(port),
        VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
        RATE_LIMIT_AUTH=UNLIMITED_RATE,
        RATE_LIMIT_API=UNLIMITED_RATE,
        RATE_LIMIT_UPLOAD=UNLIMITED_RATE,
        # Seeded tokens must outlive a long --duration; verifying them costs the same either way.
        ACCESS_TOKEN_TTL_SECONDS="86400",  # noqa: S106 - a lifetime, not a secret
        WEB_CONCURRENCY=str(workers),
        # As deployed (render.yaml, Dockerfile): metrics summed across workers through files.
        PROMETHEUS_MULTIPROC_DIR=str(var_dir / "prometheus"),
        PYTHONUNBUFFERED="1",
        GUNICORN_CMD_ARGS="--no-control-socket",  # not ~/.gunicorn/gunicorn.ctl, shared with any other gunicorn
        # Bytecode caches, as a deployed server has them after its first start. Without them
        # (PYTHONDONTWRITEBYTECODE, as on some developer machines) every worker gunicorn
        # recycles compiles the whole dependency tree again.
        PYTHONPYCACHEPREFIX=str(var_dir / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    if max_requests is not None:
        env["WEB_MAX_REQUESTS"] = str(max_requests)
    return env


def command(env: dict[str, str], cwd: Path, *args: str, timeout: float) -> str:
    """Run `hiremebahamas <args>` from the project's venv; its output (RuntimeError on failure)."""
    result = subprocess.run(  # noqa: S603 - our own venv's command, no shell
        [str(VENV_BIN / "hiremebahamas"), *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"hiremebahamas {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def migrate(env: dict[str, str], cwd: Path) -> None:
    # The CLI imports the metrics module too, which fails when PROMETHEUS_MULTIPROC_DIR does
    # not exist yet (gunicorn's on_starting creates it, but only later).
    Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    command(env, cwd, "migrate", timeout=120)


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen[bytes]
    log_file: Path
    workers: int

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def log_problems(self, lines: int = 20) -> list[str]:
        """The last error lines of the server's log (JSON lines at ERROR or above, tracebacks)."""
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return []
        markers = ('"level": "ERROR"', '"level": "CRITICAL"', "Traceback", "[ERROR]", "[CRITICAL]")
        return [line[:500] for line in text.splitlines() if any(marker in line for marker in markers)][-lines:]

    def workers_booted(self) -> int:
        """How many workers gunicorn has started so far (recycled ones included)."""
        try:
            return self.log_file.read_text(errors="replace").count("Booting worker with pid")
        except OSError:
            return 0

    def stop(self) -> None:
        """SIGTERM to the server's own process group (gunicorn and its workers), then SIGKILL."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # Not reaped yet, so the group id still names the group we started.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def spawn(command: list[str], env: dict[str, str], cwd: Path, log_file: Path) -> subprocess.Popen[bytes]:
    """A server process in a new session (its own process group, so stopping it stops its
    children), its output appended to `log_file`. `cwd` is not the project root: a developer's
    .env there must not leak in."""
    with log_file.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own venv's commands, no shell
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_app(env: dict[str, str], cwd: Path, workers: int, app: str | None = None) -> AppServer:
    """Start gunicorn in a new session (its own process group) and wait until every worker is
    up and /health answers. `app` serves another ASGI app (the ceiling) with the same settings."""
    log_file = cwd / "server.log"
    command = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF)]
    if app is not None:
        command += ["--pythonpath", str(PROJECT_ROOT), app]
    process = spawn(command, env, cwd, log_file)
    server = AppServer(url=f"http://127.0.0.1:{env['PORT']}", process=process, log_file=log_file, workers=workers)
    try:
        wait_until_serving(server)
    except BaseException:
        server.stop()
        raise
    return server


def start_worker(env: dict[str, str], cwd: Path) -> AppServer:
    """`hiremebahamas worker`, as deployed next to the web server: the tasks requests enqueue on
    Redis (notifications, emails, fan-out) are part of what a request costs."""
    log_file = cwd / "worker.log"
    process = spawn([str(VENV_BIN / "hiremebahamas"), "worker"], env, cwd, log_file)
    return AppServer(url="", process=process, log_file=log_file, workers=0)


def worker_rss_mib(server: AppServer) -> list[float]:
    """Resident memory of each gunicorn worker now, in MiB, largest first."""
    sizes: list[float] = []
    for pid in descendants(server.pid):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes, reverse=True)


def wait_until_serving(server: AppServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(base_url=server.url, trust_env=False, timeout=2.0) as client:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {server.process.returncode}:\n{server.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                healthy = client.get("/health").status_code == 200
                if healthy and len(descendants(server.pid)) >= server.workers:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not serve /health within {STARTUP_TIMEOUT:.0f}s:\n{server.log_tail()}"
                )
            time.sleep(0.1)


# --------------------------------------------------------------------------
# CPU accounting, from /proc (Linux)

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _ProcStat:
    pid: int
    ppid: int
    cpu_ticks: int
    """utime + stime of the process itself."""
    child_ticks: int
    """cutime + cstime: children it has waited for (gunicorn's recycled workers, exited backends)."""


def _proc_stats() -> dict[int, _ProcStat]:
    stats: dict[int, _ProcStat] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text.rpartition(")")[2].split()  # the command name may hold spaces
        pid = int(entry.name)
        stats[pid] = _ProcStat(
            pid=pid,
            ppid=int(fields[1]),
            cpu_ticks=int(fields[11]) + int(fields[12]),
            child_ticks=int(fields[13]) + int(fields[14]),
        )
    return stats


def _tree(root: int, stats: dict[int, _ProcStat]) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in stats.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    found: list[int] = []
    pending = [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def connections_per_worker(server: AppServer) -> list[int]:
    """Established client connections each worker holds now, most first (from /proc/net/tcp).

    Keep-alive connections stay with the worker that accepted them, so this shows whether the
    load was spread over the workers."""
    port = int(server.url.rsplit(":", 1)[1])
    established: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                    established.add(fields[9])  # the socket's inode
    counts: list[int] = []
    for pid in descendants(server.pid):
        inodes: set[str] = set()
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
        counts.append(len(inodes & established))
    return sorted(counts, reverse=True)


def descendants(root: int) -> list[int]:
    return _tree(root, _proc_stats())[1:]


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used so far (all cores together), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _CLOCK_TICKS


def cpu_seconds(roots: Iterable[int]) -> float:
    """CPU time used so far by each root process and all its descendants, living or reaped."""
    stats = _proc_stats()
    ticks = 0
    for root in roots:
        if root not in stats:
            continue
        ticks += stats[root].child_ticks
        ticks += sum(stats[pid].cpu_ticks for pid in _tree(root, stats))
    return ticks / _CLOCK_TICKS
