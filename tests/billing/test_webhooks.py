"""The Stripe webhook: signatures checked by the real SDK, each event stored once, and the same
final state whatever order the events arrive in."""

from __future__ import annotations

import itertools
import json
import logging
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hiremebahamas.app import create_app
from hiremebahamas.billing import entitlements, service
from hiremebahamas.billing.gateway import PlanUnavailable
from hiremebahamas.billing.signing import webhook_secret
from hiremebahamas.config import Environment, Settings
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.models import BillingEvent, BillingInterval, Invoice, Notification, Subscription, TierCode, User
from hiremebahamas.models.base import utcnow
from tests.billing import stripe_events as se
from tests.billing.factories import Member, member
from tests.conftest import empty_tables, make_settings

T0 = utcnow().replace(microsecond=0) - timedelta(minutes=30)
PERIOD_END = T0 + timedelta(days=30)


async def _subscription(runtime: Runtime, stripe_id: str) -> Subscription | None:
    async with runtime.database.sessionmaker() as session:
        query = select(Subscription).where(Subscription.stripe_subscription_id == stripe_id)
        return (await session.execute(query)).scalar_one_or_none()


async def _count(runtime: Runtime, model: Any, *where: Any) -> int:
    async with runtime.database.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


async def _tier(runtime: Runtime, user_id: uuid.UUID, when: Any = None) -> TierCode:
    async with runtime.database.sessionmaker() as session:
        return (await entitlements.plan_of(session, user_id, when)).tier.code


# ---------------------------------------------------------------- signatures


async def test_a_signed_event_is_accepted(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    ann = await member(runtime, "ann")
    sub = se.subscription("sub_sig1", ann.customer_id, start=T0, end=PERIOD_END)
    response = await se.deliver(client, se.event("customer.subscription.updated", sub, T0), secret)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "outcome": "applied"}
    assert await _tier(runtime, ann.id) == TierCode.PRO


async def test_a_missing_signature_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    body = json.dumps(se.event("invoice.payment_failed", {"id": "in_1"}, T0)).encode()
    response = await client.post("/api/subscriptions/webhook", content=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert await _count(runtime, BillingEvent) == 0


async def test_a_bad_signature_is_refused(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    ann = await member(runtime, "ann")
    sub = se.subscription("sub_bad", ann.customer_id, start=T0, end=PERIOD_END)
    payload = json.dumps(se.event("customer.subscription.updated", sub, T0)).encode()
    good = se.sign(payload, secret)
    attempts = {
        "wrong secret": (payload, se.sign(payload, "whsec_wrong")),
        "changed payload": (payload.replace(b"sub_bad", b"sub_bac"), good),
        "stale timestamp": (payload, se.sign(payload, secret, int(time.time()) - 301)),
        "garbled header": (payload, "t=abc,v1=00"),
        "wrong scheme": (payload, good.replace("v1=", "v0=")),
    }
    for name, (body, header) in attempts.items():
        response = await client.post("/api/subscriptions/webhook", content=body, headers={"Stripe-Signature": header})
        assert response.status_code == 400, name
        assert response.json()["error"]["code"] == "invalid_signature", name
    assert await _subscription(runtime, "sub_bad") is None
    assert await _count(runtime, BillingEvent) == 0
    ok = await client.post("/api/subscriptions/webhook", content=payload, headers={"Stripe-Signature": good})
    assert ok.status_code == 200  # the same payload, correctly signed


async def test_a_recent_timestamp_within_tolerance_is_accepted(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann = await member(runtime, "ann")
    sub = se.subscription("sub_recent", ann.customer_id, start=T0, end=PERIOD_END)
    response = await se.deliver(
        client, se.event("customer.subscription.updated", sub, T0), secret, timestamp=int(time.time()) - 240
    )
    assert response.status_code == 200


async def test_a_signed_payload_that_is_not_an_event_is_refused(client: httpx.AsyncClient, secret: str) -> None:
    for payload in (b"not json", b'{"id": "evt_1"}', b'{"id": 1, "type": "x", "created": 1, "data": {}}', b"\xff"):
        headers = {"Stripe-Signature": se.sign(payload, secret)}
        response = await client.post("/api/subscriptions/webhook", content=payload, headers=headers)
        assert response.status_code == 400, payload
        assert response.json()["error"]["code"] == "bad_request", payload


async def test_the_webhook_needs_no_csrf_token_or_session(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    """Stripe sends no cookie: a request carrying someone's session cookie (and no CSRF token)
    is still judged by its signature alone."""
    ann = await member(runtime, "ann")
    client.cookies.set("hmb_session", ann.cookie)
    sub = se.subscription("sub_csrf", ann.customer_id, start=T0, end=PERIOD_END)
    response = await se.deliver(client, se.event("customer.subscription.updated", sub, T0), secret)
    assert response.status_code == 200


# ---------------------------------------------------------------- storing once


async def test_a_repeated_delivery_is_acknowledged_and_ignored(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann = await member(runtime, "ann")
    paid = se.invoice("in_dup", ann.customer_id, "sub_dup", status="paid", amount=999, start=T0, end=PERIOD_END)
    stripe_event = se.event("invoice.payment_succeeded", paid, T0)
    first = await se.deliver(client, stripe_event, secret)
    again = await se.deliver(client, stripe_event, secret)
    assert first.json()["outcome"] == "applied"
    assert again.status_code == 200
    assert again.json() == {"received": True, "outcome": "duplicate"}
    assert await _count(runtime, BillingEvent) == 1
    assert await _count(runtime, Invoice) == 1
    notified = Notification.type == "subscription.payment_succeeded"
    assert await _count(runtime, Notification, Notification.user_id == ann.id, notified) == 1


async def test_an_unknown_customer_is_acknowledged_and_logged(
    client: httpx.AsyncClient, runtime: Runtime, secret: str, caplog: pytest.LogCaptureFixture
) -> None:
    sub = se.subscription("sub_nobody", "cus_nobody", start=T0, end=PERIOD_END)
    with caplog.at_level(logging.WARNING, logger="hiremebahamas.billing.events"):
        response = await se.deliver(client, se.event("customer.subscription.updated", sub, T0), secret)
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown_customer"
    assert await _subscription(runtime, "sub_nobody") is None
    assert any("not applied" in record.message for record in caplog.records)
    async with runtime.database.sessionmaker() as session:
        stored = await session.get(
            BillingEvent, (await session.execute(select(BillingEvent.stripe_event_id))).scalar_one()
        )
        assert stored is not None
        assert stored.outcome == "unknown_customer"


async def test_other_event_types_are_stored_and_ignored(client: httpx.AsyncClient, secret: str) -> None:
    response = await se.deliver(client, se.event("customer.created", {"id": "cus_x", "object": "customer"}, T0), secret)
    assert response.json() == {"received": True, "outcome": "ignored"}


# ---------------------------------------------------------------- any order, same result


def _state(subscription: Subscription | None, invoices: list[Invoice]) -> tuple[Any, ...]:
    assert subscription is not None
    return (
        subscription.tier,
        subscription.interval,
        subscription.status,
        subscription.current_period_end,
        subscription.cancel_at_period_end,
        tuple(sorted((invoice.stripe_invoice_id, invoice.status) for invoice in invoices)),
    )


async def _final_states(
    client: httpx.AsyncClient, runtime: Runtime, secret: str, sequence: Any
) -> dict[tuple[int, ...], tuple[Any, ...]]:
    """Apply every order of the events `sequence(person, n)` makes, each to its own person."""
    results = {}
    people: list[Member] = [await member(runtime, f"p{n}") for n in range(24)]
    for n, order in enumerate(itertools.permutations(range(4))):
        person = people[n]
        sub_id, events = sequence(person, n)
        for index in order:
            response = await se.deliver(client, events[index], secret)
            assert response.status_code == 200, response.text
        async with runtime.database.sessionmaker() as session:
            invoices = (await session.execute(select(Invoice).where(Invoice.user_id == person.id))).scalars()
            sub = (
                await session.execute(select(Subscription).where(Subscription.stripe_subscription_id == sub_id))
            ).scalar_one_or_none()
            results[order] = (_state(sub, list(invoices)), await _tier(runtime, person.id))
    return results


async def test_signing_up_ends_active_in_every_order(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    """Checkout, the subscription created incomplete, paid, then active — the last three in the
    same second, as Stripe sends them."""

    def sequence(person: Member, n: int) -> tuple[str, list[dict[str, Any]]]:
        sub_id, cus = f"sub_up{n}", person.customer_id
        return sub_id, [
            se.event("checkout.session.completed", se.checkout_session(f"cs_{n}", cus, sub_id, str(person.id)), T0),
            se.event(
                "customer.subscription.created",
                se.subscription(sub_id, cus, status="incomplete", start=T0, end=PERIOD_END),
                T0,
            ),
            se.event(
                "invoice.payment_succeeded",
                se.invoice(f"in_up{n}", cus, sub_id, status="paid", amount=999, start=T0, end=PERIOD_END),
                T0 + timedelta(seconds=1),
            ),
            se.event(
                "customer.subscription.updated",
                se.subscription(sub_id, cus, status="active", start=T0, end=PERIOD_END),
                T0 + timedelta(seconds=1),
            ),
        ]

    results = await _final_states(client, runtime, secret, sequence)
    assert len(results) == 24
    states = {(state[:5], tier) for state, tier in results.values()}
    assert states == {(("pro", "month", "active", PERIOD_END, False), TierCode.PRO)}


async def test_payment_failure_then_recovery_ends_active_in_every_order(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    renewal, next_end = PERIOD_END, PERIOD_END + timedelta(days=30)

    def sequence(person: Member, n: int) -> tuple[str, list[dict[str, Any]]]:
        sub_id, cus, invoice_id = f"sub_dun{n}", person.customer_id, f"in_dun{n}"
        return sub_id, [
            se.event(
                "customer.subscription.updated",
                se.subscription(sub_id, cus, status="past_due", start=renewal, end=next_end),
                renewal,
            ),
            se.event(
                "invoice.payment_failed",
                se.invoice(invoice_id, cus, sub_id, status="open", amount=999, start=renewal, end=next_end),
                renewal,
            ),
            se.event(
                "invoice.payment_succeeded",
                se.invoice(invoice_id, cus, sub_id, status="paid", amount=999, start=renewal, end=next_end),
                renewal + timedelta(days=3),
            ),
            se.event(
                "customer.subscription.updated",
                se.subscription(sub_id, cus, status="active", start=renewal, end=next_end),
                renewal + timedelta(days=3),
            ),
        ]

    results = await _final_states(client, runtime, secret, sequence)
    expected = ("pro", "month", "active", next_end, False, ((f"in_dun{0}", "paid"),))
    for order, (state, tier) in results.items():
        assert state[:5] == expected[:5], order
        assert [status for _, status in state[5]] == ["paid"], order
        assert tier == TierCode.PRO


async def test_cancel_reactivate_cancel_delete_ends_free_in_every_order(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    def sequence(person: Member, n: int) -> tuple[str, list[dict[str, Any]]]:
        sub_id, cus = f"sub_end{n}", person.customer_id

        def state(cancel: bool, at: int) -> dict[str, Any]:
            moment = T0 + timedelta(minutes=at)
            obj = se.subscription(sub_id, cus, start=T0, end=PERIOD_END, cancel_at_period_end=cancel)
            return se.event("customer.subscription.updated", obj, moment)

        deleted = se.subscription(
            sub_id, cus, status="canceled", start=T0, end=PERIOD_END, cancel_at_period_end=True, ended_at=PERIOD_END
        )
        return sub_id, [
            state(True, 1),
            state(False, 2),
            state(True, 3),
            se.event("customer.subscription.deleted", deleted, PERIOD_END),
        ]

    results = await _final_states(client, runtime, secret, sequence)
    assert {(state[:5], tier) for state, tier in results.values()} == {
        (("pro", "month", "canceled", PERIOD_END, True), TierCode.FREE)
    }


async def test_an_older_event_never_overwrites_a_newer_one(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann = await member(runtime, "ann")
    newer = se.subscription("sub_old", ann.customer_id, start=T0, end=PERIOD_END, cancel_at_period_end=True)
    older = se.subscription("sub_old", ann.customer_id, start=T0, end=PERIOD_END, cancel_at_period_end=False)
    await se.deliver(client, se.event("customer.subscription.updated", newer, T0 + timedelta(minutes=5)), secret)
    response = await se.deliver(client, se.event("customer.subscription.updated", older, T0), secret)
    assert response.json()["outcome"] == "stale"
    sub = await _subscription(runtime, "sub_old")
    assert sub is not None
    assert sub.cancel_at_period_end is True


# ---------------------------------------------------------------- lifecycle


async def test_payment_failure_keeps_the_tier_and_shows_a_banner_until_recovered(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann = await member(runtime, "ann")
    cus, sub_id = ann.customer_id, "sub_pd"
    active = se.subscription(sub_id, cus, start=T0, end=PERIOD_END)
    await se.deliver(client, se.event("customer.subscription.updated", active, T0), secret)
    failed = se.invoice("in_pd", cus, sub_id, status="open", amount=999, start=T0, end=PERIOD_END)
    past_due = se.subscription(sub_id, cus, status="past_due", start=T0, end=PERIOD_END)
    await se.deliver(client, se.event("invoice.payment_failed", failed, T0 + timedelta(minutes=1)), secret)
    await se.deliver(client, se.event("customer.subscription.updated", past_due, T0 + timedelta(minutes=1)), secret)

    assert await _tier(runtime, ann.id) == TierCode.PRO  # kept while Stripe retries
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert (me["tier"], me["status"]) == ("pro", "past_due")
    client.cookies.set("hmb_session", ann.cookie)
    page = await client.get("/jobs")
    assert "Your last payment failed" in page.text
    assert 'href="/account/billing/portal"' in page.text
    async with runtime.database.sessionmaker() as session:
        kinds = set((await session.execute(select(Notification.type).where(Notification.user_id == ann.id))).scalars())
    assert "subscription.payment_failed" in kinds

    paid = se.invoice("in_pd", cus, sub_id, status="paid", amount=999, start=T0, end=PERIOD_END)
    await se.deliver(client, se.event("invoice.payment_succeeded", paid, T0 + timedelta(minutes=2)), secret)
    await se.deliver(client, se.event("customer.subscription.updated", active, T0 + timedelta(minutes=2)), secret)
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert (me["tier"], me["status"]) == ("pro", "active")
    assert "Your last payment failed" not in (await client.get("/jobs")).text


async def test_canceled_keeps_the_tier_until_the_period_ends_then_free(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann = await member(runtime, "ann")
    canceled = se.subscription("sub_c", ann.customer_id, start=T0, end=PERIOD_END, cancel_at_period_end=True)
    await se.deliver(client, se.event("customer.subscription.updated", canceled, T0), secret)

    assert await _tier(runtime, ann.id) == TierCode.PRO
    assert await _tier(runtime, ann.id, PERIOD_END - timedelta(seconds=1)) == TierCode.PRO
    # Time moves past the end of the period: Free, with no event and no job needed.
    assert await _tier(runtime, ann.id, PERIOD_END) == TierCode.FREE
    assert await _tier(runtime, ann.id, PERIOD_END + timedelta(days=1)) == TierCode.FREE

    deleted = se.subscription("sub_c", ann.customer_id, status="canceled", start=T0, end=PERIOD_END)
    await se.deliver(client, se.event("customer.subscription.deleted", deleted, PERIOD_END), secret)
    assert await _tier(runtime, ann.id) == TierCode.FREE
    me = (await client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert (me["tier"], me["status"]) == ("free", "canceled")


async def test_deleted_means_free_at_once(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    ann = await member(runtime, "ann")
    active = se.subscription("sub_d", ann.customer_id, lookup_key="business_annual", start=T0, end=PERIOD_END)
    await se.deliver(client, se.event("customer.subscription.updated", active, T0), secret)
    assert await _tier(runtime, ann.id) == TierCode.BUSINESS
    deleted = se.subscription(
        "sub_d", ann.customer_id, lookup_key="business_annual", status="canceled", start=T0, end=PERIOD_END
    )
    await se.deliver(client, se.event("customer.subscription.deleted", deleted, T0 + timedelta(minutes=1)), secret)
    assert await _tier(runtime, ann.id) == TierCode.FREE
    # A late update of the dead subscription does not revive it.
    await se.deliver(client, se.event("customer.subscription.updated", active, T0 + timedelta(minutes=2)), secret)
    assert await _tier(runtime, ann.id) == TierCode.FREE


async def test_the_webhook_is_outside_the_per_client_rate_limit(settings: Settings, secret: str) -> None:
    strict = make_settings(database_url=settings.database_url, var_dir=settings.var_dir, rate_limit_api="2/minute")
    runtime = create_runtime(strict)
    try:
        app: Any = create_app(strict, runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            for n in range(4):
                stripe_event = se.event("customer.created", {"id": f"cus_{n}", "object": "customer"}, T0)
                assert (await se.deliver(client, stripe_event, secret)).status_code == 200
            # The rest of the API is limited (the directory: answers the server keeps skip the limit).
            for _ in range(2):
                await client.get("/api/talent")
            assert (await client.get("/api/talent")).status_code == 429
    finally:
        await empty_tables(runtime.database)
        await runtime.close()


async def test_production_without_stripe_has_no_embedded_checkout(settings: Settings, runtime: Runtime) -> None:
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    assert webhook_secret(production) is None
    ann = await member(runtime, "ann")
    async with runtime.database.sessionmaker() as session:
        user = await session.get(User, ann.id)
        assert user is not None
        with pytest.raises(PlanUnavailable):
            await service.start_checkout(session, production, user, TierCode.PRO, BillingInterval.MONTH)
        with pytest.raises(NotFound):
            service.local_checkout(production, user, "abc.def")
