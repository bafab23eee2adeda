"""The server-side event log: what services record, written after their commit.

A service calls `record(session, Event.POST_CREATED, user_id)` in its unit of work. Nothing is
written then: the events of the unit of work gather in one list, handed over once it commits (a
rolled-back request records nothing, and a request never waits on the log). The process gathers
the lists of its commits for a second, or up to 500 events, and one task inserts them all: one
job and one transaction per few hundred events rather than per request, which halved the
throughput of every write when each request had its own (docs/benchmarks.md).

Only the user id identifies anyone. Search terms are logged without a user id.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import case, insert
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics import posthog
from hiremebahamas.core import tasks
from hiremebahamas.core.sql import dialect_insert, insert_many_ignoring_conflicts
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.models import ActiveDay, AnalyticsEvent, LastActive
from hiremebahamas.models.base import utcnow


class Event(StrEnum):
    SIGNED_UP = "signed_up"
    EMAIL_VERIFIED = "email_verified"
    LOGGED_IN = "logged_in"
    # A signed-in member's first request of a UTC day (their session was last seen on another).
    VISITED = "visited"
    PROFILE_COMPLETED = "profile_completed"
    POST_CREATED = "post_created"
    COMMENT_CREATED = "comment_created"
    POST_LIKED = "post_liked"
    FOLLOWED = "followed"
    MESSAGE_SENT = "message_sent"
    JOB_VIEWED = "job_viewed"
    JOB_APPLIED = "job_applied"
    JOB_POSTED = "job_posted"
    # An employer moved an application to "hired" (by the employer's id; the job in properties).
    CANDIDATE_HIRED = "candidate_hired"
    SEARCH_RUN = "search_run"
    CHECKOUT_STARTED = "checkout_started"
    SUBSCRIPTION_STARTED = "subscription_started"
    SUBSCRIPTION_RENEWED = "subscription_renewed"
    SUBSCRIPTION_UPGRADED = "subscription_upgraded"
    SUBSCRIPTION_DOWNGRADED = "subscription_downgraded"
    SUBSCRIPTION_CANCELED = "subscription_canceled"
    SUBSCRIPTION_ENDED = "subscription_ended"
    PAYMENT_FAILED = "payment_failed"


# What a member does of their own accord: "first action" in the funnel is the first of these.
FIRST_ACTIONS = (Event.POST_CREATED, Event.JOB_APPLIED, Event.MESSAGE_SENT)


def record(session: AsyncSession, event: Event, user_id: uuid.UUID | None, **properties: Any) -> None:
    """Log `event` once `session` commits. `properties` must be JSON values and hold nothing
    personal (ids, tiers, amounts, counts)."""
    tasks.batch(session, store_events, "events").append(
        {
            "name": event.value,
            "user_id": str(user_id) if user_id is not None else None,
            "occurred_at": utcnow().isoformat(),
            "properties": properties,
        }
    )


def _row(event: dict[str, Any]) -> dict[str, Any]:
    user_id = event["user_id"]
    return {
        "name": event["name"],
        "user_id": uuid.UUID(user_id) if user_id else None,
        "occurred_at": datetime.fromisoformat(event["occurred_at"]),
        "properties": event["properties"],
    }


@tasks.gathered_task("events", seconds=1.0, most=500)
async def store_events(context: TaskContext, events: list[dict[str, Any]]) -> None:
    """Insert the events, and mark their members active on their days (DAU, WAU and MAU read
    those marks, current to the last request); then copy them to PostHog when configured. A
    second run of the same call (a worker died after the insert) logs its events twice: the
    member counts are distinct, so only that batch's event counts are off."""
    rows = [_row(event) for event in events]
    active = {(row["occurred_at"].date(), row["user_id"]) for row in rows if row["user_id"] is not None}
    latest: dict[uuid.UUID, date] = {}
    for day, user_id in active:
        latest[user_id] = max(day, latest.get(user_id, day))
    async with tasks.unit_of_work(context) as session:
        await session.execute(insert(AnalyticsEvent), rows)
        marks = [{"day": day, "user_id": user_id} for day, user_id in sorted(active)]
        await insert_many_ignoring_conflicts(session, ActiveDay, marks)
        if latest:
            await _seen(session, latest)
    host, key = context.settings.posthog_host, context.settings.posthog_api_key
    if host and key:
        await posthog.forward(host, key, events)


async def _seen(session: AsyncSession, latest: dict[uuid.UUID, date]) -> None:
    """Members' last active days, in one statement; a day moves forward only (events may arrive
    out of order)."""
    statement = dialect_insert(session)(LastActive)
    later = case((statement.excluded.day > LastActive.day, statement.excluded.day), else_=LastActive.day)
    rows = [{"user_id": user_id, "day": day} for user_id, day in sorted(latest.items())]
    await session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_={"day": later}), rows)
