"""The site's clock: The Bahamas keep Nassau time, so a day a person picks (a job's closing date,
the end of a suspension) means the end of that day in Nassau, and every time the site shows is
written in Nassau time, in one format: "1 Dec 2026" for a day, "1 Dec 2026, 2:05 PM" for a
moment, and "5 min ago" or "2 days ago" for what happened in the last week.

Times are written on the server, never rewritten by a script in the browser: a page, the
fragment a live update fetches and a reload all show the same words. A relative time is as of
the moment the page was made; the exact time is in its `title` and `datetime`."""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

NASSAU = ZoneInfo("America/Nassau")


def day_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=NASSAU)


def moment_or_day_end(value: Any) -> Any:
    """For an input's before-validator: a day ("2026-12-31") becomes the end of that day in
    Nassau; anything else is left for the field's own validation."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return day_end(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def months_after(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months later; on a shorter month's last day when the day
    does not exist there (January 31 + 1 month: February 28 or 29)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


RECENT = timedelta(days=7)
"""How long a past moment is told relative to now ("3 days ago"); older ones show their day."""


def day_text(day: date) -> str:
    """ "1 Dec 2026"; a moment is first put in Nassau time (23:30 UTC is still that day there)."""
    if isinstance(day, datetime):
        day = day.astimezone(NASSAU).date()
    return f"{day.day} {day:%b %Y}"


def moment_text(moment: datetime) -> str:
    """ "1 Dec 2026, 2:05 PM" in Nassau time."""
    local = moment.astimezone(NASSAU)
    return f"{day_text(local.date())}, {local.hour % 12 or 12}:{local:%M %p}"


def _counted(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'} ago"


def relative_text(moment: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 hours ago", "2 days ago" within the last week; before that the
    day ("1 Dec 2026"); a moment still to come keeps its exact time."""
    elapsed = (now or datetime.now(UTC)) - moment
    if elapsed < timedelta(0):
        return moment_text(moment)
    if elapsed < timedelta(minutes=1):
        return "just now"
    if elapsed < timedelta(hours=1):
        return f"{elapsed // timedelta(minutes=1)} min ago"
    if elapsed < timedelta(days=1):
        return _counted(elapsed // timedelta(hours=1), "hour")
    if elapsed < RECENT:
        return _counted(elapsed.days, "day")
    return day_text(moment)
