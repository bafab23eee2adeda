"""Usernames: the URL-safe public handle of every account."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import User

MIN_LENGTH, MAX_LENGTH = 3, 30
# Letters, digits and single inner hyphens; capitals are taken and stored lower-case. Also the
# API schema's statement of the rule, so ASCII only: "K" (the Kelvin sign) lower-cases to "k".
PATTERN = "^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$"
_PATTERN = re.compile(PATTERN)
# Words that would read as the site itself, or collide with its paths.
RESERVED = frozenset(
    {
        "admin", "administrator", "api", "me", "settings", "account", "login", "logout", "register",
        "support", "help", "hiremebahamas", "jobs", "talent", "feed", "companies", "static", "dev",
        "pricing", "moderator", "staff", "root", "system", "null", "undefined",
    }
)  # fmt: skip


def username_problem(username: str) -> str | None:
    if not MIN_LENGTH <= len(username) <= MAX_LENGTH:
        return f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."
    if not _PATTERN.match(username):
        return "Use lower-case letters, digits and single hyphens; start and end with a letter or digit."
    if is_reserved(username):
        return RESERVED_MESSAGE
    return None


RESERVED_MESSAGE = "That username is reserved. Choose another."


def is_reserved(username: str) -> bool:
    return username.lower() in RESERVED


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())).strip("-")


async def is_taken(session: AsyncSession, username: str) -> bool:
    return (await session.execute(select(User.id).where(User.username == username))).first() is not None


async def suggest_username(session: AsyncSession, first_name: str, last_name: str) -> str:
    """`ann-rolle`, or `ann-rolle-4821` when that is taken or reserved."""
    base = slugify(f"{first_name} {last_name}")[: MAX_LENGTH - 5].strip("-")
    if len(base) < MIN_LENGTH:
        base = "member"
    candidate = base
    while username_problem(candidate) is not None or await is_taken(session, candidate):
        candidate = f"{base}-{secrets.randbelow(9000) + 1000}"
    return candidate
