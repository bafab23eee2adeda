"""`make soak`: the locust mix (tests/load_test.py) against both instances of a real cluster
(tests/cluster/harness.py) for ten minutes, on the small demo dataset.

Passes when no request failed and memory stayed flat: each instance's workers, measured every
30 s, grew by less than `MAX_GROWTH` between the first minute (warm-up: caches, pools and
imports fill) and the end. Prints the figures either way; bounded in time, stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.locust_run import read_stats, run_locust, write_data
from bench.server import AppServer, worker_rss_mib
from bench.stack import load_demo_data

from bench import dataset
from tests.cluster.harness import DATABASE, start_cluster

DURATION_SECONDS = 600.0
USERS_PER_INSTANCE = 40
SAMPLE_SECONDS = 30.0
WARM_UP_SECONDS = 60.0
MAX_GROWTH = 0.15


def _sample_memory(apps: list[AppServer], stop: threading.Event, samples: list[tuple[float, list[float]]]) -> None:
    began = time.monotonic()
    while not stop.wait(SAMPLE_SECONDS):
        samples.append((time.monotonic() - began, [sum(worker_rss_mib(app)) for app in apps]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.cluster.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=DURATION_SECONDS, help="seconds of load, default 600")
    parser.add_argument("--users", type=int, default=USERS_PER_INSTANCE, help="simulated users per instance")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hmb-soak-") as directory:
        work = Path(directory)
        cluster = start_cluster(work)
        try:
            primary = cluster.primary.dsn(DATABASE)
            load_demo_data({**cluster.env, "DATABASE_URL": primary}, work, "small", None)
            subjects = asyncio.run(dataset.prepare(cluster.primary.url(DATABASE), cluster.urls[0]))
            data = work / "load-data.json"
            write_data(subjects, data)
            samples: list[tuple[float, list[float]]] = []
            stop = threading.Event()
            sampler = threading.Thread(target=_sample_memory, args=(cluster.apps, stop, samples), daemon=True)
            sampler.start()
            prefixes = [work / f"soak-{index}" for index in range(len(cluster.urls))]
            with ThreadPoolExecutor(len(cluster.urls)) as pool:
                runs = [
                    pool.submit(run_locust, url, args.users, args.duration, data, prefix)
                    for url, prefix in zip(cluster.urls, prefixes, strict=True)
                ]
                for run in runs:
                    run.result()
            stop.set()
            sampler.join()
            return _report(prefixes, samples)
        finally:
            cluster.stop()


def _report(prefixes: list[Path], samples: list[tuple[float, list[float]]]) -> int:
    failures = 0
    for index, prefix in enumerate(prefixes):
        total = next(row for row in read_stats(prefix) if row["name"] == "Aggregated")
        failures += total["failures"]
        print(
            f"instance {index + 1}: {total['requests']} requests, {total['rps']:.1f} req/s, "
            f"p50 {total['p50_ms']:.0f} ms, p95 {total['p95_ms']:.0f} ms, p99 {total['p99_ms']:.0f} ms, "
            f"{total['failures']} failures"
        )
    print("memory (MiB, each instance's workers together):")
    for at, sizes in samples:
        print(f"  {at:5.0f}s  " + "  ".join(f"{size:6.1f}" for size in sizes))
    warm = [sizes for at, sizes in samples if at >= WARM_UP_SECONDS]
    growth = [(end - start) / start for start, end in zip(warm[0], warm[-1], strict=True)] if len(warm) > 1 else []
    print("growth after warm-up: " + ", ".join(f"{share:+.1%}" for share in growth))
    passed = failures == 0 and bool(growth) and all(share < MAX_GROWTH for share in growth)
    print("soak: " + ("PASS" if passed else f"FAIL ({failures} failures, growth limit {MAX_GROWTH:.0%})"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
