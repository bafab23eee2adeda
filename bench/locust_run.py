"""`uv run python -m bench.locust_run`: the locust mix (tests/load_test.py) at 100, 500 and 1,000
simulated users on a demo dataset, served the production way (the same stack as `bench.run`).

Per level it prints req/s, p50/p95/p99 and failures per request type, and the cache hit rate from
/metrics; at the end, each gunicorn worker's resident memory. Each level runs for a bounded time
(`--duration`, default 60 s) after its users have spawned; locust stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import dataset, metrics, server, stack
from bench.run import DEFAULT_WORKERS, format_rss

LOCUSTFILE = server.PROJECT_ROOT / "tests" / "load_test.py"
LEVELS = (100, 500, 1000)
SPAWN_RATE = 50
"""Users started per second: each signs in (argon2id) in on_start, so faster would only measure that."""
TARGET_P95_MS, TARGET_P99_MS, TARGET_HIT_RATE = 100.0, 250.0, 0.80


def write_data(subjects: dataset.Subjects, path: Path) -> None:
    """What tests/load_test.py reads (HMB_LOAD_DATA): accounts by role and ids to request."""
    paid = {subjects.pro.email, subjects.business.email, *(account.email for account, _ in subjects.messagers)}
    data = {
        "seekers": [account.email for account in subjects.seekers],
        "paid": sorted(paid),
        "job_ids": list(subjects.job_ids),
        "job_paths": list(subjects.job_paths),
        "company_slugs": list(subjects.company_slugs),
        "usernames": list(subjects.usernames),
        "post_ids": list(subjects.post_ids),
        "job_words": list(subjects.job_words),
        "filters": list(subjects.filters),
    }
    path.write_text(json.dumps(data, indent=1))


def run_locust(url: str, users: int, duration: float, data: Path, prefix: Path) -> None:
    spawn_seconds = users / SPAWN_RATE
    result = subprocess.run(  # noqa: S603 - our own venv's locust, no shell
        [
            str(server.VENV_BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(SPAWN_RATE),
            "-t",
            f"{round(spawn_seconds + duration)}s",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
            "--exit-code-on-error",
            "0",
        ],
        env={**os.environ, "HMB_LOAD_DATA": str(data)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=spawn_seconds + duration + 120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"locust exited with {result.returncode}:\n{result.stderr[-3000:]}")


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        return [
            {
                "type": row["Type"],
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
            }
            for row in csv.DictReader(stats)
        ]


def format_level(users: int, rows: list[dict[str, Any]], hit_rate: float | None) -> str:
    lines = [
        f"\n{users} users",
        f"{'type':<5} {'name':<34} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'fail':>5}",
    ]
    for row in rows:
        lines.append(
            f"{row['type']:<5} {row['name'][:34]:<34} {row['requests']:>8} {row['rps']:>7.1f} "
            f"{row['p50_ms']:>6.0f} {row['p95_ms']:>6.0f} {row['p99_ms']:>6.0f} {row['failures']:>5}"
        )
    total = next((row for row in rows if row["name"] == "Aggregated"), None)
    if total is not None:
        verdicts = []
        if total["p95_ms"] >= TARGET_P95_MS:
            verdicts.append(f"p95 {total['p95_ms']:.0f} ms >= {TARGET_P95_MS:.0f}")
        if total["p99_ms"] >= TARGET_P99_MS:
            verdicts.append(f"p99 {total['p99_ms']:.0f} ms >= {TARGET_P99_MS:.0f}")
        if total["failures"]:
            verdicts.append(f"{total['failures']} failures")
        if hit_rate is not None and hit_rate < TARGET_HIT_RATE:
            verdicts.append(f"cache hit rate {hit_rate:.0%} < {TARGET_HIT_RATE:.0%}")
        lines.append("targets: " + ("PASS" if not verdicts else "FAIL: " + "; ".join(verdicts)))
    lines.append(
        "cache hit rate: " + ("no hmb_cache_* counters in /metrics" if hit_rate is None else f"{hit_rate:.1%}")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.locust_run", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=dataset.SIZES, default="large", help="demo dataset, default large")
    parser.add_argument("--seed", type=int, help="the demo dataset's random seed (default: demo-data's own)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--users", type=int, action="append", help=f"simulated users (repeatable), default {LEVELS}")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per level after spawning, default 60")
    parser.add_argument("--output", type=Path, help="results JSON, default bench/results/<date>-<size>-locust.json")
    parser.add_argument(
        "--data-for",
        nargs=2,
        metavar=("BASE_URL", "DATABASE_URL"),
        help="only write the data file tests/load_test.py reads, for a server that already has a demo dataset "
        "(DATABASE_URL: its database, postgresql+asyncpg://…), then exit",
    )
    parser.add_argument("--data", type=Path, default=Path("load-data.json"), help="with --data-for: where to write it")
    args = parser.parse_args(argv)
    if args.data_for:
        base_url, database_url = args.data_for
        write_data(asyncio.run(dataset.prepare(database_url, base_url)), args.data)
        print(f"wrote {args.data}; then: HMB_LOAD_DATA={args.data} locust -f tests/load_test.py --host {base_url} …")
        return 0
    levels: list[int] = args.users or list(LEVELS)
    output: Path = args.output or (
        server.PROJECT_ROOT / "bench" / "results" / f"{datetime.now(UTC).date().isoformat()}-{args.size}-locust.json"
    )
    stack.stop_everything_on_sigterm()
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "levels": {}}
    with contextlib.ExitStack() as exits:
        work = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="hmb-locust-")))
        live = stack.start(exits, work, size=args.size, seed_value=args.seed, workers=args.workers, max_requests=None)
        subjects = asyncio.run(dataset.prepare(live.database_url, live.app.url))
        data = work / "load-data.json"
        write_data(subjects, data)
        report["dataset"], report["subjects"] = live.loaded, subjects.counts()
        with metrics.client(live.app.url, live.env) as scraper:
            for users in levels:
                before = metrics.scrape(scraper)
                prefix = work / f"locust-{users}"
                run_locust(live.app.url, users, args.duration, data, prefix)
                rows = read_stats(prefix)
                hit_rate = (metrics.scrape(scraper) - before).overall_hit_rate()
                print(format_level(users, rows, hit_rate), flush=True)
                report["levels"][str(users)] = {"requests": rows, "cache_hit_rate": hit_rate}
        rss = server.worker_rss_mib(live.app)
        report["worker_rss_mib"] = [round(size) for size in rss]
        print(f"\nafter the load, {format_rss(rss)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
