"""The one way the site writes times: Nassau time, one format, relative within the last week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hiremebahamas.core.templating import environment
from hiremebahamas.core.times import day_text, moment_text, relative_text

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 3:00 PM in Nassau (EST, UTC-5)


def test_a_moment_is_written_in_nassau_time() -> None:
    assert moment_text(NOW) == "1 Dec 2026, 3:00 PM"
    assert moment_text(datetime(2026, 7, 4, 4, 5, tzinfo=UTC)) == "4 Jul 2026, 12:05 AM"  # EDT, UTC-4
    assert moment_text(datetime(2026, 7, 4, 16, 30, tzinfo=UTC)) == "4 Jul 2026, 12:30 PM"


def test_a_day_is_the_nassau_day_of_a_moment() -> None:
    assert day_text(date(2026, 12, 31)) == "31 Dec 2026"
    # 02:00 UTC on the 2nd is still the evening of the 1st in Nassau.
    assert day_text(datetime(2026, 12, 2, 2, 0, tzinfo=UTC)) == "1 Dec 2026"


def test_recent_moments_are_relative() -> None:
    assert relative_text(NOW - timedelta(seconds=20), NOW) == "just now"
    assert relative_text(NOW - timedelta(minutes=1), NOW) == "1 min ago"
    assert relative_text(NOW - timedelta(minutes=59, seconds=59), NOW) == "59 min ago"
    assert relative_text(NOW - timedelta(hours=1), NOW) == "1 hour ago"
    assert relative_text(NOW - timedelta(hours=23), NOW) == "23 hours ago"
    assert relative_text(NOW - timedelta(days=1), NOW) == "1 day ago"
    assert relative_text(NOW - timedelta(days=2, hours=5), NOW) == "2 days ago"
    assert relative_text(NOW - timedelta(days=6, hours=23), NOW) == "6 days ago"


def test_older_moments_show_their_day_and_future_ones_their_time() -> None:
    assert relative_text(NOW - timedelta(days=7), NOW) == "24 Nov 2026"
    assert relative_text(NOW + timedelta(hours=2), NOW) == "1 Dec 2026, 5:00 PM"


def _render(source: str, **context: object) -> str:
    return environment().from_string(source).render(**context)


def test_the_filters_write_a_time_element_with_the_exact_time() -> None:
    moment = datetime.now(UTC) - timedelta(minutes=5)
    assert _render("{{ t|time_ago }}", t=moment) == (
        f'<time datetime="{moment.isoformat()}" title="{moment_text(moment)} (Nassau time)">5 min ago</time>'
    )
    assert _render("{{ t|time_at }}", t=NOW) == (
        f'<time datetime="{NOW.isoformat()}" title="Nassau time">1 Dec 2026, 3:00 PM</time>'
    )
    assert _render("{{ d|time_on }}", d=date(2026, 12, 31)) == '<time datetime="2026-12-31">31 Dec 2026</time>'
    assert _render("{{ t|day_text }} / {{ t|moment_text }}", t=NOW) == "1 Dec 2026 / 1 Dec 2026, 3:00 PM"
