"""Ids and times drawn from the seeded generator.

Ids are UUIDv7 like the app's own (`models.base.new_id`), stamped with the row's own creation
time rather than the clock, so keyset pages that break ties on id still follow time.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

_MASK_48 = (1 << 48) - 1
_MASK_80 = (1 << 80) - 1
_VERSION_7 = 0x7 << 76
_VARIANT = 0x2 << 62
_CLEAR = ~((0xF << 76) | (0x3 << 62))


def uuid7_at(rng: random.Random, timestamp: float) -> uuid.UUID:
    value = (int(timestamp * 1000) & _MASK_48) << 80 | rng.getrandbits(80)
    return uuid.UUID(int=(value & _CLEAR) | _VERSION_7 | _VARIANT)


def at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def recent_between(rng: random.Random, start: float, end: float) -> float:
    """A moment in [start, end], more often near `end`: activity grows toward today."""
    return end - (end - start) * rng.random() ** 2
