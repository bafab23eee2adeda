"""`hiremebahamas demo-data`: fill the configured database with demo accounts and activity."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from hiremebahamas.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from hiremebahamas.demo.sizes import PRESETS

_DESCRIPTION = f"""\
Fill the configured database (DATABASE_URL) with realistic demo data: seekers and employers,
profiles, companies with logos, jobs, applications, follows, posts, likes, comments, messages,
notifications and subscriptions on every plan. The same --seed on an empty database gives the
same data.

Every demo account signs in as <username>@{DEMO_EMAIL_DOMAIN} with the password
"{DEMO_PASSWORD}". That password is public: these accounts must never exist in production,
and the command refuses to run with ENVIRONMENT=production. It also refuses a database that
already has users unless --append is given.
"""
_OVERRIDES = ("users", "posts", "jobs", "applications", "messages", "follows", "likes", "comments")


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from hiremebahamas.cli import migrate
    from hiremebahamas.config import Settings
    from hiremebahamas.demo.loader import DemoRefused, load_demo_data, print_summary

    settings = Settings()
    sizes = PRESETS[args.size].with_overrides(**{name: getattr(args, name) for name in _OVERRIDES})
    if sizes.users < 10:
        sys.stderr.write("Use at least 10 users.\n")
        return 2
    if args.migrate:
        migrate(settings)
    try:
        result = asyncio.run(load_demo_data(settings, sizes, seed=args.seed, append=args.append))
    except DemoRefused as refusal:
        sys.stderr.write(f"{refusal}\n")
        return 1
    print_summary(Console(), result)
    sys.stdout.write(f"Sign in as any demo user, e.g. demo-seeker@{DEMO_EMAIL_DOMAIN}, password {DEMO_PASSWORD!r}.\n")
    return 0


def add_commands(commands: Any) -> None:
    """Register the subcommand on the main parser's subparsers."""
    demo = commands.add_parser(
        "demo-data",
        help="fill the database with demo data (never in production)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--size", choices=list(PRESETS), default="small", help="preset (default: small)")
    demo.add_argument("--seed", type=int, default=242, help="random seed (default: 242)")
    demo.add_argument("--append", action="store_true", help="add to a database that already has users")
    demo.add_argument("--migrate", action="store_true", help="upgrade the database schema first")
    for name in _OVERRIDES:
        demo.add_argument(f"--{name}", type=int, default=None, metavar="N", help=f"{name} instead of the preset's")
    demo.set_defaults(handler=_run)
