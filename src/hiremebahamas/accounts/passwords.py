"""Password rules: long enough, not the email, not a common password."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

MIN_LENGTH = 10
# argon2 hashes any length, but a cap keeps a single request cheap.
MAX_LENGTH = 256


@cache
def _common_passwords() -> frozenset[str]:
    text = files("hiremebahamas.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str, email: str) -> str | None:
    """Why `password` is not acceptable for the account `email`, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.strip().lower()
    email = email.strip().lower()
    if lowered in {email, email.split("@", 1)[0]}:
        return "Your password must not be your email address."
    if lowered in _common_passwords():
        return "That password is too common. Choose something harder to guess."
    return None
