"""Sign-in throttling that a stranger cannot turn against an account's owner.

- Per account and source address: LOGIN_MAX_FAILURES failures lock that pair for
  LOGIN_LOCKOUT_SECONDS. Whoever guesses from one address locks out only themselves; the owner
  signing in from anywhere else is not held up. A success from the pair forgets its failures.
- Per account, from every address together: LOGIN_ACCOUNT_MAX_FAILURES failures within an hour
  (a campaign spread over many addresses, each below the pair limit) stop password sign-in to
  the account for everyone until that hour is over. The owner is never stuck behind it: a
  password reset proves control of the inbox and lifts every lock of the account.
- Keys are made from the email whether or not an account has it, and every lock gets the same
  kind of answer, so a lockout never tells which emails are registered.

A reset cannot list the pair keys of every address that failed; instead those keys carry a
per-account generation that the reset replaces, which orphans them all at once.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass

from hiremebahamas.config import Settings
from hiremebahamas.core import security
from hiremebahamas.core.cache import KeyValueStore
from hiremebahamas.core.errors import RateLimited

ACCOUNT_WINDOW_SECONDS = 3600


def locked(retry_after: int) -> RateLimited:
    minutes = max(1, math.ceil(retry_after / 60))
    message = (
        f"Too many failed sign-in attempts. For your security, try again in {minutes} minutes or reset your password."
    )
    return RateLimited(message, retry_after=retry_after)


def _account_id(email: str) -> str:
    return security.hash_token(email)


def _generation_key(account: str) -> str:
    return f"login-generation:{account}"


@dataclass(frozen=True)
class LoginAttempt:
    """The throttling keys of one sign-in attempt: `email` (normalised) from address `ip`."""

    store: KeyValueStore
    settings: Settings
    account_failures_key: str
    pair_failures_key: str
    pair_lock_key: str

    @classmethod
    async def start(cls, store: KeyValueStore, settings: Settings, email: str, ip: str) -> LoginAttempt:
        account = _account_id(email)
        generation = await store.get(_generation_key(account)) or "0"
        pair = f"{account}:{generation}:{security.hash_token(ip)}"
        return cls(store, settings, f"login-account-failures:{account}", f"login-failures:{pair}", f"login-lock:{pair}")

    async def check(self) -> None:
        """Raise RateLimited while this pair or the whole account is locked."""
        if await self.store.get(self.pair_lock_key) is not None:
            raise locked(await self.store.ttl(self.pair_lock_key))
        account_failures = int(await self.store.get(self.account_failures_key) or 0)
        if account_failures >= self.settings.login_account_max_failures:
            raise locked(await self.store.ttl(self.account_failures_key))

    async def failed(self) -> None:
        """Count a wrong password; raise RateLimited when this failure locks the pair."""
        await self.store.incr(self.account_failures_key, ACCOUNT_WINDOW_SECONDS)
        lockout = self.settings.login_lockout_seconds
        if await self.store.incr(self.pair_failures_key, lockout) >= self.settings.login_max_failures:
            await self.store.set(self.pair_lock_key, "1", lockout)
            await self.store.delete(self.pair_failures_key)
            raise locked(lockout)

    async def succeeded(self) -> None:
        await self.store.delete(self.pair_failures_key)


async def lift_locks(store: KeyValueStore, settings: Settings, email: str) -> None:
    """Forget every failure and lock of the account `email`, from every address."""
    account = _account_id(email)
    # Outlives every pair key made before it: when it expires and generation "0" is used again,
    # no key of that generation is left.
    ttl = 2 * max(settings.login_lockout_seconds, ACCOUNT_WINDOW_SECONDS)
    await store.set(_generation_key(account), secrets.token_hex(8), ttl)
    await store.delete(f"login-account-failures:{account}")
