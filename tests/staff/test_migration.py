"""Migration 0009 turns the admin flag into the admin role, and back on a downgrade."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from hiremebahamas.cli import alembic_config, migrate
from tests.conftest import ENGINES, make_settings
from tests.servers import PostgresServer

_INSERT = text(
    "INSERT INTO users (id, email, username, password_hash, first_name, last_name, account_type, is_admin, "
    "is_active, created_at, updated_at) VALUES (:id, :email, :username, '-', 'Ann', 'Rolle', 'job_seeker', "
    ":admin, true, '2026-11-30 10:00:00+00', '2026-11-30 10:00:00+00')"
)


def _url(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"hmb_migrate_{uuid.uuid4().hex[:8]}"
    server.create_database(name)
    return server.url(name)


@pytest.mark.parametrize("engine", [name for name in ("sqlite", "postgresql") if name in ENGINES])
async def test_admins_become_the_admin_role_and_back(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = make_settings(database_url=_url(engine, tmp_path, request))
    await asyncio.to_thread(migrate, settings, "0008")
    database = create_async_engine(settings.sqlalchemy_url)
    try:
        async with database.begin() as connection:
            for name, admin in (("boss", True), ("member", False)):
                row_id = uuid.uuid4()
                params = {"id": row_id.hex if engine == "sqlite" else row_id, "email": f"{name}@example.com"}
                await connection.execute(_INSERT, {**params, "username": name, "admin": admin})
        await asyncio.to_thread(migrate, settings)
        async with database.connect() as connection:
            rows = (await connection.execute(text("SELECT username, staff_role FROM users"))).all()
        roles = {str(name): role for name, role in rows}
        assert roles == {"boss": "admin", "member": None}
        await asyncio.to_thread(command.downgrade, alembic_config(settings), "0008")
        async with database.connect() as connection:
            rows = (await connection.execute(text("SELECT username, is_admin FROM users"))).all()
        flags = {str(name): flag for name, flag in rows}
        assert {name: bool(flag) for name, flag in flags.items()} == {"boss": True, "member": False}
    finally:
        await database.dispose()
