"""`hiremebahamas demo-data` as an operator runs it: a summary line per table, exit status 1
and nothing written on a database that already has users, never in production."""

from __future__ import annotations

import asyncio

import pytest

from hiremebahamas.cli import main
from hiremebahamas.config import Environment, Settings
from hiremebahamas.core.db import Database
from hiremebahamas.demo.loader import DemoRefused, load_demo_data
from hiremebahamas.demo.sizes import PRESETS
from tests.conftest import empty_tables


def test_loads_once_then_refuses(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATABASE_PGBOUNCER", str(settings.database_pgbouncer).lower())
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("ENVIRONMENT", "test")
    try:
        assert main(["demo-data", "--size", "tiny", "--users", "25", "--seed", "3"]) == 0
        out = capsys.readouterr().out
        for table in ("users", "posts", "follows", "messages", "notifications", "subscriptions"):
            assert any(line.split()[:1] == [table] for line in out.splitlines()), out
        assert main(["demo-data", "--size", "tiny"]) == 1
        assert "already has 25 users" in capsys.readouterr().err
    finally:
        database = Database(settings)
        asyncio.run(empty_tables(database))
        asyncio.run(database.dispose())


async def test_never_in_production(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    with pytest.raises(DemoRefused, match="never loaded in production"):
        await load_demo_data(production, PRESETS["tiny"], seed=1)
