"""The `smoke` command: run the checks in order and print a pass/fail table (exit status 1 when
any fails)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from websockets.exceptions import WebSocketException

from hiremebahamas.smoke.checks import Failed, Result, Skipped, Smoke
from hiremebahamas.smoke.flow import SignedInFlow

STAFF_TOKEN_VARIABLE = "SMOKE_STAFF_TOKEN"  # noqa: S105 - the variable's name, not a token


async def _outcome(name: str, check: Callable[[], Awaitable[str]]) -> Result:
    started = time.perf_counter()
    try:
        detail = await check()
    except Skipped as skipped:
        return Result(name, "skip", str(skipped))
    except Failed as failed:
        return Result(name, "fail", str(failed))
    except (httpx.HTTPError, WebSocketException, OSError, ValueError, KeyError, TimeoutError) as exc:
        return Result(name, "fail", f"{type(exc).__name__}: {exc}")
    return Result(name, "pass", f"{detail} ({(time.perf_counter() - started) * 1000:.0f} ms)")


async def run(
    base_url: str, *, request_seconds: float = 15.0, staff_token: str | None = None, email_domain: str = "example.com"
) -> list[Result]:
    """Every check, in order; each one's failure is reported, not raised. With a staff token,
    the signed-in flow follows the public checks."""
    async with httpx.AsyncClient(timeout=request_seconds, follow_redirects=False) as client:
        checks = Smoke(base_url, client).checks()
        if staff_token:
            checks += SignedInFlow(base_url, client, staff_token, email_domain).checks()
        return [await _outcome(name, check) for name, check in checks]


def table(results: list[Result]) -> str:
    width = max(len(result.check) for result in results)
    lines = [f"{result.check:<{width}}  {result.outcome.upper():<4}  {result.detail}" for result in results]
    failed = sum(1 for result in results if result.outcome == "fail")
    lines.append(
        f"{len(results) - failed} of {len(results)} checks did not fail" + (f"; {failed} FAILED" if failed else "")
    )
    return "\n".join(lines)


def command(args: argparse.Namespace) -> int:
    token = os.environ.get(STAFF_TOKEN_VARIABLE) if args.signed_in else None
    if args.signed_in and not token:
        sys.stderr.write(f"--signed-in needs an admin's access token in {STAFF_TOKEN_VARIABLE}\n")
        return 2
    results = asyncio.run(
        run(args.url, request_seconds=args.timeout, staff_token=token, email_domain=args.email_domain)
    )
    sys.stdout.write(table(results) + "\n")
    return 1 if any(result.outcome == "fail" for result in results) else 0


def add_commands(commands: Any) -> None:
    """Register the subcommand on the main parser's subparsers."""
    smoke = commands.add_parser("smoke", help="check a deployed instance from outside: a pass/fail table")
    smoke.add_argument("url", help="the instance's public address, e.g. https://www.hiremebahamas.com")
    smoke.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    smoke.add_argument(
        "--signed-in",
        action="store_true",
        help=f"also a member's whole path with two throwaway accounts, deleted at the end ({STAFF_TOKEN_VARIABLE}: "
        "an admin's access token)",
    )
    smoke.add_argument(
        "--email-domain", default="example.com", help="the throwaway accounts' email domain (default example.com)"
    )
    smoke.set_defaults(handler=command)
