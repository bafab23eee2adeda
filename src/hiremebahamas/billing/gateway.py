"""Talking to Stripe's API with the official SDK (async, over httpx).

`STRIPE_API_BASE` points the SDK elsewhere (tests run a local fake speaking Stripe's REST
shapes). Prices are found by lookup key, never by hard-coded id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import stripe

from hiremebahamas.billing.tiers import TierSpec
from hiremebahamas.config import Settings
from hiremebahamas.core.errors import AppError
from hiremebahamas.models import BillingInterval, User


class PaymentProviderError(AppError):
    status_code = 502
    code = "payment_provider_error"
    default_message = "Our payment provider did not answer as expected. Please try again in a few minutes."


class PlanUnavailable(AppError):
    status_code = 503
    code = "plan_unavailable"
    default_message = "That plan cannot be bought right now. Please try again later."


class StripeGateway:
    def __init__(self, settings: Settings) -> None:
        assert settings.stripe_secret_key
        self.api_key = settings.stripe_secret_key
        self.api_base = settings.stripe_api_base

    @asynccontextmanager
    async def client(self) -> AsyncIterator[stripe.StripeClient]:
        """A client for one operation; its connections close with it (no event loop is shared)."""
        http = stripe.HTTPXClient(timeout=20)
        bases: Any = {"api": self.api_base} if self.api_base else None
        client = stripe.StripeClient(self.api_key, base_addresses=bases, http_client=http, max_network_retries=2)
        try:
            yield client
        except stripe.StripeError as error:
            raise PaymentProviderError() from error
        finally:
            await http.close_async()  # type: ignore[no-untyped-call]

    async def create_customer(self, user: User) -> str:
        async with self.client() as client:
            customer = await client.v1.customers.create_async(
                {"email": user.email, "name": user.full_name, "metadata": {"user_id": str(user.id)}},
                # Two racing checkouts of one user make one customer.
                {"idempotency_key": f"hmb-customer-{user.id}"},
            )
        return str(customer.id)

    async def price_id(self, client: stripe.StripeClient, lookup_key: str) -> str:
        prices = await client.v1.prices.list_async({"lookup_keys": [lookup_key], "active": True, "limit": 1})
        if not prices.data:
            raise PlanUnavailable(
                f"No active Stripe price has the lookup key {lookup_key}; run `hiremebahamas stripe-sync`."
            )
        return str(prices.data[0].id)

    async def checkout_url(
        self,
        *,
        user: User,
        customer_id: str,
        tier: TierSpec,
        interval: BillingInterval,
        success_url: str,
        cancel_url: str,
    ) -> str:
        metadata = {"user_id": str(user.id), "tier": tier.code.value, "interval": interval.value}
        async with self.client() as client:
            price = await self.price_id(client, tier.lookup_key(interval))
            checkout = await client.v1.checkout.sessions.create_async(
                {
                    "mode": "subscription",
                    "customer": customer_id,
                    "client_reference_id": str(user.id),
                    "line_items": [{"price": price, "quantity": 1}],
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                    "metadata": metadata,
                    "subscription_data": {"metadata": metadata},
                }
            )
        if not checkout.url:
            raise PaymentProviderError()
        return str(checkout.url)

    async def portal_url(self, customer_id: str, return_url: str) -> str:
        async with self.client() as client:
            portal = await client.v1.billing_portal.sessions.create_async(
                {"customer": customer_id, "return_url": return_url}
            )
        return str(portal.url)

    async def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> dict[str, Any]:
        """The subscription as Stripe has it after the change."""
        async with self.client() as client:
            updated = await client.v1.subscriptions.update_async(subscription_id, {"cancel_at_period_end": cancel})
        return updated.to_dict()
