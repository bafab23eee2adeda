"""The create-admin command against a real database."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from tests.helpers import PASSWORD, login, register


def _create_admin(settings: Settings, email: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATABASE_PGBOUNCER": str(settings.database_pgbouncer).lower(),
        "VAR_DIR": str(settings.var_dir),
        "ENVIRONMENT": "test",
        "ADMIN_PASSWORD": password,
    }
    command = [sys.executable, "-m", "hiremebahamas.cli", "create-admin", "--email", email]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.usefixtures("runtime")
async def test_create_admin_makes_a_verified_admin_who_can_log_in(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    result = _create_admin(settings, "Boss@Example.com", PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "Admin boss@example.com created." in result.stdout
    user = (await login(client, "boss@example.com")).json()["user"]
    assert user["is_admin"] is True
    assert user["email_verified"] is True


async def test_create_admin_promotes_an_existing_account(
    settings: Settings, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, "ann@example.com")
    result = _create_admin(settings, "ann@example.com", "")
    assert result.returncode == 0, result.stderr
    assert "is now an admin" in result.stdout
    assert (await login(client, "ann@example.com")).json()["user"]["is_admin"] is True


@pytest.mark.usefixtures("runtime")
async def test_create_admin_refuses_a_weak_password(settings: Settings) -> None:
    result = _create_admin(settings, "boss@example.com", "password123")
    assert result.returncode != 0
    assert "too common" in result.stderr
