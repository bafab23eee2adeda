"""Forwarding the event log to a PostHog instance, server-side (POSTHOG_HOST and POSTHOG_API_KEY,
off by default).

Each batch the event log stores (analytics/events.py) is sent once to PostHog's batch capture
endpoint after it is in our own tables, with the member's id as the distinct id and nothing
else about them; events without a member (searches) go as one anonymous distinct id without a
person profile. PostHog is a copy for exploring, never the record: a batch it refuses or does not
answer within the timeout is logged and counted (`hmb_posthog_batches_total{result="failed"}`),
not retried, so an outage there can never write our own log twice.

One POST per batch with httpx rather than PostHog's SDK: the SDK queues events on a thread of
its own and sends them later in batches, which the worker's batches already are.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from prometheus_client import Counter

logger = logging.getLogger(__name__)

BATCH_PATH = "/batch/"
TIMEOUT_SECONDS = 10.0
# The distinct id of the events no member made (searches are logged without one).
ANONYMOUS = "hiremebahamas-anonymous"

BATCHES = Counter("hmb_posthog_batches_total", "Event batches forwarded to PostHog, by result.", ["result"])


def capture_batch(api_key: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """PostHog's batch capture body for events as the event log stores them."""
    batch = []
    for event in events:
        properties: dict[str, Any] = dict(event["properties"])
        if event["user_id"] is None:
            properties["$process_person_profile"] = False
        batch.append(
            {
                "event": event["name"],
                "distinct_id": event["user_id"] or ANONYMOUS,
                "timestamp": event["occurred_at"],
                "properties": properties,
            }
        )
    return {"api_key": api_key, "batch": batch}


async def forward(host: str, api_key: str, events: list[dict[str, Any]]) -> bool:
    """Send `events` to the PostHog at `host`; False (logged and counted) when it fails, never
    raised."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(host.rstrip("/") + BATCH_PATH, json=capture_batch(api_key, events))
            response.raise_for_status()
    except httpx.HTTPError as error:
        BATCHES.labels(result="failed").inc()
        # The kind of failure only: the events and the key stay out of the log.
        logger.warning(
            "could not forward an event batch to PostHog", extra={"events": len(events), "error": type(error).__name__}
        )
        return False
    BATCHES.labels(result="sent").inc()
    return True
