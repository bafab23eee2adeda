"""With STRIPE_SECRET_KEY: the real `stripe` SDK talking to a local fake of Stripe's HTTP API,
and Stripe's webhook deliveries signed with STRIPE_WEBHOOK_SECRET."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
from sqlalchemy import delete, select

from hiremebahamas.billing.gateway import StripeGateway
from hiremebahamas.billing.sync import sync_stripe
from hiremebahamas.billing.tiers import SEED
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import BillingCustomer
from hiremebahamas.models.base import utcnow
from tests.billing import stripe_events as se
from tests.billing.conftest import STRIPE_WEBHOOK_SECRET
from tests.billing.factories import Member, member
from tests.billing.stripe_fake import StripeFake
from tests.helpers import page_csrf, sign_in


async def _priced(fake: StripeFake) -> None:
    for key, amount in se.PRICES.items():
        fake.add_price(key, amount, "month" if key.endswith("monthly") else "year", "hmb_" + key.split("_")[0])


async def _without_customer(runtime: Runtime, name: str) -> Member:
    person = await member(runtime, name)
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(delete(BillingCustomer).where(BillingCustomer.user_id == person.id))
    return person


async def test_checkout_creates_one_customer_and_a_subscription_session(
    stripe_client: httpx.AsyncClient, stripe_runtime: Runtime, stripe_fake: StripeFake
) -> None:
    await _priced(stripe_fake)
    ann = await _without_customer(stripe_runtime, "ann")
    body = {"tier": "pro", "interval": "year"}
    response = await stripe_client.post("/api/subscriptions/checkout", json=body, headers=ann.headers)
    assert response.status_code == 200, response.text
    assert response.json()["url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")

    (created,) = stripe_fake.calls("POST", "/v1/customers")
    assert created.params["email"] == ann.email
    assert created.params["metadata"] == {"user_id": str(ann.id)}
    assert created.idempotency_key == f"hmb-customer-{ann.id}"
    (lookup,) = stripe_fake.calls("GET", "/v1/prices")
    assert lookup.params["lookup_keys"] == ["pro_annual"]
    (session,) = stripe_fake.calls("POST", "/v1/checkout/sessions")
    price = next(p for p in stripe_fake.prices.values() if p["lookup_key"] == "pro_annual")
    assert session.params["mode"] == "subscription"
    assert session.params["line_items"] == [{"price": price["id"], "quantity": "1"}]
    assert session.params["customer"] in stripe_fake.customers
    assert session.params["client_reference_id"] == str(ann.id)
    assert session.params["success_url"] == "http://testserver/account/billing?checkout=success"
    assert session.params["cancel_url"] == "http://testserver/pricing?checkout=canceled"
    assert session.params["subscription_data"]["metadata"] == {
        "user_id": str(ann.id),
        "tier": "pro",
        "interval": "year",
    }

    # A second checkout reuses the stored customer.
    await stripe_client.post("/api/subscriptions/checkout", json=body, headers=ann.headers)
    assert len(stripe_fake.calls("POST", "/v1/customers")) == 1
    async with stripe_runtime.database.sessionmaker() as db:
        stored = (await db.execute(select(BillingCustomer.stripe_customer_id))).scalars().all()
    assert stored == [session.params["customer"]]


async def test_a_checkout_begun_for_a_page_returns_to_it(
    stripe_client: httpx.AsyncClient, stripe_runtime: Runtime, stripe_fake: StripeFake
) -> None:
    await _priced(stripe_fake)
    bea = await _without_customer(stripe_runtime, "bea")
    sign_in(stripe_client, bea)
    token = await page_csrf(stripe_client, "/pricing")
    back = "/jobs/01a2333a-965b-799c-a1cf-db36d22b428e/publish?paid=abc"
    form = {"tier": "business", "interval": "month", "next": back, "csrf_token": token}
    started = await stripe_client.post("/billing/checkout", data=form)
    assert started.status_code == 303
    assert started.headers["location"].startswith("https://checkout.stripe.com/")
    (session,) = stripe_fake.calls("POST", "/v1/checkout/sessions")
    assert session.params["success_url"] == f"http://testserver{back}"
    assert session.params["cancel_url"] == f"http://testserver{back}"
    # Only a path of the site: anything else returns to the usual pages.
    await stripe_client.post("/billing/checkout", data={**form, "next": "//evil.example/x"})
    second = stripe_fake.calls("POST", "/v1/checkout/sessions")[-1]
    assert second.params["success_url"] == "http://testserver/account/billing?checkout=success"
    stripe_client.cookies.clear()


async def test_then_stripe_reports_the_subscription(
    stripe_client: httpx.AsyncClient, stripe_runtime: Runtime, stripe_fake: StripeFake
) -> None:
    await _priced(stripe_fake)
    ann = await _without_customer(stripe_runtime, "ann")
    await stripe_client.post("/api/subscriptions/checkout", json={"tier": "pro"}, headers=ann.headers)
    (customer,) = stripe_fake.customers
    now = utcnow().replace(microsecond=0)
    sub = se.subscription("sub_live", customer, start=now, end=now + timedelta(days=30))
    events = [
        se.event("checkout.session.completed", se.checkout_session("cs_1", customer, "sub_live", str(ann.id)), now),
        se.event("customer.subscription.created", sub, now),
    ]
    for stripe_event in events:
        response = await se.deliver(stripe_client, stripe_event, STRIPE_WEBHOOK_SECRET)
        assert response.json()["outcome"] == "applied"
    me = (await stripe_client.get("/api/subscriptions/me", headers=ann.headers)).json()
    assert (me["tier"], me["status"]) == ("pro", "active")

    # Cancelling asks Stripe, and shows Stripe's answer at once.
    stripe_fake.subscriptions["sub_live"] = sub
    canceled = await stripe_client.post("/api/subscriptions/cancel", headers=ann.headers)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["cancel_at_period_end"] is True
    (update,) = stripe_fake.calls("POST", "/v1/subscriptions/sub_live")
    assert update.params == {"cancel_at_period_end": "true"}
    reactivated = await stripe_client.post("/api/subscriptions/reactivate", headers=ann.headers)
    assert reactivated.json()["cancel_at_period_end"] is False
    assert stripe_fake.calls("POST", "/v1/subscriptions/sub_live")[-1].params == {"cancel_at_period_end": "false"}

    portal = await stripe_client.get("/api/subscriptions/portal", headers=ann.headers)
    assert portal.json()["url"].startswith("https://billing.stripe.com/p/session/")
    (session,) = stripe_fake.calls("POST", "/v1/billing_portal/sessions")
    assert session.params == {"customer": customer, "return_url": "http://testserver/account/billing"}


async def test_a_missing_price_is_reported(
    stripe_client: httpx.AsyncClient, stripe_runtime: Runtime, stripe_fake: StripeFake
) -> None:
    ann = await _without_customer(stripe_runtime, "ann")
    response = await stripe_client.post("/api/subscriptions/checkout", json={"tier": "pro"}, headers=ann.headers)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "plan_unavailable"
    assert not stripe_fake.calls("POST", "/v1/checkout/sessions")


async def test_a_stripe_error_is_a_502(
    stripe_client: httpx.AsyncClient, stripe_runtime: Runtime, stripe_fake: StripeFake
) -> None:
    await _priced(stripe_fake)
    ann = await member(stripe_runtime, "ann")  # its stored customer is unknown to Stripe
    response = await stripe_client.post("/api/subscriptions/checkout", json={"tier": "pro"}, headers=ann.headers)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "payment_provider_error"


async def test_stripe_mode_checks_the_configured_secret_and_has_no_local_checkout(
    stripe_client: httpx.AsyncClient, stripe_runtime: Runtime, settings: Settings, secret: str
) -> None:
    ann = await member(stripe_runtime, "ann")
    now = utcnow()
    sub = se.subscription("sub_x", ann.customer_id, start=now, end=now + timedelta(days=30))
    stripe_event = se.event("customer.subscription.updated", sub, now)
    assert (await se.deliver(stripe_client, stripe_event, secret)).status_code == 400  # the development secret
    assert (await se.deliver(stripe_client, stripe_event, STRIPE_WEBHOOK_SECRET)).status_code == 200
    assert (await stripe_client.get("/billing/checkout/abc.def", headers=ann.headers)).status_code == 404


async def test_stripe_sync_creates_then_keeps_then_replaces(stripe_settings: Settings, stripe_fake: StripeFake) -> None:
    gateway = StripeGateway(stripe_settings)
    report = await sync_stripe(gateway, list(SEED))
    assert [line.split(":")[0] for line in report] == [
        "product hmb_pro",
        "price pro_monthly",
        "price pro_annual",
        "product hmb_business",
        "price business_monthly",
        "price business_annual",
    ]
    assert all("created" in line for line in report)
    by_key = {price["lookup_key"]: price for price in stripe_fake.prices.values()}
    assert {key: (p["unit_amount"], p["recurring"]["interval"], p["product"]) for key, p in by_key.items()} == {
        "pro_monthly": (999, "month", "hmb_pro"),
        "pro_annual": (9900, "year", "hmb_pro"),
        "business_monthly": (4999, "month", "hmb_business"),
        "business_annual": (49900, "year", "hmb_business"),
    }

    again = await sync_stripe(gateway, list(SEED))
    assert all("unchanged" in line for line in again)
    assert len(stripe_fake.prices) == 4

    cheaper = [replace(tier, monthly_price_cents=799) if tier.code == "pro" else tier for tier in SEED]
    changed = await sync_stripe(gateway, cheaper)
    assert any(line.startswith("price pro_monthly: replaced") for line in changed)
    old = by_key["pro_monthly"]
    assert stripe_fake.prices[old["id"]]["active"] is False
    assert stripe_fake.prices[old["id"]]["lookup_key"] is None  # the key moved to the new price
    (current,) = [p for p in stripe_fake.prices.values() if p["lookup_key"] == "pro_monthly"]
    assert current["unit_amount"] == 799
