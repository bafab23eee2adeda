"""How much demo data to make: the presets and the per-table overrides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Sizes:
    """Row targets. users, posts, jobs, applications and messages are exact; follows, likes and
    comments are aimed at (their shape is drawn from skewed distributions)."""

    users: int
    posts: int
    jobs: int
    applications: int
    messages: int
    follows: int
    likes: int
    comments: int

    def with_overrides(self, **overrides: Any) -> Sizes:
        return replace(self, **{name: value for name, value in overrides.items() if value is not None})

    @property
    def employers(self) -> int:
        return max(2, self.users * 15 // 100)

    @property
    def companies(self) -> int:
        return max(1, min(self.employers, self.jobs // 10 or 1))

    @property
    def conversations(self) -> int:
        # About ten messages each on average (a few long threads, many short ones).
        return max(1, min(self.messages // 10 or 1, self.users * (self.users - 1) // 2))


PRESETS: dict[str, Sizes] = {
    # CI smoke benchmarks: a few dozen rows per table, seconds.
    "tiny": Sizes(users=40, posts=120, jobs=30, applications=60, messages=150, follows=300, likes=300, comments=80),
    # `make demo`: enough to click around, seconds on SQLite.
    "small": Sizes(
        users=300, posts=1_500, jobs=200, applications=600, messages=2_000, follows=4_000, likes=4_000, comments=800
    ),
    "medium": Sizes(
        users=10_000,
        posts=100_000,
        jobs=20_000,
        applications=40_000,
        messages=100_000,
        follows=150_000,
        likes=200_000,
        comments=30_000,
    ),
    # The benchmark dataset (docs/benchmarks.md).
    "large": Sizes(
        users=100_000,
        posts=1_000_000,
        jobs=50_000,
        applications=200_000,
        messages=1_000_000,
        follows=1_500_000,
        likes=2_000_000,
        comments=300_000,
    ),
}
