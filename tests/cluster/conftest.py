"""One real cluster (tests/cluster/harness.py) for all the fault tests, and what they share:
the cluster's settings on the primary directly (to write subjects and check results) and
signed-in members.

Slow: `make test-cluster`, its own CI step, not `make test`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from bench.server import command

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime, create_runtime
from tests.billing.factories import grant_tier
from tests.billing.stripe_fake import API_KEY, StripeFake
from tests.cluster.harness import DATABASE, Cluster, start_cluster
from tests.conftest import make_settings
from tests.factories import add_user, sign_in

# Shorter than deployed, so that a fault test sees a replica leave and rejoin the rotation, and
# a dead worker's tasks run again, in seconds rather than minutes.
CLUSTER_SETTINGS = {
    "DATABASE_REPLICA_MAX_LAG_SECONDS": "1",
    "DATABASE_REPLICA_CHECK_SECONDS": "0.5",
    "WORKER_JOB_TIMEOUT_SECONDS": "10",
}


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    # Stripe, as deployed, is the local stand-in for its API (production never offers the
    # embedded checkout).
    stripe = StripeFake().start()
    billing = {
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": "whsec_cluster_0123456789abcdef",
        "STRIPE_API_BASE": stripe.url,
    }
    try:
        started = start_cluster(tmp_path_factory.mktemp("cluster"), settings=CLUSTER_SETTINGS | billing)
        try:
            # The plans' prices in Stripe, as the operator creates them after a deploy.
            command(
                {**started.env, "DATABASE_URL": started.primary.dsn(DATABASE)}, started.work, "stripe-sync", timeout=60
            )
            yield started
        finally:
            started.stop()
    finally:
        stripe.stop()


def cluster_settings(cluster: Cluster, **overrides: object) -> Settings:
    """The cluster's own secrets, on the primary directly: what the tests write and read."""
    settings: Settings = make_settings(
        database_url=cluster.primary.url(DATABASE),
        secret_key=cluster.env["SECRET_KEY"],
        jwt_secret_key=cluster.env["JWT_SECRET_KEY"],
        access_token_ttl_seconds=3600,
        **overrides,
    )
    return settings


@pytest.fixture
async def runtime(cluster: Cluster) -> AsyncIterator[Runtime]:
    opened = create_runtime(cluster_settings(cluster))
    yield opened
    await opened.close()


async def signed_in(runtime: Runtime, name: str, tier: str | None = None) -> tuple[str, dict[str, str]]:
    """A new member's username and bearer header (on `tier`, when given)."""
    async with runtime.database.sessionmaker.begin() as session:
        unique = f"{name}-{uuid.uuid4().hex[:8]}"
        user = await add_user(session, email=f"{unique}@example.com", username=unique)
        login = await sign_in(session, runtime.settings, user)
    if tier is not None:
        await grant_tier(runtime, user.id, tier)
    return user.username, {"Authorization": f"Bearer {login.tokens.access_token}"}
