"""Notification shapes for the JSON API and live events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, JsonValue, StrictBool

from hiremebahamas.core.text import InputModel
from hiremebahamas.notifications.types import KINDS


class ActorOut(BaseModel):
    """Who did it: enough for a name, a link to /u/<username> and a picture."""

    id: uuid.UUID
    username: str
    first_name: str
    last_name: str
    avatar_url: str | None


class NotificationOut(BaseModel):
    id: uuid.UUID
    type: str
    text: str
    url: str | None
    actor: ActorOut | None
    data: dict[str, Any]
    read: bool
    read_at: datetime | None
    created_at: datetime


class MarkReadIn(InputModel):
    """`{"ids": [...]}` marks those; `{"all": true}` marks every unread one (whatever `ids`
    says, since all of them are among those); `{}` marks none."""

    ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    all: StrictBool = False  # JSON only (no page builds it): 0 or "true" is not a boolean


class MarkReadOut(BaseModel):
    marked: int
    unread_count: int


class CountsOut(BaseModel):
    """What the nav badges show: unread notifications, conversations with unread messages."""

    notifications: int
    conversations: int


class PreferenceOut(BaseModel):
    type: str
    label: str
    email: bool


class PreferencesOut(BaseModel):
    items: list[PreferenceOut]


EMAILABLE: list[JsonValue] = [kind.type for kind in sorted(KINDS.values(), key=lambda k: k.type) if kind.emailable]


class PreferencesIn(InputModel):
    """`{"email": {"application.created": false, ...}}`: only emailable types (the service
    refuses others; the schema names them)."""

    email: dict[str, StrictBool] = Field(max_length=50, json_schema_extra={"propertyNames": {"enum": EMAILABLE}})


class UnsubscribeOut(BaseModel):
    type: str
    email: bool
