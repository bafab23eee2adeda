"""Billing fixtures: the webhook secret of the test settings, and the Stripe fake with an app
configured to use it (Stripe mode) next to the default app (embedded mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from hiremebahamas.app import create_app
from hiremebahamas.billing.signing import webhook_secret
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from tests.billing.stripe_fake import API_KEY, StripeFake
from tests.conftest import fresh_runtime, make_settings

STRIPE_WEBHOOK_SECRET = "whsec_test_0123456789abcdef"


@pytest.fixture
def secret(settings: Settings) -> str:
    value = webhook_secret(settings)
    assert value is not None
    return value


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[StripeFake]:
    fake = StripeFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_fake(stripe_server: StripeFake) -> StripeFake:
    stripe_server.reset()
    return stripe_server


@pytest.fixture
def stripe_settings(settings: Settings, stripe_fake: StripeFake) -> Settings:
    return make_settings(
        database_url=settings.database_url,
        var_dir=settings.var_dir,
        stripe_secret_key=API_KEY,
        stripe_webhook_secret=STRIPE_WEBHOOK_SECRET,
        stripe_api_base=stripe_fake.url,
    )


@pytest.fixture
async def stripe_runtime(stripe_settings: Settings) -> AsyncIterator[Runtime]:
    async with fresh_runtime(stripe_settings) as runtime:
        yield runtime


@pytest.fixture
async def stripe_client(stripe_settings: Settings, stripe_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app: Any = create_app(stripe_settings, stripe_runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client
