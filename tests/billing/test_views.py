"""Pages: pricing, the billing settings, the embedded checkout and portal, the upgrade prompt."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import Depends

from hiremebahamas.accounts.deps import optional_auth
from hiremebahamas.core.errors import UpgradeRequired
from hiremebahamas.core.runtime import Runtime
from tests.billing.factories import member
from tests.helpers import page_csrf, sign_in


async def _submit(
    client: httpx.AsyncClient, path: str, page: str, data: dict[str, str] | None = None
) -> httpx.Response:
    token = await page_csrf(client, page)
    return await client.post(path, data={**(data or {}), "csrf_token": token})


def _no_inline_code(html: str) -> None:
    assert "<script>" not in html
    assert " style=" not in html
    assert "<style" not in html


async def test_pricing_shows_the_plans_to_everyone(client: httpx.AsyncClient) -> None:
    page = await client.get("/pricing")
    assert page.status_code == 200
    for text in ("$9.99", "$99", "$49.99", "$499", "10 messages a month", "5 posts a month", "Follow up to 100 people"):
        assert text in page.text
    assert "5 featured jobs a month" in page.text
    assert 'type="radio" name="pricing-interval" id="pricing-month" value="month" checked' in page.text
    assert '<label for="pricing-year">' in page.text
    assert 'href="/register"' in page.text
    assert 'action="/billing/checkout"' not in page.text  # signed out: join first
    _no_inline_code(page.text)


async def test_subscribe_cancel_and_reactivate_through_the_pages(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    sign_in(client, ann)
    pricing = await client.get("/pricing")
    assert pricing.text.count('action="/billing/checkout"') == 4  # Pro and Business, monthly and yearly

    started = await _submit(client, "/billing/checkout", "/pricing", {"tier": "pro", "interval": "month"})
    assert started.status_code == 303
    checkout_path = started.headers["location"]
    assert checkout_path.startswith("/billing/checkout/")  # relative: the CSP's form-action allows it
    checkout = await client.get(checkout_path)
    assert "HireMeBahamas Pro" in checkout.text
    assert "Pay $9.99/month" in checkout.text
    _no_inline_code(checkout.text)

    paid = await _submit(client, checkout_path, checkout_path)
    assert paid.headers["location"] == "/account/billing?checkout=success"
    billing = await client.get("/account/billing?checkout=success")
    assert "Your plan: Pro" in billing.text
    assert "Thank you! Your Pro plan is active." in billing.text
    assert re.search(r'Next bill: \$9\.99 on <time datetime="[^"]+">\d+ \w{3} \d{4}</time>', billing.text)
    assert "Cancel plan" in billing.text
    assert "$9.99 USD" in billing.text  # the invoice
    _no_inline_code(billing.text)

    confirm = await client.get("/account/billing/cancel")
    assert "Cancel Pro?" in confirm.text
    day = r"<time datetime=\"[^\"]+\">\d+ \w{3} \d{4}</time>"
    kept = rf"You keep Pro until <strong>{day}</strong>, the end of the period"
    assert re.search(kept, confirm.text)
    assert "moves to the Free plan" in confirm.text
    assert "Nothing you created is deleted" in confirm.text
    assert "Yes, cancel Pro" in confirm.text
    assert "Your plan: Pro" in (await client.get("/account/billing")).text  # the page changed nothing
    assert "Next bill" in (await client.get("/account/billing")).text
    canceled = await _submit(client, "/account/billing/cancel", "/account/billing/cancel")
    assert canceled.status_code == 303
    billing = await client.get("/account/billing")
    until = re.search(r'Pro until <time datetime="[^"]+">(\d+ \w{3} \d{4})</time>', billing.text)
    assert until, billing.text
    assert f"Canceled. You keep Pro until {until.group(1)}." in billing.text
    assert "Reactivate Pro" in billing.text

    await _submit(client, "/account/billing/reactivate", "/account/billing")
    billing = await client.get("/account/billing")
    assert "Pro until" not in billing.text
    assert "Your plan will renew as usual." in billing.text

    portal = await client.get("/account/billing/portal")
    assert portal.headers["location"] == "/billing/portal"
    local_portal = await client.get("/billing/portal")
    assert "Billing portal" in local_portal.text
    assert "Cancel plan" in local_portal.text


async def test_billing_pages_need_signing_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/billing")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    token = await page_csrf(client, "/login")  # the pricing page holds no token for visitors
    refused = await client.post("/billing/checkout", data={"tier": "pro", "interval": "month", "csrf_token": token})
    assert refused.status_code == 401


async def test_forms_need_the_csrf_token(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    sign_in(client, ann)
    for path in ("/billing/checkout", "/account/billing/cancel", "/account/billing/reactivate"):
        assert (await client.post(path, data={"tier": "pro", "interval": "month"})).status_code == 403


async def test_a_bad_plan_choice_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    sign_in(client, ann)
    response = await _submit(client, "/billing/checkout", "/pricing", {"tier": "gold", "interval": "month"})
    assert response.status_code == 422


@pytest.fixture
def limited_route(own_app: Any) -> str:
    """A page that hits a plan limit, as a gated page action does."""

    async def hit_the_limit() -> None:
        raise UpgradeRequired("The Free plan includes 5 posts a calendar month.", required_tier="pro")

    # As page routers do: who is signed in is loaded for the layout.
    dependencies = [Depends(optional_auth)]
    own_app.add_api_route("/_test/limit", hit_the_limit, methods=["GET"], dependencies=dependencies)
    return "/_test/limit"


async def test_a_402_on_a_page_shows_the_upgrade_prompt(
    own_client: httpx.AsyncClient, runtime: Runtime, limited_route: str
) -> None:
    client = own_client
    ann = await member(runtime, "ann")
    sign_in(client, ann)
    page = await client.get(limited_route)
    assert page.status_code == 402
    assert "Upgrade to Pro" in page.text
    assert "The Free plan includes 5 posts a calendar month." in page.text
    assert "$9.99/month or $99/year" in page.text
    assert 'action="/billing/checkout"' in page.text
    assert '<input type="hidden" name="tier" value="pro">' in page.text
    _no_inline_code(page.text)

    fragment = await client.get(limited_route, headers={"HX-Request": "true"})
    assert fragment.status_code == 402
    assert fragment.headers["HX-Retarget"] == "#flash-area"
    assert "<html" not in fragment.text
    assert "Upgrade to Pro" in fragment.text

    api = await client.get("/api/subscriptions/me")
    assert api.status_code == 200  # the API is unaffected: JSON 402s come from handle_app_error


async def test_the_upgrade_prompt_for_someone_signed_out_links_to_pricing(
    own_client: httpx.AsyncClient, limited_route: str
) -> None:
    page = await own_client.get(limited_route)
    assert page.status_code == 402
    assert 'href="/pricing"' in page.text
    assert 'action="/billing/checkout"' not in page.text


async def test_the_cancel_page_is_only_for_a_paid_plan(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await client.get("/account/billing/cancel")).status_code == 303  # to log in
    sign_in(client, await member(runtime, "ann"))
    page = await client.get("/account/billing/cancel")
    assert page.status_code == 404
    assert "You have no paid plan to cancel." in page.text
