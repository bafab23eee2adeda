"""Command-line entry points of the marketplace's periodic work, for cron or one-off runs:
`hiremebahamas expire-jobs` and `hiremebahamas send-job-alerts --daily`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hiremebahamas.core.tasks import Task


async def _run(task: Task[[]]) -> None:
    from hiremebahamas.config import Settings
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import create_email_sender
    from hiremebahamas.core.tasks import TaskContext

    settings = Settings()
    database = Database(settings)
    try:
        await task(TaskContext(settings, database, create_email_sender(settings)))
    finally:
        await database.dispose()


def _expire_jobs(_args: argparse.Namespace) -> int:
    from hiremebahamas.jobs.tasks import expire_jobs

    asyncio.run(_run(expire_jobs))
    sys.stdout.write("Jobs past their closing date are marked expired.\n")
    return 0


def _send_job_alerts(args: argparse.Namespace) -> int:
    if not args.daily:
        sys.stdout.write("Instant alerts are sent when each job opens; pass --daily to send the daily digests.\n")
        return 2
    from hiremebahamas.jobs.tasks import send_daily_job_alerts

    asyncio.run(_run(send_daily_job_alerts))
    sys.stdout.write("Daily job alerts sent.\n")
    return 0


def add_commands(commands: Any) -> None:
    """Register the subcommands on the main parser's subparsers."""
    expire = commands.add_parser("expire-jobs", help="mark open jobs past their closing date as expired")
    expire.set_defaults(handler=_expire_jobs)
    alerts = commands.add_parser("send-job-alerts", help="email job alerts (the daily digests)")
    alerts.add_argument("--daily", action="store_true", help="send today's digests of daily alerts")
    alerts.set_defaults(handler=_send_job_alerts)
