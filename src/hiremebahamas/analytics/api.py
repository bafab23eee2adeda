"""`/api/admin/analytics/...` (API.md, "Staff"): the business figures, admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hiremebahamas.analytics import metrics
from hiremebahamas.analytics.metrics import Series
from hiremebahamas.analytics.schemas import PointOut, SummaryOut, TimeseriesOut
from hiremebahamas.staff.deps import AdminApi
from hiremebahamas.web.deps import AppRuntime, DbSession

router = APIRouter(prefix="/admin/analytics", tags=["staff"])

Days = Annotated[int, Query(ge=1, le=366)]


@router.get("/summary")
async def summary(auth: AdminApi, db: DbSession, runtime: AppRuntime, days: Days = 30) -> SummaryOut:
    """Growth, retention, funnel and revenue over the last `days` days, today included. The
    revenue figures are read now; today's activity is shared with the dashboard for up to a
    minute (computing it costs most of a second at a million members)."""
    return SummaryOut.model_validate(await metrics.summary(db, days, store=runtime.store))


@router.get("/timeseries")
async def timeseries(
    auth: AdminApi, db: DbSession, runtime: AppRuntime, metric: Series, days: Days = 90
) -> TimeseriesOut:
    """One value a day, oldest first, today last (today's activity as the summary's)."""
    points = await metrics.timeseries(db, metric, days, store=runtime.store)
    return TimeseriesOut(metric=metric.value, items=[PointOut(date=day, value=value) for day, value in points])
