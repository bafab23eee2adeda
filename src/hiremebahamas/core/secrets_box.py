"""Secrets the app must read back (a TOTP secret), kept encrypted at rest: Fernet (AES and an
HMAC) with a key derived from SECRET_KEY, so a copy of the database alone does not reveal them;
and keyed fingerprints of short secrets (recovery codes). Both also accept what was made with a
key in PREVIOUS_SECRET_KEYS, so SECRET_KEY can be rotated (docs/operations.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hiremebahamas.config import Settings


class Unreadable(Exception):
    """Encrypted with another key, or damaged."""


def _keys(settings: Settings) -> list[str]:
    return [settings.secret_key, *settings.previous_secret_keys]


def _box(secret_key: str, purpose: str) -> Fernet:
    key = hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(settings: Settings, purpose: str, plaintext: str) -> str:
    return _box(settings.secret_key, purpose).encrypt(plaintext.encode()).decode()


def unseal(settings: Settings, purpose: str, sealed: str) -> str:
    try:
        box = MultiFernet([_box(key, purpose) for key in _keys(settings)])
        return box.decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise Unreadable(purpose) from exc


def unseal_current(settings: Settings, purpose: str, sealed: str) -> tuple[str, str]:
    """What `sealed` holds, and `sealed` as the current key seals it: itself, or sealed again
    when an older key made it (each opened once)."""
    try:
        return _box(settings.secret_key, purpose).decrypt(sealed.encode()).decode(), sealed
    except InvalidToken:
        plaintext = unseal(settings, purpose, sealed)
    return plaintext, seal(settings, purpose, plaintext)


def _fingerprint(secret_key: str, purpose: str, value: str) -> str:
    return hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def keyed_hash(settings: Settings, purpose: str, value: str) -> str:
    """A short secret's fingerprint that a stolen database cannot be searched for offline."""
    return _fingerprint(settings.secret_key, purpose, value)


def keyed_hashes(settings: Settings, purpose: str, value: str) -> list[str]:
    """Its fingerprints under the current key and every previous one, to look it up by."""
    return [_fingerprint(key, purpose, value) for key in _keys(settings)]
