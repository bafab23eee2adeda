"""wrk (the Debian package) as the load generator for GET scenarios: C keep-alive connections on
a few threads, written in C, so it leaves more of a shared machine's CPU to the server than the
Python generator and matches how issue 9's reference figures were taken (64 connections).

A scenario's requests (paths, bearer tokens, session cookies) are sampled up front into a Lua
script; wrk sends them in random order and its `done` hook prints the figures as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
from collections.abc import Callable
from pathlib import Path

from bench.load import Call, Stats

SAMPLES = 256
"""Distinct requests per scenario; wrk picks one at random for each request."""
THREADS = 2
_MARK = "BENCH-JSON "
_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%f,'
      .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    mark, summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def executable() -> str | None:
    return shutil.which("wrk")


def _lua(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def script(calls: list[Call]) -> str:
    """A wrk script sending these requests in random order."""
    lines = [f"mark = {_lua(_MARK)}", "local raw = {}"]
    for call in calls:
        headers = ", ".join(f"[{_lua(name)}] = {_lua(value)}" for name, value in call.headers.items())
        lines.append(f"raw[#raw + 1] = {{{_lua(call.method)}, {_lua(call.path)}, {{{headers}}}}}")
    lines += [
        "local requests = {}",
        "local threads = 0",
        # Each thread runs its own copy of the script: number them so their random sequences differ.
        "setup = function(thread) threads = threads + 1; thread:set('thread_number', threads) end",
        # wrk.format needs the thread's own wrk table: build the requests in each thread.
        "init = function(args)",
        "  for i, r in ipairs(raw) do requests[i] = wrk.format(r[1], r[2], r[3]) end",
        "  math.randomseed(os.time() * 100 + thread_number)",
        "end",
        "request = function() return requests[math.random(#requests)] end",
    ]
    return "\n".join(lines) + "\n" + _DONE


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _wrk(binary: str, url: str, script_file: Path, connections: int, seconds: float) -> dict[str, float]:
    process = await asyncio.create_subprocess_exec(
        binary,
        f"-t{min(THREADS, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script_file),
        url,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    for line in out.decode(errors="replace").splitlines():
        if line.startswith(_MARK):
            figures: dict[str, float] = json.loads(line[len(_MARK) :])
            return figures
    raise RuntimeError(f"wrk exited with {process.returncode} and no figures: {err.decode(errors='replace')[-500:]}")


async def run_load(
    binary: str,
    base_url: str,
    next_call: Callable[[], Call],
    *,
    work: Path,
    connections: int,
    duration: float,
    warmup: float,
) -> tuple[Stats, float]:
    """Warm up, then measure; the Stats of the measured run and wrk's CPU seconds (both runs).
    wrk takes whole seconds: durations are rounded, at least 1 s."""
    script_file = work / "scenario.lua"
    script_file.write_text(script([next_call() for _ in range(SAMPLES)]))
    cpu_before = _children_cpu()
    warm = await _wrk(binary, base_url, script_file, connections, warmup) if warmup > 0 else {"requests": 0}
    figures = await _wrk(binary, base_url, script_file, connections, duration)
    errors = int(sum(figures[key] for key in ("connect", "read", "write", "status", "timeout")))
    requests = int(figures["requests"])
    stats = Stats(
        requests=requests,
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        p99_ms=figures["p99"] / 1000,
        max_ms=figures["max"] / 1000,
        mean_ms=figures["mean"] / 1000,
        errors=errors,
        # wrk counts answers by class only: non-2xx/3xx under "status", the rest ok.
        statuses={"2xx/3xx": requests - int(figures["status"]), "4xx/5xx": int(figures["status"])},
        exceptions={key: int(figures[key]) for key in ("connect", "read", "write", "timeout") if figures[key]},
        retries=0,
        all_requests=requests + int(warm["requests"]),
    )
    return stats, _children_cpu() - cpu_before
