"""What the generators share: the seeded generator, the clock, the writer, and what earlier
areas made (compact arrays indexed by position) that later areas refer to."""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from array import array
from dataclasses import dataclass, field

from hiremebahamas.demo.ids import at, uuid7_at
from hiremebahamas.demo.sizes import Sizes
from hiremebahamas.demo.writer import BulkWriter, Sink
from hiremebahamas.models import Island, TierCode

DAY = 86_400.0
# How far back the oldest demo account goes.
HISTORY = 730 * DAY


@dataclass
class People:
    ids: list[uuid.UUID] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    joined: array[float] = field(default_factory=lambda: array("d"))
    employer: bytearray = field(default_factory=bytearray)
    verified: bytearray = field(default_factory=bytearray)
    tier: list[TierCode] = field(default_factory=list)
    # Cumulative activity weights: a few people do most of the posting, liking and talking.
    activity: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Companies:
    ids: list[uuid.UUID] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    islands: list[Island] = field(default_factory=list)
    teams: list[list[int]] = field(default_factory=list)  # people, the owner first


@dataclass
class Posts:
    ids: list[uuid.UUID] = field(default_factory=list)
    authors: array[int] = field(default_factory=lambda: array("i"))
    times: array[float] = field(default_factory=lambda: array("d"))
    likes: array[int] = field(default_factory=lambda: array("i"))
    comments: array[int] = field(default_factory=lambda: array("i"))


@dataclass
class Jobs:
    """The jobs people can have applied to (published ones)."""

    ids: list[uuid.UUID] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    companies: array[int] = field(default_factory=lambda: array("i"))
    published: array[float] = field(default_factory=lambda: array("d"))
    # Until when applications were taken: the closing date, or when it was closed.
    until: array[float] = field(default_factory=lambda: array("d"))
    skills: list[list[str]] = field(default_factory=list)


@dataclass
class World:
    rng: random.Random
    now: float
    sizes: Sizes
    writer: BulkWriter
    password_hash: str
    taken_usernames: set[str]
    taken_slugs: set[str]
    people: People = field(default_factory=People)
    companies: Companies = field(default_factory=Companies)
    posts: Posts = field(default_factory=Posts)
    jobs: Jobs = field(default_factory=Jobs)
    # (person, metric) -> units used this calendar month, for `usage_counters`.
    usage: dict[tuple[int, str], int] = field(default_factory=dict)
    month_start: float = field(init=False)

    def __post_init__(self) -> None:
        self.month_start = at(self.now).replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()

    skill_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    # Opened by the loader before the areas that notify and closed after the last one.
    notifications: Sink | None = None

    async def notify(self, recipient: int, actor: int | None, type_: str, data: dict[str, str], moment: float) -> None:
        """A notification as the app's `notify` records it (never for one's own action); older
        ones are mostly read."""
        if recipient == actor or self.notifications is None:
            return
        rng = self.rng
        read_at = None
        if rng.random() < (0.9 if moment < self.now - 3 * DAY else 0.3):
            read_at = at(min(self.now, moment + rng.uniform(60, 2 * DAY)))
        actor_id = self.people.ids[actor] if actor is not None else None
        row = (uuid7_at(rng, moment), self.people.ids[recipient], type_, actor_id, data, read_at, at(moment))
        await self.notifications.put(row)

    def count_usage(self, person: int, metric: str, moment: float) -> None:
        if moment >= self.month_start:
            self.usage[person, metric] = self.usage.get((person, metric), 0) + 1

    def active_person(self, joined_before: int | None = None) -> int:
        """Someone chosen by activity (the busy few more often), among the first `joined_before`
        people (those who had joined by then: people are in order of joining)."""
        activity = self.people.activity
        limit = len(activity) if joined_before is None else max(1, joined_before)
        return bisect.bisect_left(activity, self.rng.random() * activity[limit - 1], 0, limit - 1)

    def joined_by(self, moment: float) -> int:
        """How many people had joined at `moment`."""
        return bisect.bisect(self.people.joined, moment)

    def distinct_active(self, count: int, exclude: int = -1, joined_before: int | None = None) -> set[int]:
        """`count` different people by activity (fewer if there are not that many)."""
        population = len(self.people) if joined_before is None else max(1, joined_before)
        count = min(count, population - (0 <= exclude < population))
        if count * 4 > population:
            # Near everyone: drawing by weight would take long to reach the last few.
            return set(self.rng.sample([i for i in range(population) if i != exclude], count))
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(self.active_person(population))
            chosen.discard(exclude)
        return chosen


def cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))
