from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class RetentionOut(BaseModel):
    d1: float
    d7: float
    d30: float


class FunnelOut(BaseModel):
    """Stage counts in the window, each rate over the stage before it."""

    signups: int
    verified: int
    verified_rate: float
    first_action: int
    first_action_rate: float
    pro: int
    pro_rate: float
    business: int
    business_rate: float


class MovementsOut(BaseModel):
    """MRR gained (positive) or lost (negative) in the window, in cents."""

    new: int
    expansion: int
    contraction: int
    churned: int
    reactivation: int


class ActiveSubscriptionsOut(BaseModel):
    pro: int
    business: int


class SummaryOut(BaseModel):
    days: int
    users_total: int
    signups: int
    dau: int
    wau: int
    mau: int
    stickiness: float
    retention: RetentionOut
    funnel: FunnelOut
    mrr_cents: int
    arr_cents: int
    arpu_cents: int
    arppu_cents: int
    churn_rate: float
    mrr_movements: MovementsOut
    active_subscriptions: ActiveSubscriptionsOut


class PointOut(BaseModel):
    date: date
    value: int


class TimeseriesOut(BaseModel):
    metric: str
    items: list[PointOut]
