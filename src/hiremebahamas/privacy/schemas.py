"""What the deletion endpoints take and answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from hiremebahamas.accounts.schemas import Password
from hiremebahamas.core.text import InputModel


class DeletionIn(InputModel):
    password: Password
    """The account's password: deleting is confirmed with it even in a fresh session."""


class DeletionOut(BaseModel):
    deletion_due_at: datetime
    """When the account is erased; its owner may restore it until then."""
    deletion_scheduled_for: datetime
    """The same moment, under the name API.md gives it."""

    @classmethod
    def of(cls, due: datetime) -> DeletionOut:
        return cls(deletion_due_at=due, deletion_scheduled_for=due)
