"""Alembic environment: async engines, one history for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from hiremebahamas.config import Settings
from hiremebahamas.core.db import build_engine
from hiremebahamas.models import Base
from hiremebahamas.models.base import UTCDateTime
from hiremebahamas.models.jobs import managed_by_models

target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Our column types are thin wrappers; migrations must not import application code.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=managed_by_models,  # engine-specific full-text search objects
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(settings: Settings) -> None:
    engine = build_engine(settings.sqlalchemy_url, settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


def main() -> None:
    settings = context.config.attributes.get("settings") or Settings()
    if context.is_offline_mode():
        context.configure(
            url=settings.sqlalchemy_url,
            target_metadata=target_metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(settings))


main()
