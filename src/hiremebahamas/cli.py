"""`hiremebahamas` command line: serve, worker, migrate, create-admin, grant-role, revoke-role, generate-secret,
seed-tiers, stripe-sync, demo-data."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config

from hiremebahamas.analytics import cli as analytics_cli
from hiremebahamas.billing import cli as billing_cli
from hiremebahamas.config import Settings, generate_secret
from hiremebahamas.demo import cli as demo_cli
from hiremebahamas.jobs import cli as jobs_cli
from hiremebahamas.smoke import command as smoke
from hiremebahamas.staff import cli as staff_cli

if TYPE_CHECKING:
    from hiremebahamas.core.tasks import TaskRegistry

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(settings: Settings) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["settings"] = settings
    return config


def migrate(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings), revision)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = Settings()
    if args.migrate:
        migrate(settings)
    # The app builds its own Settings: --host/--port reach it (and a BASE_URL left unset) this way.
    os.environ.update(HOST=args.host or settings.host, PORT=str(args.port or settings.port))
    uvicorn.run(
        "hiremebahamas.app:create_app",
        factory=True,
        host=os.environ["HOST"],
        port=int(os.environ["PORT"]),
        reload=args.reload,
        loop="uvloop",
        http="httptools",
        proxy_headers=False,  # client IPs come from TRUSTED_PROXIES, see core/clientip.py
        access_log=False,
        log_config=None,
        server_header=False,  # no need to tell the world which server (and version) answers
    )
    return 0


def worker_tasks() -> TaskRegistry:
    """Every task a web process queues for the worker, and the periodic jobs."""
    from hiremebahamas.accounts import tasks as accounts_tasks
    from hiremebahamas.analytics import tasks as analytics_tasks
    from hiremebahamas.billing import tasks as billing_tasks
    from hiremebahamas.core.email import send_email
    from hiremebahamas.core.tasks import TaskRegistry
    from hiremebahamas.jobs import tasks as jobs_tasks
    from hiremebahamas.lifecycle import tasks as lifecycle_tasks
    from hiremebahamas.messaging import tasks as messaging_tasks
    from hiremebahamas.notifications import tasks as notifications_tasks
    from hiremebahamas.posts import tasks as posts_tasks
    from hiremebahamas.privacy import tasks as privacy_tasks
    from hiremebahamas.profiles import tasks as profiles_tasks
    from hiremebahamas.staff import tasks as staff_tasks
    from hiremebahamas.uploads import tasks as uploads_tasks

    registry = TaskRegistry()
    registry.add(send_email)
    domains = (
        accounts_tasks,
        analytics_tasks,
        billing_tasks,
        jobs_tasks,
        lifecycle_tasks,
        messaging_tasks,
        notifications_tasks,
        posts_tasks,
        privacy_tasks,
        profiles_tasks,
        staff_tasks,
        uploads_tasks,
    )
    for domain in domains:
        domain.register(registry)
    return registry


def _worker(args: argparse.Namespace) -> int:
    """Run background tasks from Redis until SIGTERM/SIGINT (see core/worker.py)."""
    from hiremebahamas.core.observability import configure_logging
    from hiremebahamas.core.worker import create_worker

    settings = Settings()
    configure_logging(settings)
    if not settings.redis_url:
        print("REDIS_URL is not set: without Redis, tasks run inside the web process.", file=sys.stderr)
        return 2
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_host)  # task failures, for Prometheus
    asyncio.set_event_loop(asyncio.new_event_loop())  # arq's Worker binds to the current loop
    create_worker(settings, worker_tasks(), burst=args.burst).run()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    migrate(Settings(), args.revision)
    return 0


async def _create_admin(email: str, password: str, first_name: str, last_name: str) -> str:
    from hiremebahamas.accounts import passwords
    from hiremebahamas.accounts.service import find_user_by_email, normalise_email
    from hiremebahamas.accounts.usernames import suggest_username
    from hiremebahamas.core import audit, security
    from hiremebahamas.core.db import Database
    from hiremebahamas.core.email import create_email_sender
    from hiremebahamas.core.tasks import InProcessTaskRunner, TaskContext
    from hiremebahamas.models import AccountType, StaffRole, User
    from hiremebahamas.models.base import utcnow

    settings = Settings()
    database = Database(settings)
    runner = InProcessTaskRunner(TaskContext(settings, database, create_email_sender(settings)))
    try:
        async with database.unit_of_work(runner) as session:
            user = await find_user_by_email(session, email)
            if user is not None:
                before = user.staff_role.value if user.staff_role else None
                user.staff_role = StaffRole.ADMIN
                after = {"staff_role": StaffRole.ADMIN.value}
                audit.record(
                    session, None, "user.grant_role", "user", user.id, before={"staff_role": before}, after=after
                )
                return f"{user.email} is now an admin."
            problem = passwords.password_problem(password, email)
            if problem:
                raise SystemExit(f"Password not accepted: {problem}")
            admin = User(
                email=normalise_email(email),
                username=await suggest_username(session, first_name, last_name),
                password_hash=await security.hash_password_off_loop(password),
                first_name=first_name,
                last_name=last_name,
                account_type=AccountType.EMPLOYER,
                staff_role=StaffRole.ADMIN,
                email_verified_at=utcnow(),
            )
            session.add(admin)
            await session.flush()
            audit.record(session, None, "user.create_admin", "user", admin.id, after={"staff_role": "admin"})
            return f"Admin {normalise_email(email)} created."
    finally:
        await database.dispose()


def _create_admin_command(args: argparse.Namespace) -> int:
    password = os.environ.get("ADMIN_PASSWORD") or ""
    if not password and sys.stdin.isatty():
        password = getpass.getpass("Password for the new admin (ignored if the account exists): ")
    print(asyncio.run(_create_admin(args.email, password, args.first_name, args.last_name)))
    return 0


def _check_sentry(_args: argparse.Namespace) -> int:
    """Send one test exception to SENTRY_DSN and wait for it to leave."""
    import sentry_sdk

    from hiremebahamas.core.observability import init_sentry

    settings = Settings()
    if not settings.sentry_dsn:
        print("SENTRY_DSN is not set.", file=sys.stderr)
        return 1
    init_sentry(settings)
    try:
        raise RuntimeError("Test Sentry integration (hiremebahamas check-sentry)")
    except RuntimeError as error:
        event_id = sentry_sdk.capture_exception(error)
    sentry_sdk.flush(timeout=10)
    print(f"Sent event {event_id} to Sentry.")
    return 0


def _clean_uploads(_args: argparse.Namespace) -> int:
    from hiremebahamas.core.db import Database
    from hiremebahamas.uploads.cleanup import clean_uploads

    async def run() -> int:
        settings = Settings()
        database = Database(settings)
        try:
            return await clean_uploads(settings, database)
        finally:
            await database.dispose()

    print(f"Deleted {asyncio.run(run())} unattached uploads.")
    return 0


def _generate_secret(_args: argparse.Namespace) -> int:
    print(generate_secret())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hiremebahamas", description="HireMeBahamas service commands.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web server (uvicorn)")
    serve.add_argument("--host", default=None, help="default: HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: PORT or 8000")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    serve.add_argument("--migrate", action="store_true", help="upgrade the database before serving")
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", help="run background tasks from Redis (arq)")
    worker.add_argument("--burst", action="store_true", help="run what is queued, then exit")
    worker.add_argument("--metrics-port", type=int, default=None, help="serve /metrics on this port")
    worker.add_argument("--metrics-host", default="127.0.0.1")
    worker.set_defaults(handler=_worker)

    migrate_cmd = commands.add_parser("migrate", help="upgrade the database schema")
    migrate_cmd.add_argument("revision", nargs="?", default="head")
    migrate_cmd.set_defaults(handler=_migrate)

    admin = commands.add_parser("create-admin", help="create an admin, or make an existing account one")
    admin.add_argument("--email", required=True)
    admin.add_argument("--first-name", default="Site")
    admin.add_argument("--last-name", default="Admin")
    admin.set_defaults(handler=_create_admin_command)

    clean = commands.add_parser("clean-uploads", help="delete pictures nothing has used for a day")
    clean.set_defaults(handler=_clean_uploads)

    sentry = commands.add_parser("check-sentry", help="send a test exception to SENTRY_DSN")
    sentry.set_defaults(handler=_check_sentry)

    secret = commands.add_parser("generate-secret", help="print a random value for SECRET_KEY / JWT_SECRET_KEY")
    secret.set_defaults(handler=_generate_secret)
    jobs_cli.add_commands(commands)
    billing_cli.add_commands(commands)
    demo_cli.add_commands(commands)
    staff_cli.add_commands(commands)
    analytics_cli.add_commands(commands)
    smoke.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
