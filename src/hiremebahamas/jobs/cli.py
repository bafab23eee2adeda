"""Command-line entry points of the marketplace's periodic work, for cron or one-off runs:
`hiremebahamas expire-jobs` and `hiremebahamas send-job-alerts --daily`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any


async def _run(task_name: str) -> None:
    from hiremebahamas.config import Settings
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import create_email_sender
    from hiremebahamas.core.tasks import REGISTRY, TaskContext
    from hiremebahamas.jobs import tasks  # noqa: F401 - registers the task functions

    settings = Settings()
    database = Database(settings)
    try:
        await REGISTRY[task_name](TaskContext(settings, database, create_email_sender(settings)))
    finally:
        await database.dispose()


def _expire_jobs(_args: argparse.Namespace) -> int:
    asyncio.run(_run("expire_jobs"))
    sys.stdout.write("Jobs past their closing date are marked expired.\n")
    return 0


def _send_job_alerts(args: argparse.Namespace) -> int:
    if not args.daily:
        sys.stdout.write("Instant alerts are sent when each job opens; pass --daily to send the daily digests.\n")
        return 2
    asyncio.run(_run("send_daily_job_alerts"))
    sys.stdout.write("Daily job alerts sent.\n")
    return 0


def add_commands(commands: Any) -> None:
    """Register the subcommands on the main parser's subparsers."""
    expire = commands.add_parser("expire-jobs", help="mark open jobs past their closing date as expired")
    expire.set_defaults(handler=_expire_jobs)
    alerts = commands.add_parser("send-job-alerts", help="email job alerts (the daily digests)")
    alerts.add_argument("--daily", action="store_true", help="send today's digests of daily alerts")
    alerts.set_defaults(handler=_send_job_alerts)
