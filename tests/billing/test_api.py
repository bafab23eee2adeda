"""/api/subscriptions/* without Stripe: the embedded checkout's whole lifecycle over the API."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import delete, func, select

from hiremebahamas.billing import service
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import Forbidden, NotFound
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import BillingCustomer, BillingEvent, Invoice, Notification, Subscription, User
from hiremebahamas.models.base import utcnow
from tests.billing.factories import Member, grant_tier, member


async def _checkout(client: httpx.AsyncClient, who: Member, tier: str = "pro", interval: str = "month") -> str:
    response = await client.post(
        "/api/subscriptions/checkout", json={"tier": tier, "interval": interval}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    url = str(response.json()["url"])
    assert re.fullmatch(r"http://testserver/billing/checkout/[\w-]+\.[0-9a-f]{32}", url), url
    return urlsplit(url).path


async def _pay(client: httpx.AsyncClient, who: Member, path: str) -> httpx.Response:
    return await client.post(path, headers=who.headers)


async def _me(client: httpx.AsyncClient, who: Member) -> dict[str, object]:
    response = await client.get("/api/subscriptions/me", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def _count(runtime: Runtime, model: object, *where: object) -> int:
    async with runtime.database.sessionmaker() as session:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


async def test_tiers_lists_the_plans_with_prices_and_limits(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/subscriptions/tiers")
    assert response.status_code == 200
    tiers = {tier["code"]: tier for tier in response.json()["items"]}
    assert list(tiers) == ["free", "pro", "business"]
    assert tiers["pro"]["prices"]["month"] == {"amount_cents": 999, "label": "$9.99/month", "lookup_key": "pro_monthly"}
    assert tiers["pro"]["prices"]["year"]["amount_cents"] == 9900
    assert tiers["business"]["prices"]["month"]["amount_cents"] == 4999
    assert tiers["business"]["prices"]["year"] == {
        "amount_cents": 49900,
        "label": "$499/year",
        "lookup_key": "business_annual",
    }
    assert tiers["free"]["limits"] == {
        "messages_per_month": 10,
        "posts_per_month": 5,
        "follows": 100,
        "can_post_jobs": False,
        "featured_jobs_per_month": 0,
        "team_seats": 1,
    }
    assert tiers["business"]["limits"]["can_post_jobs"] is True
    assert tiers["business"]["limits"]["featured_jobs_per_month"] == 5
    assert tiers["business"]["limits"]["team_seats"] == 5
    assert tiers["pro"]["limits"]["messages_per_month"] is None


async def test_me_on_the_free_plan(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    me = await _me(client, ann)
    assert {key: me[key] for key in ("tier", "status", "interval", "current_period_end", "cancel_at_period_end")} == {
        "tier": "free",
        "status": None,
        "interval": None,
        "current_period_end": None,
        "cancel_at_period_end": False,
    }
    assert me["usage"] == {
        "messages": {"used": 0, "limit": 10, "period": utcnow().strftime("%Y-%m")},
        "posts": {"used": 0, "limit": 5, "period": utcnow().strftime("%Y-%m")},
        "featured_jobs": {"used": 0, "limit": 0, "period": utcnow().strftime("%Y-%m")},
        "follows": {"used": 0, "limit": 100, "period": None},
    }


async def test_signing_in_is_required(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/api/subscriptions/me"),
        ("POST", "/api/subscriptions/checkout"),
        ("GET", "/api/subscriptions/portal"),
        ("POST", "/api/subscriptions/cancel"),
        ("POST", "/api/subscriptions/reactivate"),
    ]:
        response = await client.request(method, path, json={"tier": "pro", "interval": "month"})
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthenticated"


async def test_checkout_refuses_a_malformed_body(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    bodies: list[object] = [
        {},
        {"tier": "gold"},
        {"tier": "free"},
        {"tier": "pro", "interval": "week"},
        {"tier": "pro", "extra": 1},
        [],
        {"tier": "pro" * 1000},
    ]
    for body in bodies:
        response = await client.post("/api/subscriptions/checkout", json=body, headers=ann.headers)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "validation_error"
    assert (await client.post("/api/subscriptions/checkout", content=b"{", headers=ann.headers)).status_code == 422


async def test_subscribing_through_the_embedded_checkout(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    path = await _checkout(client, ann)
    page = await client.get(path, headers=ann.headers)
    assert page.status_code == 200
    assert "Pay $9.99/month" in page.text
    assert (await _me(client, ann))["tier"] == "free"  # nothing happens before paying

    paid = await _pay(client, ann, path)
    assert paid.status_code == 303
    assert paid.headers["location"] == "/account/billing?checkout=success"
    me = await _me(client, ann)
    assert (me["tier"], me["status"], me["interval"], me["cancel_at_period_end"]) == ("pro", "active", "month", False)
    period_end = datetime.fromisoformat(str(me["current_period_end"]))
    assert timedelta(days=27) < period_end - utcnow() < timedelta(days=32)
    assert me["usage"]["messages"]["limit"] is None  # type: ignore[index]

    # The events went through the webhook handler: stored, and the invoice recorded.
    assert await _count(runtime, BillingEvent, BillingEvent.outcome == "applied") == 3
    async with runtime.database.sessionmaker() as session:
        invoice = (await session.execute(select(Invoice))).scalar_one()
        assert (invoice.user_id, invoice.amount_paid, invoice.currency, invoice.status) == (ann.id, 999, "usd", "paid")
        assert invoice.period_end is not None
        kinds = (await session.execute(select(Notification.type).where(Notification.user_id == ann.id))).scalars()
        assert set(kinds) == {"subscription.started", "subscription.payment_succeeded"}

    # Paying the same checkout again (a double click) changes nothing.
    assert (await _pay(client, ann, path)).status_code == 303
    assert await _count(runtime, Subscription) == 1
    assert await _count(runtime, BillingEvent) == 3


async def test_business_yearly(client: httpx.AsyncClient, runtime: Runtime) -> None:
    boss = await member(runtime, "boss", employer=True)
    await _pay(client, boss, await _checkout(client, boss, "business", "year"))
    me = await _me(client, boss)
    assert (me["tier"], me["interval"]) == ("business", "year")
    period_end = datetime.fromisoformat(str(me["current_period_end"]))
    assert timedelta(days=360) < period_end - utcnow() < timedelta(days=367)


async def test_one_customer_per_user(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(delete(BillingCustomer))
    await _checkout(client, ann)
    await _checkout(client, ann, "business", "year")
    assert await _count(runtime, BillingCustomer, BillingCustomer.user_id == ann.id) == 1


async def test_checkout_while_subscribed_is_a_conflict(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    stale = await _checkout(client, ann, "business")
    await _pay(client, ann, await _checkout(client, ann))
    response = await client.post("/api/subscriptions/checkout", json={"tier": "business"}, headers=ann.headers)
    assert response.status_code == 409
    # An older checkout link cannot start a second subscription either.
    assert (await _pay(client, ann, stale)).status_code == 409
    assert await _count(runtime, Subscription) == 1


async def test_a_checkout_link_is_for_its_own_user(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    path = await _checkout(client, ann)
    assert (await client.get(path, headers=bob.headers)).status_code == 403
    assert (await _pay(client, bob, path)).status_code == 403
    assert (await client.get(path)).status_code == 303  # signed out: to the login page
    assert (await client.post(path)).status_code == 401
    assert (await _me(client, bob))["tier"] == "free"


async def test_a_forged_checkout_link_is_not_found(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    path = await _checkout(client, ann)
    for forged in (path[:-1] + ("0" if path[-1] != "0" else "1"), path + "x", "/billing/checkout/abc.def"):
        assert (await client.get(forged, headers=ann.headers)).status_code == 404
        assert (await _pay(client, ann, forged)).status_code == 404
    assert (await _me(client, ann))["tier"] == "free"


async def test_a_checkout_link_expires(client: httpx.AsyncClient, runtime: Runtime, settings: Settings) -> None:
    ann = await member(runtime, "ann")
    token = (await _checkout(client, ann)).rsplit("/", 1)[1]
    async with runtime.database.sessionmaker() as session:
        user = await session.get(User, ann.id)
        assert user is not None
        service.local_checkout(settings, user, token, utcnow() + timedelta(hours=23))
        with pytest.raises(NotFound):
            service.local_checkout(settings, user, token, utcnow() + timedelta(hours=25))
        other = await session.get(User, (await member(runtime, "bob")).id)
        assert other is not None
        with pytest.raises(Forbidden):
            service.local_checkout(settings, other, token)


async def test_paying_with_the_session_cookie_needs_the_csrf_token(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    path = await _checkout(client, ann)
    client.cookies.set("hmb_session", ann.cookie)
    refused = await client.post(path)
    assert refused.status_code == 403
    assert "csrf" in refused.text.lower() or "expired" in refused.text.lower()
    page = await client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    paid = await client.post(path, data={"csrf_token": token.group(1)})
    assert paid.status_code == 303
    assert (await _me(client, ann))["tier"] == "pro"


async def test_cancel_then_reactivate(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await _pay(client, ann, await _checkout(client, ann))
    canceled = await client.post("/api/subscriptions/cancel", headers=ann.headers)
    assert canceled.status_code == 200
    body = canceled.json()
    assert (body["tier"], body["status"], body["cancel_at_period_end"]) == ("pro", "active", True)
    assert (await client.post("/api/subscriptions/cancel", headers=ann.headers)).json()["cancel_at_period_end"] is True

    reactivated = await client.post("/api/subscriptions/reactivate", headers=ann.headers)
    assert reactivated.json()["cancel_at_period_end"] is False
    again = await client.post("/api/subscriptions/reactivate", headers=ann.headers)
    assert again.status_code == 200
    # Cancel right away again: changes within one second still apply in order.
    assert (await client.post("/api/subscriptions/cancel", headers=ann.headers)).json()["cancel_at_period_end"] is True
    async with runtime.database.sessionmaker() as session:
        kinds = list((await session.execute(select(Notification.type).where(Notification.user_id == ann.id))).scalars())
    assert kinds.count("subscription.canceled") == 2
    assert kinds.count("subscription.reactivated") == 1


async def test_cancel_and_reactivate_need_a_plan(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    for path in ("/api/subscriptions/cancel", "/api/subscriptions/reactivate"):
        response = await client.post(path, headers=ann.headers)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_reactivating_after_the_period_ended_is_refused(runtime: Runtime, settings: Settings) -> None:
    ann = await member(runtime, "ann")
    await grant_tier(runtime, ann.id, "pro", period_end=utcnow() + timedelta(hours=1), cancel_at_period_end=True)
    async with runtime.database.sessionmaker() as session:
        user = await session.get(User, ann.id)
        assert user is not None
        with pytest.raises(NotFound):
            await service.reactivate(session, settings, user, utcnow() + timedelta(hours=2))


async def test_portal(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    response = await client.get("/api/subscriptions/portal", headers=ann.headers)
    assert response.json() == {"url": "http://testserver/billing/portal"}
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(delete(BillingCustomer))
    assert (await client.get("/api/subscriptions/portal", headers=ann.headers)).status_code == 404
