"""`hiremebahamas smoke URL --signed-in` against the cluster: each instance, as deployed (gunicorn,
PgBouncer, a replica, Redis, the worker), passes the whole signed-in flow and deletes its
throwaway accounts."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from hiremebahamas.accounts.service import ClientInfo, start_session
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import StaffRole, User
from hiremebahamas.smoke.command import run
from tests.cluster.harness import Cluster
from tests.factories import add_user

pytestmark = pytest.mark.cluster


async def test_the_signed_in_smoke_flow_passes_on_each_instance(cluster: Cluster, runtime: Runtime) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        unique = f"smoke-admin-{uuid.uuid4().hex[:8]}"
        admin = await add_user(session, email=f"{unique}@example.com", username=unique, staff_role=StaffRole.ADMIN)
        # As the operator signs in: confirmed with a code (STAFF_REQUIRE_TOTP is on as deployed).
        login = await start_session(session, runtime.settings, admin, ClientInfo(), second_factor=True)
        token = login.tokens.access_token
    for url in cluster.urls:
        results = await run(url, staff_token=token)
        outcomes = {result.check: (result.outcome, result.detail) for result in results}
        assert not [(check, detail) for check, (outcome, detail) in outcomes.items() if outcome == "fail"]
        assert outcomes["message, live"][0] == "pass"
        # Stripe's checkout page needs a browser: the session is opened, and said so.
        assert outcomes["subscribe"][0] == "skip"
        assert "Stripe checkout opened" in outcomes["subscribe"][1]
    async with runtime.database.sessionmaker() as session:
        made = User.email.like("smoke-%-_@example.com")
        count = select(func.count()).where(made)
        assert (await session.execute(count)).scalar_one() == 2 * len(cluster.urls)
        # Every throwaway account is on its way out (erased after the grace period).
        assert (await session.execute(count.where(User.deletion_due_at.is_(None)))).scalar_one() == 0
