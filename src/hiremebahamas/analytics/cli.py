"""`hiremebahamas analytics rollup|backfill` and `report weekly`: the figures from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, timedelta
from typing import Any

from hiremebahamas.config import Settings
from hiremebahamas.models.base import utcnow


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


async def _run(settings: Settings, args: argparse.Namespace) -> str:
    from hiremebahamas.analytics.backfill import backfill
    from hiremebahamas.analytics.tasks import roll_up
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import create_email_sender
    from hiremebahamas.core.tasks import InProcessTaskRunner, TaskContext

    database = Database(settings)
    context = TaskContext(settings, database, create_email_sender(settings))
    try:
        if args.action == "backfill":
            async with database.unit_of_work(InProcessTaskRunner(context)) as session:
                events = await backfill(session, args.days, utcnow().date())
            return f"Rebuilt {events} events over {args.days} days and rolled them up."
        first = args.date or utcnow().date() - timedelta(days=1)
        stored = [await roll_up(context, first + timedelta(days=n)) for n in range(args.days)]
        return f"Rolled up {args.days} day(s) from {first.isoformat()}: {sum(stored)} figures."
    finally:
        await database.dispose()


async def _report(settings: Settings, send: bool) -> str:
    from hiremebahamas.analytics.report import weekly_email, weekly_text
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import create_email_sender

    database = Database(settings)
    try:
        async with database.sessionmaker() as session:
            text = await weekly_text(session)
        if send:
            email = weekly_email(settings, text)
            if email is None:
                raise SystemExit("Set REPORT_EMAIL to send the review.")
            await create_email_sender(settings).send(email)
            text += f"\nSent to {email.to}.\n"
        return text
    finally:
        await database.dispose()


def _weekly(args: argparse.Namespace) -> int:
    sys.stdout.write(asyncio.run(_report(Settings(), args.email)))
    return 0


def _analytics(args: argparse.Namespace) -> int:
    sys.stdout.write(asyncio.run(_run(Settings(), args)) + "\n")
    return 0


def add_commands(commands: Any) -> None:
    """Register `analytics rollup|backfill` on the main parser's subparsers."""
    analytics = commands.add_parser("analytics", help="the daily analytics figures (docs/analytics.md)")
    actions = analytics.add_subparsers(dest="action", required=True)
    rollup = actions.add_parser("rollup", help="compute the figures of a day (default: yesterday), again if need be")
    rollup.add_argument("--date", type=_day, default=None, help="the first day, YYYY-MM-DD (UTC)")
    rollup.add_argument("--days", type=int, default=1, choices=range(1, 367), metavar="1..366")
    backfill = actions.add_parser("backfill", help="rebuild the event log from the records (demo data, first install)")
    backfill.add_argument("--days", type=int, default=90, choices=range(2, 367), metavar="2..366")
    for parser in (rollup, backfill):
        parser.set_defaults(handler=_analytics)
    report = commands.add_parser("report", help="the operator's reviews of the figures")
    kinds = report.add_subparsers(dest="kind", required=True)
    weekly = kinds.add_parser("weekly", help="the last seven days: growth, revenue, churn, failed searches")
    weekly.add_argument("--email", action="store_true", help="also mail it to REPORT_EMAIL")
    weekly.set_defaults(handler=_weekly)
