"""`hiremebahamas seed-tiers` (the plans into the database) and `hiremebahamas stripe-sync`
(Stripe's products and prices to match them)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from hiremebahamas.config import Settings


async def seed(settings: Settings) -> list[str]:
    from hiremebahamas.billing.tiers import seed_tiers
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import create_email_sender
    from hiremebahamas.core.tasks import InProcessTaskRunner, TaskContext

    database = Database(settings)
    runner = InProcessTaskRunner(TaskContext(settings, database, create_email_sender(settings)))
    try:
        async with database.unit_of_work(runner) as session:
            return await seed_tiers(session)
    finally:
        await database.dispose()


async def stripe_sync(settings: Settings) -> list[str]:
    from hiremebahamas.billing.gateway import StripeGateway
    from hiremebahamas.billing.sync import sync_stripe
    from hiremebahamas.billing.tiers import load_tiers
    from hiremebahamas.core.db import Database

    database = Database(settings)
    try:
        async with database.sessionmaker() as session:
            tiers = await load_tiers(session)
    finally:
        await database.dispose()
    return await sync_stripe(StripeGateway(settings), tiers)


def _seed_tiers(_args: argparse.Namespace) -> int:
    changes = asyncio.run(seed(Settings()))
    sys.stdout.write(("\n".join(changes) if changes else "Tiers are up to date.") + "\n")
    return 0


def _stripe_sync(_args: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.stripe_secret_key:
        sys.stderr.write("STRIPE_SECRET_KEY is not set: nothing to sync (the embedded checkout needs no prices).\n")
        return 2
    sys.stdout.write("\n".join(asyncio.run(stripe_sync(settings))) + "\n")
    return 0


def add_commands(commands: Any) -> None:
    """Register the subcommands on the main parser's subparsers."""
    seed_cmd = commands.add_parser("seed-tiers", help="create or reset the Free/Pro/Business plans (idempotent)")
    seed_cmd.set_defaults(handler=_seed_tiers)
    sync = commands.add_parser("stripe-sync", help="create or update Stripe products and prices for the paid plans")
    sync.set_defaults(handler=_stripe_sync)
