"""Product analytics: the server-side event log, the days each member was active, and the daily
rollups every dashboard reads.

The event log holds no personal data beyond the user id (search terms are logged without one),
is pruned after ANALYTICS_RETENTION_DAYS, and is read only by the rollup: the dashboard reads
`analytics_daily`, a few rows per metric and day whatever the number of members.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, utcnow

# SQLite only numbers a row by itself for an INTEGER PRIMARY KEY.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class AnalyticsEvent(Base):
    """Something a member did, as the service that did it saw it (recorded after the commit)."""

    __tablename__ = "analytics_events"
    __table_args__ = (
        # A day's events (the rollup); one kind's events of a day (sign-ups for retention, first
        # actions, searches); one member's (their first action before a day, the erasure).
        Index("ix_analytics_events_occurred_at", "occurred_at"),
        Index("ix_analytics_events_name_occurred", "name", "occurred_at"),
        Index("ix_analytics_events_user_occurred", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(40))
    # No foreign key: erasing an account deletes its events (privacy), but the log is written
    # after the commit and must not fail for an account deleted meanwhile.
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ActiveDay(Base):
    """A member was active on a day (UTC): DAU, WAU, MAU and retention count these rows."""

    __tablename__ = "analytics_active_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class LastActive(Base):
    """The last day (UTC) each member was active: today's DAU, WAU and MAU count a range of this
    index (members active since a day) instead of every mark of 30 days."""

    __tablename__ = "analytics_last_active"
    __table_args__ = (Index("ix_analytics_last_active_day", "day"),)

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date]


class DailyFigure(Base):
    """One metric's value for one day, optionally broken down (`dimension`: a tier, a cohort's
    sign-up day, a search term; "" for the whole)."""

    __tablename__ = "analytics_daily"

    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(100), primary_key=True, default="")
    day: Mapped[date] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class JobViewDay(Base):
    """How often a job's page was seen on a day (UTC), and by how many different people (a
    person counts once a day): the employer's statistics. The team's own visits do not count."""

    __tablename__ = "job_view_days"

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
    unique_viewers: Mapped[int] = mapped_column(default=0)
