"""`uv run python -m bench.analytics`: the analytics at the large demo dataset (docs/analytics.md).

Loads the dataset into a throwaway PostgreSQL behind the production stack (bench/stack.py), then
measures, with the commands an operator runs:
- `analytics backfill --days N`: the event log rebuilt from the records and every day rolled up;
- `analytics rollup`: one day (yesterday), as the nightly schedule runs it (issue 14: < 1 minute);
- the dashboard page and the summary API, signed in as the demo admin, one request at a time
  (issue 14: the page < 200 ms), after one warming request.

Prints the figures and writes bench/results/<date>-analytics-<size>.json. Targets are printed,
not enforced; the exit status is 1 only when a command or request failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import server, stack
from hiremebahamas.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD

ROLLUP_TARGET_SECONDS = 60.0
PAGE_TARGET_MS = 200.0
RESULTS = Path(__file__).parent / "results"


def _command(env: dict[str, str], cwd: Path, *args: str) -> tuple[float, str]:
    """How long `hiremebahamas <args>` took, and what it said."""
    started = time.perf_counter()
    output = server.command(env, cwd, *args, timeout=3600)
    return time.perf_counter() - started, output.strip()


def _timings(client: httpx.Client, path: str, headers: dict[str, str], count: int) -> dict[str, float]:
    assert client.get(path, headers=headers).status_code == 200, path  # warm: imports, pools, caches
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        spent.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code} {response.text[:200]}")
    spent.sort()
    return {
        "p50_ms": round(statistics.median(spent), 1),
        "p95_ms": round(spent[max(0, int(len(spent) * 0.95) - 1)], 1),
        "max_ms": round(spent[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--days", type=int, default=90, help="days the backfill rebuilds")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as exits, tempfile.TemporaryDirectory(prefix="hmb-analytics-") as tmp:
        work = Path(tmp)
        # The demo admin has no second factor; production's staff pages would ask for one.
        settings = {"STAFF_REQUIRE_TOTP": "false"}
        running = stack.start(
            exits, work, size=args.size, seed_value=242, workers=2, max_requests=None, settings=settings
        )
        env = {**running.env, "ENVIRONMENT": "development"}  # the commands, as an operator's shell
        backfill_s, backfilled = _command(env, work, "analytics", "backfill", "--days", str(args.days))
        print(f"backfill --days {args.days}: {backfill_s:.1f}s ({backfilled})")
        rollup_s, rolled = _command(env, work, "analytics", "rollup")
        print(f"rollup of yesterday: {rollup_s:.1f}s, target < {ROLLUP_TARGET_SECONDS:.0f}s ({rolled})")
        with httpx.Client(base_url=running.app.url, timeout=60) as client:
            login = {"email": f"demo-admin@{DEMO_EMAIL_DOMAIN}", "password": DEMO_PASSWORD}
            signed_in = client.post("/api/auth/login", json=login)
            if signed_in.status_code != 200:
                raise RuntimeError(f"demo admin login: HTTP {signed_in.status_code} {signed_in.text[:200]}")
            cookie = "; ".join(h.split(";", 1)[0] for h in signed_in.headers.get_list("set-cookie"))
            bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            page = {"Cookie": cookie}
            pages = {
                "dashboard page (30 days)": _timings(client, "/admin/analytics?days=30", page, args.requests),
                "dashboard page (365 days)": _timings(client, "/admin/analytics?days=365", page, args.requests),
                "summary API (30 days)": _timings(
                    client, "/api/admin/analytics/summary?days=30", bearer, args.requests
                ),
                "MRR chart (90 days)": _timings(client, "/admin/analytics/charts/mrr.svg?days=90", page, args.requests),
            }
            summary = client.get("/api/admin/analytics/summary?days=30", headers=bearer).json()
        for name, figures in pages.items():
            print(f"{name}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms (target < {PAGE_TARGET_MS:.0f} ms)")
        print(f"summary: {json.dumps(summary)}")
        RESULTS.mkdir(exist_ok=True)
        output = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-analytics-{args.size}.json"
        report = {
            "size": args.size,
            "loaded": running.loaded,
            "backfill": {"days": args.days, "seconds": round(backfill_s, 1), "output": backfilled},
            "rollup": {"seconds": round(rollup_s, 1), "target_seconds": ROLLUP_TARGET_SECONDS, "output": rolled},
            "requests": pages,
            "page_target_ms": PAGE_TARGET_MS,
            "summary": summary,
        }
        output.write_text(json.dumps(report, indent=2) + "\n")
        print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
