"""`/admin/analytics`: the operator's dashboard (admins), its charts as SVG images and every
table as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response

from hiremebahamas.analytics import charts, metrics
from hiremebahamas.analytics.metrics import FUNNEL_STAGES, Window
from hiremebahamas.analytics.rollup import MOVEMENTS, RETENTION_DAYS
from hiremebahamas.billing.tiers import format_money
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models.base import utcnow
from hiremebahamas.staff.deps import AdminPage
from hiremebahamas.web.deps import AppRuntime, DbSession
from hiremebahamas.web.rendering import render

router = APIRouter(prefix="/admin/analytics", include_in_schema=False)

PERIODS = (7, 30, 90, 365)
DAILY_METRICS = ["dau", "wau", "mau", "mrr_cents", "events.signed_up", "events.job_applied", "events.job_posted",
                 "events.message_sent", "events.post_created", *(f"mrr_{m}" for m in MOVEMENTS)]  # fmt: skip
MARKETPLACE_FIGURES = ("jobs_posted", "applications", "applications_per_job", "median_hours_to_first_applicant",
                       "hires", "messages_per_active_member", "searches", "search_to_apply_rate")  # fmt: skip
# An SVG shown as an image runs nothing; its response allows its own inline styles, no more.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


class Chart(StrEnum):
    ACTIVE = "active"
    MRR = "mrr"
    MOVEMENTS = "movements"


class Table(StrEnum):
    SUMMARY = "summary"
    DAILY = "daily"
    COHORTS = "cohorts"
    FUNNEL = "funnel"
    MARKETPLACE = "marketplace"
    FAILED_SEARCHES = "failed-searches"


def _window(request: Request, runtime: Runtime) -> Window:
    """?days= one of the periods offered; anything else is the default 30."""
    raw = request.query_params.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 30
    return Window(days, utcnow().date(), runtime.store)


def _heat(rate: float | None) -> str:
    """A class for a retention cell: five steps of colour, read with the figure itself."""
    if rate is None:
        return "heat-none"
    return f"heat-{min(4, int(rate * 10))}"


@router.get("")
async def dashboard(request: Request, auth: AdminPage, db: DbSession, runtime: AppRuntime) -> Response:
    window = _window(request, runtime)
    context: dict[str, Any] = {
        "window": window,
        "periods": PERIODS,
        "summary": await metrics.summary(db, window.days, store=window.store),
        "cohorts": await metrics.cohorts(db, window),
        "funnel": await metrics.weekly_funnel(db, window),
        "marketplace": await metrics.marketplace(db, window.days, store=window.store),
        "stages": FUNNEL_STAGES,
        "money": format_money,
        "heat": _heat,
        "charts": list(Chart),
    }
    return render(request, "analytics/dashboard.html", context)


@router.get("/charts/{chart}.svg")
async def chart_image(request: Request, auth: AdminPage, db: DbSession, runtime: AppRuntime, chart: str) -> Response:
    try:
        which = Chart(chart)
    except ValueError:
        raise NotFound("There is no such chart.") from None
    window = _window(request, runtime)
    days = window.dates()
    if which is Chart.ACTIVE:
        values = await metrics.daily(db, window, ["dau", "wau", "mau"])
        svg = charts.line("Active members", days, {"DAU": values["dau"], "WAU": values["wau"], "MAU": values["mau"]})
    elif which is Chart.MRR:
        values = await metrics.daily(db, window, ["mrr_cents"])
        svg = charts.line("MRR (USD)", days, {"MRR": values["mrr_cents"]}, money=True)
    else:
        names = [f"mrr_{movement}" for movement in MOVEMENTS]
        values = await metrics.daily(db, window, names)
        svg = charts.stacked_bars("MRR movements (USD)", days, {m.title(): values[f"mrr_{m}"] for m in MOVEMENTS})
    headers = {"Content-Security-Policy": _SVG_POLICY, "Cache-Control": "private, max-age=300"}
    return Response(svg, media_type="image/svg+xml", headers=headers)


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv", headers=headers)


def _flat(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [pair for key, inner in value.items() for pair in _flat(f"{prefix}.{key}" if prefix else key, inner)]
    return [(prefix, value)]


@router.get("/{table}.csv")
async def table_csv(request: Request, auth: AdminPage, db: DbSession, runtime: AppRuntime, table: str) -> Response:
    """The numbers behind the page, exactly as it shows them."""
    try:
        which = Table(table)
    except ValueError:
        raise NotFound("There is no such table.") from None
    window = _window(request, runtime)
    name = f"{which.value}-{window.days}-days-to-{window.today.isoformat()}"
    if which is Table.SUMMARY:
        return _csv(name, ["figure", "value"], _flat("", await metrics.summary(db, window.days, store=window.store)))
    if which is Table.DAILY:
        values = await metrics.daily(db, window, DAILY_METRICS)
        rows = [[day.isoformat(), *(values[m][n] for m in DAILY_METRICS)] for n, day in enumerate(window.dates())]
        return _csv(name, ["date", *DAILY_METRICS], rows)
    if which is Table.COHORTS:
        cohort_rows = [
            [c.week.isoformat(), c.size, *("" if c.retention[k] is None else c.retention[k] for k in RETENTION_DAYS)]
            for c in await metrics.cohorts(db, window)
        ]
        return _csv(name, ["week", "signups", "d1", "d7", "d30"], cohort_rows)
    if which is Table.FUNNEL:
        weeks = await metrics.weekly_funnel(db, window)
        return _csv(
            name, ["week", *FUNNEL_STAGES], [[week.isoformat(), *(n[s] for s in FUNNEL_STAGES)] for week, n in weeks]
        )
    market = await metrics.marketplace(db, window.days, store=window.store)
    if which is Table.FAILED_SEARCHES:
        return _csv(name, ["words", "searches"], market.failed_searches)
    figures = [(field, getattr(market, field)) for field in MARKETPLACE_FIGURES]
    return _csv(name, ["figure", "value"], [(key, "" if value is None else value) for key, value in figures])
