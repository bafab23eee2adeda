"""Password hashing, random tokens, signed access tokens and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio.to_thread
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hiremebahamas.config import Settings

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when an email is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

# The browser's session cookie: accounts sets and reads it; CSRF, HTTP caching and the
# WebSocket only need to know whether a request carries it.
SESSION_COOKIE = "hmb_session"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    """argon2 takes ~20 ms of CPU on purpose: run it on a worker thread (WEB_THREADS of them),
    not on the event loop, where it would stall every other request of the process."""
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    expires_at: datetime


class InvalidToken(Exception):
    pass


def encode_access_token(settings: Settings, *, user_id: str, session_id: str) -> tuple[str, int]:
    now = datetime.now(UTC)
    ttl = settings.access_token_ttl_seconds
    payload: dict[str, Any] = {
        "sub": user_id,
        "sid": session_id,
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(seconds=ttl),
    }
    key = settings.jwt_secret_key
    token = jwt.encode(payload, key, algorithm="HS256", headers={"kid": key_id(key)})
    return token, ttl


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    """Verify with the current key or any previous one, picked by the token's `kid`."""
    keys = {key_id(k): k for k in [settings.jwt_secret_key, *settings.jwt_previous_secret_keys]}
    try:
        header = jwt.get_unverified_header(token)
        key = keys.get(str(header.get("kid")))
        if key is None:
            raise InvalidToken("unknown signing key")
        payload = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp", "sub", "sid"]})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if payload.get("typ") != "access":
        raise InvalidToken("not an access token")
    return AccessClaims(
        user_id=str(payload["sub"]),
        session_id=str(payload["sid"]),
        expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
    )


LOGIN_CHALLENGE_SECONDS = 300


def encode_login_challenge(settings: Settings, email: str) -> str:
    """What the login page carries between the password and the code: proof, for five minutes,
    that the password of `email` was right (the password itself is never sent back)."""
    now = datetime.now(UTC)
    payload = {
        "sub": email,
        "typ": "login-challenge",
        "iat": now,
        "exp": now + timedelta(seconds=LOGIN_CHALLENGE_SECONDS),
    }
    key = settings.jwt_secret_key
    return jwt.encode(payload, key, algorithm="HS256", headers={"kid": key_id(key)})


def decode_login_challenge(settings: Settings, token: str) -> str:
    """The email a challenge vouches for; InvalidToken when forged, of another kind or expired."""
    try:
        payload = jwt.decode(token, settings.jwt_secret_key, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if payload.get("typ") != "login-challenge":
        raise InvalidToken("not a login challenge")
    return str(payload["sub"])


def csrf_token_for(settings: Settings, csrf_cookie: str) -> str:
    """Signed double-submit: the form carries HMAC(secret, cookie), which a site that can plant
    cookies but does not know SECRET_KEY cannot forge."""
    return hmac.new(settings.secret_key.encode(), b"csrf:" + csrf_cookie.encode(), hashlib.sha256).hexdigest()


def csrf_token_matches(settings: Settings, csrf_cookie: str, submitted: str) -> bool:
    return hmac.compare_digest(csrf_token_for(settings, csrf_cookie), submitted)
