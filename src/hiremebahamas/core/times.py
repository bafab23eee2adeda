"""The site's clock: The Bahamas keep Nassau time, so a day a person picks (a job's closing date,
the end of a suspension) means the end of that day in Nassau."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time
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
