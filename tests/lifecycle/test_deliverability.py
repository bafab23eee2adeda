"""SendGrid's Event Webhook: ECDSA signatures checked with the configured public key; hard
bounces and spam complaints stop every email that can be turned off to that address, never the
ones a person needs (billing, password reset)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from sqlalchemy import select

from hiremebahamas.app import create_app
from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.lifecycle.tasks import send_welcome_sequences
from hiremebahamas.models import EmailSuppression, SuppressionReason
from hiremebahamas.notifications.service import notify
from tests.conftest import fresh_runtime, make_settings
from tests.helpers import emails_to
from tests.jobs.conftest import person

PRIVATE_KEY = ec.generate_private_key(ec.SECP256R1())
PUBLIC_KEY = base64.b64encode(
    PRIVATE_KEY.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
).decode()


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return make_settings(database_url=database_url, var_dir=tmp_path / "var", sendgrid_webhook_public_key=PUBLIC_KEY)


@pytest.fixture
async def signed_client(own_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=own_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _headers(
    payload: bytes, key: ec.EllipticCurvePrivateKey = PRIVATE_KEY, timestamp: str = "1764620000"
) -> dict[str, str]:
    signature = key.sign(timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


async def _deliver(client: httpx.AsyncClient, events: list[dict[str, Any]]) -> httpx.Response:
    payload = json.dumps(events).encode()
    return await client.post("/api/email/events", content=payload, headers=_headers(payload))


async def _suppressed(runtime: Runtime) -> dict[str, SuppressionReason]:
    async with runtime.database.sessionmaker() as session:
        return {row.email: row.reason for row in (await session.execute(select(EmailSuppression))).scalars()}


async def test_hard_bounces_and_complaints_are_suppressed(signed_client: httpx.AsyncClient, runtime: Runtime) -> None:
    events: list[dict[str, Any]] = [
        {"email": "Gone@Example.com", "event": "bounce", "type": "bounce", "reason": "550 5.1.1 no such user"},
        {"email": "angry@example.com", "event": "spamreport"},
        {"email": "full@example.com", "event": "bounce", "type": "blocked"},  # soft: SendGrid retries
        {"email": "fine@example.com", "event": "delivered"},
        {"email": 42, "event": "bounce"},
        {"event": "spamreport"},
    ]
    response = await _deliver(signed_client, events)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "suppressed": 2}
    again = await _deliver(signed_client, events)  # SendGrid delivers again: nothing new
    assert again.status_code == 200
    assert await _suppressed(runtime) == {
        "gone@example.com": SuppressionReason.BOUNCE,
        "angry@example.com": SuppressionReason.COMPLAINT,
    }


@pytest.mark.parametrize(
    "tamper",
    ["other key", "changed body", "changed timestamp", "not base64", "no signature", "no timestamp"],
)
async def test_an_unverified_delivery_is_refused(
    signed_client: httpx.AsyncClient, runtime: Runtime, tamper: str
) -> None:
    payload = json.dumps([{"email": "gone@example.com", "event": "bounce"}]).encode()
    headers = _headers(payload)
    if tamper == "other key":
        headers = _headers(payload, ec.generate_private_key(ec.SECP256R1()))
    elif tamper == "changed body":
        payload = payload.replace(b"gone", b"went")
    elif tamper == "changed timestamp":
        headers["X-Twilio-Email-Event-Webhook-Timestamp"] = "1764620001"
    elif tamper == "not base64":
        headers["X-Twilio-Email-Event-Webhook-Signature"] = "%%%"
    else:
        headers.pop(f"X-Twilio-Email-Event-Webhook-{tamper.split()[1].capitalize()}")
    response = await signed_client.post("/api/email/events", content=payload, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid_signature", "bad_request")
    assert await _suppressed(runtime) == {}


@pytest.mark.parametrize(
    "body", [b"not json", b'{"email": "a@b.c"}', b"[1, 2]", b"[" + b'{"event":"x"},' * 1000 + b"{}]"]
)
async def test_a_signed_body_that_is_not_events_is_refused(signed_client: httpx.AsyncClient, body: bytes) -> None:
    response = await signed_client.post("/api/email/events", content=body, headers=_headers(body))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


async def test_without_a_key_the_webhook_is_off(runtime: Runtime) -> None:
    plain = make_settings(database_url=runtime.settings.database_url, var_dir=runtime.settings.var_dir)
    async with fresh_runtime(plain) as own:
        transport = httpx.ASGITransport(app=create_app(plain, own))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            payload = b"[]"
            response = await client.post("/api/email/events", content=payload, headers=_headers(payload))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "webhook_not_configured"


async def test_a_suppressed_address_gets_only_what_it_needs(signed_client: httpx.AsyncClient, runtime: Runtime) -> None:
    gone = await person(runtime, "gone@example.com", first_name="Gus")
    other = await person(runtime, "other@example.com", first_name="Ola")
    await _deliver(signed_client, [{"email": "gone@example.com", "event": "bounce"}])
    await send_welcome_sequences(runtime.tasks.context)
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        await notify(session, gone.id, "application.created", actor_id=other.id, email=_email(gone.email))
    assert await emails_to(runtime, gone.email) == []  # neither the welcome nor the notification
    assert len(await emails_to(runtime, other.email)) == 1  # the welcome
    reset = await signed_client.post("/api/auth/password-reset/request", json={"email": gone.email})
    assert reset.status_code == 202
    (needed,) = await emails_to(runtime, gone.email)
    assert "password" in str(needed["Subject"]).lower()


def _email(to: str) -> OutgoingEmail:
    return OutgoingEmail(to=to, subject="New application", text="Ann applied.")
