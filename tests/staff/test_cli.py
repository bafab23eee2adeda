"""grant-role and revoke-role against a real database, each written to the audit log."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from sqlalchemy import select

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry
from tests.staff.conftest import make_member


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATABASE_PGBOUNCER": str(settings.database_pgbouncer).lower(),
        "VAR_DIR": str(settings.var_dir),
        "ENVIRONMENT": "test",
    }
    command = [sys.executable, "-m", "hiremebahamas.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


async def test_granting_and_revoking_a_role(settings: Settings, runtime: Runtime, client: httpx.AsyncClient) -> None:
    mo = await make_member(runtime, "mo-rolle")
    granted = _run(settings, "grant-role", "--username", "mo-rolle", "--role", "moderator")
    assert granted.returncode == 0, granted.stderr
    assert "@mo-rolle is now a moderator." in granted.stdout
    assert (await client.get("/api/admin/users", headers=mo.headers)).status_code == 200
    again = _run(settings, "grant-role", "--username", "mo-rolle", "--role", "moderator")
    assert again.returncode != 0
    assert "has that role already" in again.stderr
    revoked = _run(settings, "revoke-role", "--username", "mo-rolle")
    assert revoked.returncode == 0, revoked.stderr
    assert (await client.get("/api/admin/users", headers=mo.headers)).status_code == 403
    unknown = _run(settings, "grant-role", "--username", "nobody", "--role", "admin")
    assert unknown.returncode != 0
    assert "no account with that username" in unknown.stderr
    async with runtime.database.sessionmaker() as session:
        entries = (await session.execute(select(AuditEntry).order_by(AuditEntry.created_at))).scalars().all()
    assert [(entry.action, entry.actor_name) for entry in entries] == [
        ("user.grant_role", "command line"),
        ("user.revoke_role", "command line"),
    ]
