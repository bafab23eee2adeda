"""Who lifecycle email may reach at all: verified, active accounts not being deleted."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from hiremebahamas.models import User


def reachable() -> list[ColumnElement[bool]]:
    return [User.email_verified_at.is_not(None), User.is_active.is_(True), User.deletion_requested_at.is_(None)]
