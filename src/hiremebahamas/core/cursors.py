"""The one codec for opaque page cursors: a list of sort keys as base64url JSON.

A cursor comes back from the client, so it is untrusted input: anything that is not exactly
what we encoded (bad base64, bad JSON, another shape, a naive datetime, a wrong type) is a
422 `validation_error` on the `cursor` field, never a database error.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Any

from hiremebahamas.core.errors import ValidationFailed

MAX_CURSOR_LENGTH = 400

CursorPart = datetime | uuid.UUID | int | float | str
Kind = type[datetime] | type[uuid.UUID] | type[int] | type[float] | type[str]


def encode_cursor(*parts: CursorPart) -> str:
    values = [
        part.isoformat() if isinstance(part, datetime) else str(part) if isinstance(part, uuid.UUID) else part
        for part in parts
    ]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_part(value: Any, kind: Kind) -> CursorPart:
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:  # every time we store is UTC-aware; a naive one was not ours
            raise ValueError("naive datetime")
        return moment
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError("not a scalar")
    if kind is float and isinstance(value, int | float):
        return float(value)
    if not isinstance(value, kind):
        raise TypeError(f"not a {kind.__name__}")
    return value


def decode_cursor(cursor: str, *kinds: Kind) -> tuple[Any, ...]:
    """The parts of `cursor`, one of each kind in order; a ValidationFailed for anything else."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        values = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("another shape")
        return tuple(_decode_part(value, kind) for value, kind in zip(values, kinds, strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed("That cursor is not valid.", fields={"cursor": "Not a cursor from this list."}) from exc
