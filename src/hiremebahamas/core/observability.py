"""Structured logs with a request id, and Sentry."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sentry_sdk

from hiremebahamas.config import Settings

if TYPE_CHECKING:
    from sentry_sdk._types import DataCollectionUserOptions

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed through `extra=` and is logged.
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    """JSON lines on stderr. Handlers others installed (a test runner's, say) are left alone."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(settings.effective_log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "gunicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own middleware logs each request once, with its id and timing.
    logging.getLogger("uvicorn.access").disabled = True
    # Chatty libraries only speak up for problems; SQL is logged when DATABASE_ECHO asks for it.
    for noisy in ("aiosqlite", "asyncio", "multipart", "python_multipart"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy.engine.Engine").setLevel(logging.INFO if settings.database_echo else logging.WARNING)


def init_sentry(settings: Settings) -> None:
    if not settings.sentry_dsn:
        return
    # No identities, cookies or bodies; and no frame locals: they hold raw ASGI scopes and
    # request bodies (bearer tokens, cookies, passwords) in shapes the key denylist misses.
    collect: DataCollectionUserOptions = {
        "user_info": False,
        "cookies": {"mode": "off"},
        "http_bodies": [],
        "stack_frame_variables": False,
    }
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.environment.value,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        data_collection=collect,
    )
