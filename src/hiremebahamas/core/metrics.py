"""Prometheus metrics. Multi-process servers set PROMETHEUS_MULTIPROC_DIR (see docs/operations.md)."""

from __future__ import annotations

import os
from typing import Literal

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client.multiprocess import MultiProcessCollector

# With several worker processes the client library writes its samples under this directory;
# it must exist before the first metric is created (also in `migrate`, run before the server).
if _multiprocess_dir := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(_multiprocess_dir, exist_ok=True)

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to serve a request, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0),
)
REQUESTS = Counter(
    "http_requests_total", "Requests served, by route template and status.", ["method", "route", "status"]
)
IN_FLIGHT = Gauge("http_requests_in_flight", "Requests being served now.", multiprocess_mode="livesum")
TASK_FAILURES = Counter("background_task_failures_total", "Background task runs that raised.", ["task"])
RATE_LIMITED = Counter("rate_limited_requests_total", "Requests refused by a rate limit.", ["scope"])
CACHE_REQUESTS = Counter(
    "hmb_cache_requests_total",
    "Cache look-ups by cache and result: hit, miss, or bypass (a request the cache may not answer).",
    ["cache", "result"],
)
UPLOADS_INFECTED = Counter(
    "hmb_uploads_infected_total",
    "Files the virus scanner found a signature in: refused at upload, or quarantined by a re-scan.",
    ["purpose", "stage"],
)
SCANNER_UNAVAILABLE = Counter(
    "hmb_upload_scanner_unavailable_total",
    "Uploads clamd could not scan (unreachable, timed out, an error): refused, or held for a later scan.",
    ["purpose", "outcome"],
)

# Set when /metrics is scraped; the most recent scrape's answer is the figure.
TASK_QUEUE_DEPTH = Gauge(
    "hmb_task_queue_depth", "Background tasks waiting to run (the worker's queue).", multiprocess_mode="mostrecent"
)

CacheResult = Literal["hit", "miss", "bypass"]


def count_cache(cache: str, result: CacheResult) -> None:
    """One look-up of `cache` ("response", "profile", "feed"): the hit rate is hit / (hit + miss)."""
    CACHE_REQUESTS.labels(cache=cache, result=result).inc()


def render_latest() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(DEFAULT_REGISTRY), CONTENT_TYPE_LATEST
