"""`hiremebahamas seed-tiers` and `hiremebahamas stripe-sync` from the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from hiremebahamas.billing.cli import seed, stripe_sync
from hiremebahamas.billing.tiers import SEED, load_tiers
from hiremebahamas.cli import main
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Tier
from tests.billing.stripe_fake import StripeFake


async def test_seed_tiers_is_idempotent_and_resets_edits(settings: Settings, runtime: Runtime) -> None:
    assert await seed(settings) == ["created free", "created pro", "created business"]
    assert await seed(settings) == []
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(Tier).where(Tier.code == "pro").values(monthly_price_cents=1))
    assert await seed(settings) == ["updated pro"]
    async with runtime.database.sessionmaker() as session:
        assert await load_tiers(session) == list(SEED)
        assert len((await session.execute(select(Tier))).scalars().all()) == 3


async def test_operators_edits_are_what_the_plans_say(settings: Settings, runtime: Runtime) -> None:
    await seed(settings)
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(Tier).where(Tier.code == "free").values(posts_per_month=8))
    async with runtime.database.sessionmaker() as session:
        free = (await load_tiers(session))[0]
    assert free.posts_per_month == 8


async def test_stripe_sync_from_the_database(
    stripe_settings: Settings, runtime: Runtime, stripe_fake: StripeFake
) -> None:
    lines = await stripe_sync(stripe_settings)
    assert len(lines) == 6
    assert sorted(p["lookup_key"] for p in stripe_fake.prices.values()) == [
        "business_annual",
        "business_monthly",
        "pro_annual",
        "pro_monthly",
    ]


def test_stripe_sync_needs_a_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.chdir("/")  # no .env
    assert main(["stripe-sync"]) == 2
    assert "STRIPE_SECRET_KEY is not set" in capsys.readouterr().err
