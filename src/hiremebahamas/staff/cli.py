"""`hiremebahamas grant-role` and `revoke-role`: staff roles from the command line (the first
admin comes from `create-admin`). Each change is in the audit log, by "command line"."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from hiremebahamas.config import Settings
from hiremebahamas.models import StaffRole


async def change_role(settings: Settings, username: str, role: StaffRole | None) -> str:
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import create_email_sender
    from hiremebahamas.core.errors import AppError
    from hiremebahamas.core.tasks import InProcessTaskRunner, TaskContext
    from hiremebahamas.staff.service import set_role

    database = Database(settings)
    runner = InProcessTaskRunner(TaskContext(settings, database, create_email_sender(settings)))
    try:
        async with database.unit_of_work(runner) as session:
            user = await set_role(session, None, username, role)
            return f"@{user.username} is now {'a ' + role.value if role else 'no longer staff'}."
    except AppError as error:
        raise SystemExit(error.message) from None
    finally:
        await database.dispose()


def _grant(args: argparse.Namespace) -> int:
    sys.stdout.write(asyncio.run(change_role(Settings(), args.username, StaffRole(args.role))) + "\n")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    sys.stdout.write(asyncio.run(change_role(Settings(), args.username, None)) + "\n")
    return 0


def add_commands(commands: Any) -> None:
    """Register the subcommands on the main parser's subparsers."""
    grant = commands.add_parser("grant-role", help="make an account a moderator or an admin")
    grant.add_argument("--username", required=True)
    grant.add_argument("--role", required=True, choices=[role.value for role in StaffRole])
    grant.set_defaults(handler=_grant)
    revoke = commands.add_parser("revoke-role", help="take an account's staff role away")
    revoke.add_argument("--username", required=True)
    revoke.set_defaults(handler=_revoke)
