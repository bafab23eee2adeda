"""The dashboard page, its chart images and its CSV tables, for admins only."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import httpx
import pytest

from hiremebahamas.analytics import charts
from hiremebahamas.analytics.events import Event
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import BillingInterval, TierCode
from hiremebahamas.models.base import new_id, utcnow
from tests.analytics.test_metrics import _figures, _log, _subscription, at
from tests.helpers import sign_in
from tests.staff.conftest import Staffed


async def _data(runtime: Runtime) -> None:
    today = utcnow().date()
    ann, bob = new_id(), new_id()
    await _log(
        runtime,
        (Event.SIGNED_UP, ann, at(today - timedelta(days=8)), {}),
        (Event.SIGNED_UP, bob, at(today - timedelta(days=8), 14), {}),
        (Event.VISITED, ann, at(today - timedelta(days=7)), {}),
        (Event.POST_CREATED, ann, at(today - timedelta(days=7)), {}),
    )
    for back in (8, 7):
        await _figures(runtime, today - timedelta(days=back))
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH)
    await _subscription(runtime, TierCode.BUSINESS, BillingInterval.YEAR)


async def test_the_dashboard_shows_the_figures_and_the_csv_holds_the_same(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    await _data(runtime)
    sign_in(client, people.admin)
    page = await client.get("/admin/analytics?days=30")
    assert page.status_code == 200
    html = page.text
    assert "MRR <strong>$51.57</strong>" in html  # $9.99 + $499 / 12
    assert 'src="/admin/analytics/charts/active.svg?days=30"' in html
    # The cohort of eight days ago: two signed up, one came back the next day.
    week = utcnow().date() - timedelta(days=8)
    assert re.search(r"<td class=\"heat-\d\">50\.0%</td>", html), "the day-1 retention of the cohort"
    summary_csv = (await client.get("/admin/analytics/summary.csv?days=30")).text
    summary = {row[0]: row[1] for row in csv.reader(io.StringIO(summary_csv))}
    assert summary["mrr_cents"] == "5157"
    assert summary["retention.d1"] == "0.5"
    cohorts = list(csv.DictReader(io.StringIO((await client.get("/admin/analytics/cohorts.csv?days=30")).text)))
    monday = (week - timedelta(days=week.weekday())).isoformat()
    [row] = [row for row in cohorts if row["week"] == monday]
    assert (row["signups"], row["d1"]) == ("2", "0.5")
    daily = list(csv.DictReader(io.StringIO((await client.get("/admin/analytics/daily.csv?days=7")).text)))
    assert len(daily) == 7
    assert daily[-1]["mrr_cents"] == "5157"


@pytest.mark.parametrize("chart", ["active", "mrr", "movements"])
async def test_the_charts_are_svg_images_that_run_nothing(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, chart: str
) -> None:
    await _data(runtime)
    sign_in(client, people.admin)
    response = await client.get(f"/admin/analytics/charts/{chart}.svg?days=90")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response.text.lstrip().startswith("<?xml")


@pytest.mark.parametrize("path", ["/admin/analytics/charts/pie.svg", "/admin/analytics/secrets.csv"])
async def test_an_unknown_chart_or_table_is_not_found(client: httpx.AsyncClient, people: Staffed, path: str) -> None:
    sign_in(client, people.admin)
    assert (await client.get(path)).status_code == 404


async def test_an_unknown_period_shows_thirty_days(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.admin)
    page = await client.get("/admin/analytics?days=12")
    assert page.status_code == 200
    assert 'aria-current="page">30 days' in page.text


@pytest.mark.parametrize("path", ["/admin/analytics", "/admin/analytics/charts/mrr.svg", "/admin/analytics/daily.csv"])
async def test_only_admins_reach_the_dashboard(client: httpx.AsyncClient, people: Staffed, path: str) -> None:
    sign_in(client, None)
    anonymous = await client.get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    for who in (people.seeker, people.employer, people.moderator):
        sign_in(client, who)
        assert (await client.get(path)).status_code == 404


def test_the_mrr_chart_is_drawn_in_dollars_with_readable_days() -> None:
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
    svg = charts.line("MRR (USD)", days, {"MRR": [5157 + 100 * n for n in range(30)]}, money=True)
    axis = sorted({int(label.replace(",", "")) for label in re.findall(r">\$([0-9,]+)<", svg)})
    assert axis[0] >= 50  # $51.57 to $80.57: the axis is in dollars, not cents nor hundredths
    assert axis[-1] <= 82
    assert "01 Nov" in svg  # day labels written out, not cut to "…"
    assert "…" not in svg
