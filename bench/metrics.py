"""What the server's /metrics says, read before and after each scenario: SQL statements sent
(`hmb_db_queries_total`) and, when the app has them, cache lookups (`hmb_cache_requests_total`).
With PROMETHEUS_MULTIPROC_DIR set, as the benchmark's server runs, every worker is summed."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

QUERIES = "hmb_db_queries_total"
CACHE_REQUESTS = "hmb_cache_requests_total"


@dataclass(frozen=True)
class Snapshot:
    queries: float = 0.0
    cache: dict[tuple[str, str], float] = field(default_factory=dict)
    """(cache, result) -> lookups; result is "hit" or "miss"."""

    def __sub__(self, earlier: Snapshot) -> Snapshot:
        cache = {key: count - earlier.cache.get(key, 0.0) for key, count in self.cache.items()}
        return Snapshot(queries=self.queries - earlier.queries, cache=cache)

    def hit_rates(self) -> dict[str, float]:
        """Per cache that was asked at all: hits / (hits + misses)."""
        rates: dict[str, float] = {}
        for cache in sorted({name for name, _ in self.cache}):
            hits, misses = self.cache.get((cache, "hit"), 0.0), self.cache.get((cache, "miss"), 0.0)
            if hits + misses > 0:
                rates[cache] = hits / (hits + misses)
        return rates

    def overall_hit_rate(self) -> float | None:
        hits = sum(count for (_, result), count in self.cache.items() if result == "hit")
        total = sum(count for (_, result), count in self.cache.items() if result in ("hit", "miss"))
        return hits / total if total else None


def parse(exposition: str) -> Snapshot:
    queries = 0.0
    cache: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == QUERIES:
                queries += sample.value
            elif sample.name == CACHE_REQUESTS:
                key = (sample.labels.get("cache", ""), sample.labels.get("result", ""))
                cache[key] = cache.get(key, 0.0) + sample.value
    return Snapshot(queries=queries, cache=cache)


def client(base_url: str, env: dict[str, str]) -> httpx.Client:
    """A client for the server's /metrics, with the operators' token the server was given."""
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {env['METRICS_TOKEN']}"},
        trust_env=False,
        timeout=30,
    )


def scrape(client: httpx.Client) -> Snapshot:
    response = client.get("/metrics")
    response.raise_for_status()
    return parse(response.text)
