"""The response cache's areas and their versions: what writers call to have the cached
anonymous answers built from an area dropped (core/response_cache.py serves and stores them).
Free of the web framework, so services can call it."""

from __future__ import annotations

import secrets
import time
import weakref
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import tasks
from hiremebahamas.core.cache import KeyValueStore

# How stale a process's view of an area's version may be: the cross-process delay of an invalidation.
VERSION_REFRESH_SECONDS = 1.0
# Clocks of two instances may differ by this much: an area another process changed this close to
# a miss's start may have been read before the change.
CLOCK_MARGIN_SECONDS = 1.0


def _version_key(area: str) -> str:
    return f"response-version:{area}"


@dataclass(frozen=True)
class AreaVersion:
    token: str
    changed_at: float  # wall-clock time of the change, for the race check of a miss
    changed_here: bool = False  # by this process, on its own clock

    def may_predate(self, started: float) -> bool:
        """Whether an answer built since `started` may hold data read before this version."""
        margin = 0.0 if self.changed_here else CLOCK_MARGIN_SECONDS
        return self.changed_at > started - margin


_NEVER_CHANGED = AreaVersion("0", 0.0)


class AreaVersions:
    """Each area's current version as this process last read it, re-read at most once a
    second. Versions live twice the TTL: when one expires, so has every entry stored under the
    default version."""

    def __init__(self, store: KeyValueStore, ttl: int) -> None:
        self.store = store
        self.version_ttl = max(2 * ttl, 60)
        self._known: dict[str, tuple[AreaVersion, float]] = {}
        self._mine: dict[str, str] = {}  # the last token this process gave each area

    async def current(self, area: str) -> AreaVersion:
        known = self._known.get(area)
        if known is not None and time.monotonic() - known[1] < VERSION_REFRESH_SECONDS:
            return known[0]
        return await self.fresh(area)

    async def fresh(self, area: str) -> AreaVersion:
        raw = await self.store.get(_version_key(area))
        token, _, changed_at = (raw or "").partition("@")
        if token and changed_at:
            version = AreaVersion(token, float(changed_at), changed_here=self._mine.get(area) == token)
        else:
            version = _NEVER_CHANGED
        self._remember(area, version)
        return version

    async def change(self, area: str) -> None:
        version = AreaVersion(secrets.token_hex(8), time.time(), changed_here=True)
        await self.store.set(_version_key(area), f"{version.token}@{version.changed_at}", self.version_ttl)
        self._mine[area] = version.token
        self._remember(area, version)

    def _remember(self, area: str, version: AreaVersion) -> None:
        self._known[area] = (version, time.monotonic())


# One view per store, shared by the middleware and the invalidation task of the same process,
# so a change is seen by the very next request of the process that committed it.
_VERSIONS: weakref.WeakKeyDictionary[KeyValueStore, AreaVersions] = weakref.WeakKeyDictionary()


def area_versions(store: KeyValueStore, ttl: int) -> AreaVersions:
    versions = _VERSIONS.get(store)
    if versions is None:
        versions = _VERSIONS[store] = AreaVersions(store, ttl)
    return versions


def invalidate_after_commit(session: AsyncSession, *areas: str) -> None:
    """Have the cached anonymous answers built from `areas` dropped once `session` commits."""
    tasks.defer(session, forget_cached_responses, areas=sorted(set(areas)))


@tasks.inline_task
async def forget_cached_responses(context: tasks.TaskContext, *, areas: list[str]) -> None:
    if context.store is not None:
        versions = area_versions(context.store, context.settings.cache_default_ttl)
        for area in areas:
            await versions.change(area)
