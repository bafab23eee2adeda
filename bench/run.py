"""`uv run python -m bench.run`: load a demo dataset into a throwaway PostgreSQL, serve it the
production way, measure the bare ASGI ceiling and every scenario, judge them against issue 9's
targets, print a table and write bench/results/<date>-<size>.json.

Everything it starts (PostgreSQL, Redis, gunicorn, the worker) runs on loopback and is stopped at
the end. Targets are printed, not enforced: the exit status is 1 only when requests failed (or
the run itself did), so a slow machine never fails a pipeline but a broken endpoint does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no type information published
import httpx
import uvloop

from bench import dataset, load, metrics, profiling, server, stack, wrk
from bench.scenarios import DEEP_PAGE_SHARE, HEALTH_SHARE_OF_CEILING, SCENARIOS, Scenario

DEFAULT_WORKERS = 2
DEFAULT_CONNECTIONS = 64
"""As issue 9's reference figures were taken (wrk, 64 connections)."""
BUSY_MACHINE_CORES = 0.3
"""CPU used by processes outside the benchmark above which the figures are flagged."""
CEILING = "bench.hello:app"
TARGET_RSS_MIB = 250.0
"""Issue 9: per-worker resident memory after the load."""


@dataclass(frozen=True)
class Options:
    size: str
    seed: int | None
    workers: int
    duration: float
    concurrency: int
    warmup: float
    max_requests: int | None
    generator: str
    client: str
    scenarios: list[Scenario]
    output: Path
    profile: Path | None
    """Where py-spy's profile of each scenario goes, if asked for (bench/profiling.py)."""
    app_settings: dict[str, str]
    """More of the server's environment (`--set DATABASE_POOL_SIZE=30`): what a setting changes."""


@dataclass(frozen=True)
class Measured:
    """One load run: what the generator saw and what the machine spent."""

    generator: str
    concurrency: int
    duration: float
    stats: load.Stats
    cpu_cores: dict[str, float]
    cpu_ms_per_request: float
    connections_per_worker: list[int]
    workers_booted: int


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    run: Measured
    queries_per_request: float
    database_sessions: int
    """PostgreSQL connections opened during the scenario: a pool too small for the requests in
    flight opens and closes connections all the time, each a new backend process."""
    cache_hit_rates: dict[str, float]
    cache_hit_rate: float | None
    ceiling_share: float | None
    refused: str | None
    """What was wrong with the answer to a first request sent on its own, if anything."""
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.scenario.description,
            "kind": self.scenario.kind,
            "generator": self.run.generator,
            "concurrency": self.run.concurrency,
            "duration": self.run.duration,
            **self.run.stats.to_dict(),
            "share_of_ceiling": None if self.ceiling_share is None else round(self.ceiling_share, 4),
            "cpu_cores": self.run.cpu_cores,
            "cpu_ms_per_request": self.run.cpu_ms_per_request,
            "queries_per_request": round(self.queries_per_request, 2),
            "database_sessions_opened": self.database_sessions,
            "cache_hit_rates": {name: round(rate, 4) for name, rate in self.cache_hit_rates.items()},
            "cache_hit_rate": None if self.cache_hit_rate is None else round(self.cache_hit_rate, 4),
            "workers_booted": self.run.workers_booted,
            "connections_per_worker": self.run.connections_per_worker,
            "targets": targets_of(self.scenario),
            "pass": self.passed,
            "refused": self.refused,
            "failures": self.failures,
        }


def targets_of(scenario: Scenario) -> dict[str, Any]:
    found: dict[str, Any] = {"errors": 0}
    if scenario.p99_target_ms is not None:
        found["p99_ms"] = scenario.p99_target_ms
    if scenario.min_rps is not None:
        found["min_rps"] = scenario.min_rps
    if scenario.name == "health":
        found["min_share_of_ceiling"] = HEALTH_SHARE_OF_CEILING
    if scenario.name == "jobs_page5":
        found["min_share_of_jobs_list"] = DEEP_PAGE_SHARE
    return found


def judge(scenario: Scenario, stats: load.Stats, share: float | None, page1_rps: float | None) -> list[str]:
    """What misses issue 9's targets, each with the figure that misses it."""
    if stats.requests == 0:
        return ["no request completed"]
    failures: list[str] = []
    if stats.errors:
        failures.append(f"{stats.errors} errors ({stats.error_rate:.2%}), target 0")
    target = scenario.p99_target_ms
    if target is not None and stats.p99_ms >= target:
        failures.append(f"p99 {stats.p99_ms:.0f} ms >= {target:.0f} ms")
    if scenario.min_rps is not None and stats.rps < scenario.min_rps:
        failures.append(f"{stats.rps:.0f} req/s < {scenario.min_rps:.0f}")
    if scenario.name == "health" and share is not None and share < HEALTH_SHARE_OF_CEILING:
        failures.append(f"{share:.0%} of the ceiling < {HEALTH_SHARE_OF_CEILING:.0%}")
    if scenario.name == "jobs_page5" and page1_rps and stats.rps < DEEP_PAGE_SHARE * page1_rps:
        failures.append(f"{stats.rps:.0f} req/s < {DEEP_PAGE_SHARE:.0%} of page 1's {page1_rps:.0f}")
    return failures


# --------------------------------------------------------------------------
# measuring


def generator_for(scenario: Scenario, options: Options) -> str:
    return "wrk" if options.generator == "wrk" and scenario.wrk else "python"


async def _connections_mid_run(app: server.AppServer, delay: float) -> list[int]:
    await asyncio.sleep(delay)
    return server.connections_per_worker(app)


async def measure_one(
    app: server.AppServer,
    server_pids: list[int],
    database_pids: list[int],
    next_call: Any,
    *,
    generator: str,
    concurrency: int,
    duration: float,
    options: Options,
    work: Path,
) -> Measured:
    booted = app.workers_booted()
    wall, own_cpu, all_cpu = time.perf_counter(), time.process_time(), server.machine_busy_seconds()
    app_cpu, db_cpu = server.cpu_seconds(server_pids), server.cpu_seconds(database_pids)
    spread = asyncio.create_task(_connections_mid_run(app, options.warmup + duration / 2))
    if generator == "wrk":
        binary = wrk.executable()
        assert binary is not None  # checked when the options were parsed
        stats, generator_cpu = await wrk.run_load(
            binary, app.url, next_call, work=work, connections=concurrency, duration=duration, warmup=options.warmup
        )
    else:
        stats = await load.run_load(
            app.url, next_call, concurrency=concurrency, duration=duration, warmup=options.warmup, client=options.client
        )
        generator_cpu = 0.0
    wall = time.perf_counter() - wall
    used = {
        "server": server.cpu_seconds(server_pids) - app_cpu,
        "database": server.cpu_seconds(database_pids) - db_cpu,
        "load_generator": time.process_time() - own_cpu + generator_cpu,
    }
    used["other"] = max(0.0, server.machine_busy_seconds() - all_cpu - sum(used.values()))
    # What one request costs the server and the database: unlike throughput, this hardly
    # changes when other processes compete for the CPU.
    cpu_ms = 1000 * (used["server"] + used["database"]) / max(stats.all_requests, 1)
    return Measured(
        generator=generator,
        concurrency=concurrency,
        duration=duration,
        stats=stats,
        cpu_cores={name: round(seconds / wall, 2) for name, seconds in used.items()},
        cpu_ms_per_request=round(cpu_ms, 3),
        connections_per_worker=await spread,
        workers_booted=app.workers_booted() - booted,
    )


def measure_ceiling(work: Path, options: Options, generators: set[str]) -> dict[str, Measured]:
    """The bare ASGI app on the same gunicorn settings, with each generator the scenarios use."""
    ceiling_dir = work / "ceiling"
    ceiling_dir.mkdir()
    env = server.app_environment(
        var_dir=ceiling_dir,
        database_url="",
        production=True,
        workers=options.workers,
        max_requests=options.max_requests,
    )
    hello = server.start_app(env, ceiling_dir, options.workers, app=CEILING)
    try:
        found: dict[str, Measured] = {}
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            for generator in sorted(generators):
                found[generator] = runner.run(
                    measure_one(
                        hello,
                        [hello.pid],
                        [],
                        lambda: load.Call("GET", "/"),
                        generator=generator,
                        concurrency=options.concurrency,
                        duration=options.duration,
                        options=options,
                        work=ceiling_dir,
                    )
                )
                print(format_ceiling(found[generator]), flush=True)
        return found
    finally:
        hello.stop()


async def first_answer(client: httpx.AsyncClient, scenario: Scenario, subjects: dataset.Subjects) -> str | None:
    """Send one request of the scenario on its own and check it is answered 2xx: under load a
    redirect (to the login page, say) would pass for a success and measure the wrong page."""
    try:
        call = scenario.next_call(subjects)
    except load.Exhausted:
        return "no request to send"
    headers = {**call.headers, "Content-Type": "application/json"} if call.json is not None else dict(call.headers)
    body = call.body() if call.json is not None else None
    response = await client.request(call.method, call.path, headers=headers, content=body)
    if 200 <= response.status_code < 300:
        return None
    return f"{call.method} {call.path} answered {response.status_code}: {response.text[:200]}"


async def _profile_after(
    delay: float, name: str, directory: Path, pids: list[int], duration: float
) -> profiling.Recording:
    """The measured window only: py-spy starts when the warm-up ends."""
    await asyncio.sleep(delay)
    return await asyncio.to_thread(profiling.start, name, directory, pids, duration=duration)


async def database_sessions(url: str) -> int:
    """Connections PostgreSQL has accepted since it started, into any database (this one included)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return int(await connection.fetchval("SELECT sum(sessions) FROM pg_stat_database") or 0)
    finally:
        await connection.close()


async def measure(
    live: stack.Stack, subjects: dataset.Subjects, options: Options, ceiling: dict[str, Measured]
) -> list[Result]:
    results: list[Result] = []
    with metrics.client(live.app.url, live.env) as scraper:
        async with load.make_httpx_client(live.app.url, 1) as checker:
            for scenario in options.scenarios:
                refused = await first_answer(checker, scenario, subjects)
                generator = generator_for(scenario, options)
                concurrency = min(options.concurrency, scenario.max_concurrency or options.concurrency)
                duration = min(options.duration, scenario.max_duration or options.duration)
                before = metrics.scrape(scraper)
                sessions = await database_sessions(live.database_url)
                recording = (
                    asyncio.create_task(
                        _profile_after(options.warmup, scenario.name, options.profile, live.server_pids, duration)
                    )
                    if options.profile
                    else None
                )
                run = await measure_one(
                    live.app,
                    live.server_pids,
                    live.database_pids,
                    functools.partial(scenario.next_call, subjects),
                    generator=generator,
                    concurrency=concurrency,
                    duration=duration,
                    options=options,
                    work=live.work,
                )
                counted = metrics.scrape(scraper) - before
                sessions = max(0, await database_sessions(live.database_url) - sessions - 1)  # less our own
                if recording is not None:
                    print(f"profile: {(await recording).finish(timeout=30)}", flush=True)
                top = ceiling.get(generator)
                share = run.stats.rps / top.stats.rps if top is not None and top.stats.rps > 0 else None
                page1 = next((r.run.stats.rps for r in results if r.scenario.name == "jobs_list"), None)
                result = Result(
                    scenario=scenario,
                    run=run,
                    queries_per_request=counted.queries / max(run.stats.all_requests, 1),
                    database_sessions=sessions,
                    cache_hit_rates=counted.hit_rates(),
                    cache_hit_rate=counted.overall_hit_rate(),
                    ceiling_share=share,
                    refused=refused,
                    failures=([f"first request refused: {refused}"] if refused else [])
                    + judge(scenario, run.stats, share, page1),
                )
                results.append(result)
                print(format_row(result), flush=True)
    return results


def run_benchmark(options: Options) -> tuple[list[Result], dict[str, Measured], dict[str, Any]]:
    """Start everything, measure, and stop everything again (also on errors)."""
    with contextlib.ExitStack() as exits:
        work = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="hmb-bench-")))
        live = stack.start(
            exits,
            work,
            size=options.size,
            seed_value=options.seed,
            workers=options.workers,
            max_requests=options.max_requests,
            settings=options.app_settings,
        )
        started = time.perf_counter()
        subjects = asyncio.run(dataset.prepare(live.database_url, live.app.url))
        print(f"subjects signed in and prepared in {time.perf_counter() - started:.1f}s: {subjects.counts()}\n")
        # The app stays up but idle while the ceiling is measured: the same machine, the same moment.
        print(HEADER)
        ceiling = measure_ceiling(work, options, {generator_for(s, options) for s in options.scenarios})
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            results = runner.run(measure(live, subjects, options, ceiling))
        problems = live.app.log_problems()
        if problems:
            print("\nserver errors (last lines of its log):\n" + "\n".join(problems))
        rss = server.worker_rss_mib(live.app)
        print(f"\n{format_rss(rss)}")
        context = {
            "dataset": live.loaded,
            "subjects": subjects.counts(),
            "app_start_seconds": live.app_start_seconds,
            "worker_rss_mib": [round(x) for x in rss],
        }
        return results, ceiling, context


# --------------------------------------------------------------------------
# reporting

COLUMNS = [  # title, width
    ("scenario", -23),
    ("gen", -6),
    ("conc", 4),
    ("req/s", 8),
    ("%ceil", 6),
    ("p50 ms", 7),
    ("p95 ms", 7),
    ("p99 ms", 7),
    ("errors", 6),
    ("cpu ms", 6),
    ("q/req", 5),
    ("new db", 6),
    ("hit %", 5),
    ("conns", 6),
    ("cpu s/d/g/o", 15),
    ("verdict", -7),
]
"""%ceil: req/s over the bare ASGI app's with the same generator; cpu ms: server + database CPU
time per request; q/req: SQL statements per request; new db: PostgreSQL connections opened
during the scenario (a pool too small for the requests in flight churns them); hit %: cache
hits over lookups; conns: client connections each worker held halfway through; cpu: cores used
by the server (and its task worker), the database (and Redis), the load generator and
everything else."""


def _line(cells: list[str]) -> str:
    return " ".join(
        cell.ljust(-width) if width < 0 else cell.rjust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)
    ).rstrip()


HEADER = _line([title for title, _ in COLUMNS])


def _cells(name: str, run: Measured) -> list[str]:
    s = run.stats
    return [
        name,
        run.generator,
        str(run.concurrency),
        f"{s.rps:.0f}",
        "",
        f"{s.p50_ms:.1f}",
        f"{s.p95_ms:.1f}",
        f"{s.p99_ms:.1f}",
        str(s.errors),
        f"{run.cpu_ms_per_request:.2f}",
        "",
        "",
        "",
        "/".join(str(count) for count in run.connections_per_worker),
        "/".join(f"{run.cpu_cores[key]:.1f}" for key in ("server", "database", "load_generator", "other")),
        "",
    ]


def format_rss(rss: list[float]) -> str:
    sizes = ", ".join(f"{size:.0f} MiB" for size in rss)
    verdict = "PASS" if all(size < TARGET_RSS_MIB for size in rss) else f"FAIL: target < {TARGET_RSS_MIB:.0f} MiB"
    return f"worker RSS: {sizes} ({verdict})"


def format_ceiling(run: Measured) -> str:
    cells = _cells("ceiling (ASGI hello)", run)
    cells[4] = "100%"
    cells[-1] = "reference"
    return _line(cells)


def format_row(result: Result) -> str:
    cells = _cells(result.scenario.name, result.run)
    if result.ceiling_share is not None:
        cells[4] = f"{result.ceiling_share:.1%}"
    cells[10] = f"{result.queries_per_request:.1f}"
    cells[11] = str(result.database_sessions)
    if result.cache_hit_rate is not None:
        cells[12] = f"{result.cache_hit_rate:.0%}"
    if result.passed:
        cells[-1] = "PASS" if result.scenario.kind != "report" else "PASS (errors only; no latency target)"
    else:
        cells[-1] = "FAIL: " + "; ".join(result.failures)
    return _line(cells)


def _git(*args: str) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["git", *args],  # noqa: S607 - whichever git the developer has
            cwd=server.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if result.returncode == 0:
            return result.stdout.strip()
    return ""


def machine() -> dict[str, Any]:
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.partition(":")[2].strip()
                break
    return {
        "cpu": cpu_model or platform.processor(),
        "logical_cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def write_results(
    options: Options, results: list[Result], ceiling: dict[str, Measured], context: dict[str, Any], started: datetime
) -> None:
    document = {
        "date": started.isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        # Whether the code under test differs from that commit (changes to bench/ do not count).
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench")),
        "machine": machine(),
        "settings": {
            "size": options.size,
            "seed": options.seed,
            "database": "postgresql",
            "redis": True,
            "environment": "production",
            "workers": options.workers,
            "duration": options.duration,
            "concurrency": options.concurrency,
            "warmup": options.warmup,
            "max_requests": options.max_requests,
            "generator": options.generator,
            "client": options.client,
            "app_settings": options.app_settings,
        },
        **context,
        "ceiling": {
            generator: run.stats.to_dict() | {"cpu_cores": run.cpu_cores} for generator, run in ceiling.items()
        },
        "scenarios": {result.scenario.name: result.to_dict() for result in results},
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(document, indent=2) + "\n")


# --------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=dataset.SIZES, default="large", help="demo dataset, default large")
    parser.add_argument("--seed", type=int, help="the demo dataset's random seed (default: demo-data's own)")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn workers (WEB_CONCURRENCY), default 2"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per scenario, default 10")
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONNECTIONS, help="connections (virtual users), default 64"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each scenario")
    parser.add_argument(
        "--max-requests",
        type=int,
        help="WEB_MAX_REQUESTS: requests before gunicorn recycles a worker (default: as deployed), 0 = never",
    )
    parser.add_argument(
        "--generator",
        choices=["wrk", "python"],
        default="wrk" if wrk.executable() else "python",
        help="load generator for GET scenarios (writes and multi-step ones always use the Python one); "
        "default wrk when it is installed",
    )
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="the Python generator's HTTP client: raw asyncio streams (default) or one shared httpx.AsyncClient",
    )
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS), help="run only this one (repeatable)")
    parser.add_argument("--output", type=Path, help="results JSON, default bench/results/<date>-<size>[-…].json")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the server under test, e.g. DATABASE_POOL_SIZE=30 (repeatable)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the server with py-spy during each scenario; stacks and a summary per scenario in DIR",
    )
    return parser


def parse_options(argv: list[str] | None) -> Options:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.workers < 1 or args.concurrency < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--workers, --concurrency and --duration must be positive, --warmup not negative")
    app_settings = dict(setting.partition("=")[::2] for setting in args.set)
    if any(not name or not name.isupper() for name in app_settings):
        parser.error("--set takes NAME=VALUE, the name in capitals as in the README's configuration table")
    if args.profile and not profiling.executable():
        parser.error("--profile: py-spy is not installed (it is a dev dependency: uv sync)")
    if args.generator == "wrk" and not wrk.executable():
        parser.error("--generator wrk: wrk is not installed (Debian package wrk)")
    names: list[str] = args.scenario or list(SCENARIOS)
    parts = [datetime.now(UTC).date().isoformat(), args.size]
    if args.workers != DEFAULT_WORKERS:
        parts.append(f"{args.workers}workers")
    if args.max_requests is not None:
        parts.append(f"maxreq{args.max_requests}")
    if args.generator != "wrk":
        parts.append(args.generator)
    return Options(
        size=args.size,
        seed=args.seed,
        workers=args.workers,
        duration=args.duration,
        concurrency=args.concurrency,
        warmup=args.warmup,
        max_requests=args.max_requests,
        generator=args.generator,
        client=args.client,
        scenarios=[SCENARIOS[name] for name in SCENARIOS if name in names],
        output=args.output or server.PROJECT_ROOT / "bench" / "results" / f"{'-'.join(parts)}.json",
        profile=args.profile,
        app_settings=app_settings,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    stack.stop_everything_on_sigterm()
    # Ctrl-C (or SIGINT sent to a run started in the background, where it is ignored by default)
    # also stops everything started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    started = datetime.now(UTC)
    try:
        results, ceiling, context = run_benchmark(options)
    except KeyboardInterrupt:
        print("\ninterrupted: everything the benchmark started has been stopped", file=sys.stderr)
        return 130
    write_results(options, results, ceiling, context, started)
    print(f"results: {options.output}")
    busiest = max(results, key=lambda result: result.run.cpu_cores["other"], default=None)
    if busiest is not None and busiest.run.cpu_cores["other"] >= BUSY_MACHINE_CORES:
        print(
            f"warning: other processes used {busiest.run.cpu_cores['other']:.1f} cores during "
            f"{busiest.scenario.name}: the server had less CPU than the machine has, so these figures understate it"
        )
    missed = [result.scenario.name for result in results if not result.passed]
    print(
        f"targets (issue 9): {len(results) - len(missed)} of {len(results)} met"
        + (f"; missed: {', '.join(missed)}" if missed else "")
    )
    silent = [result.scenario.name for result in results if not result.run.stats.requests]
    if silent:
        print(f"no answer within the measured window (a busy machine? try a longer --duration): {', '.join(silent)}")
    broken = [result.scenario.name for result in results if result.run.stats.errors or result.refused]
    if broken:
        print(f"requests failed in: {', '.join(broken)}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
