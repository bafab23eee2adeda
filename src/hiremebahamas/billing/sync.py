"""`hiremebahamas stripe-sync`: make Stripe's products and prices match the paid tiers.

Products get our own ids (`hmb_pro`, `hmb_business`); prices are found by lookup key
(`pro_monthly`, `pro_annual`, `business_monthly`, `business_annual`). Stripe prices cannot
change amount, so a new price takes the lookup key over (`transfer_lookup_key`) and the old one
is archived. Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

import stripe

from hiremebahamas.billing.gateway import StripeGateway
from hiremebahamas.billing.tiers import TierSpec
from hiremebahamas.models import BillingInterval


def product_id(tier: TierSpec) -> str:
    return f"hmb_{tier.code.value}"


async def _sync_product(client: stripe.StripeClient, tier: TierSpec) -> str:
    name = f"HireMeBahamas {tier.name}"
    try:
        product = await client.v1.products.retrieve_async(product_id(tier))
    except stripe.InvalidRequestError as error:
        if error.code != "resource_missing":
            raise
        params: Any = {"id": product_id(tier), "name": name, "metadata": {"tier": tier.code.value}}
        await client.v1.products.create_async(params)
        return f"product {product_id(tier)}: created"
    if product.name == name and product.active:
        return f"product {product_id(tier)}: unchanged"
    await client.v1.products.update_async(product_id(tier), {"name": name, "active": True})
    return f"product {product_id(tier)}: updated"


def _matches(price: Any, tier: TierSpec, interval: BillingInterval) -> bool:
    recurring = price.recurring
    return bool(
        price.unit_amount == tier.price_cents(interval)
        and price.currency == tier.currency
        and price.product == product_id(tier)
        and recurring is not None
        and recurring.interval == interval.value
    )


async def _sync_price(client: stripe.StripeClient, tier: TierSpec, interval: BillingInterval) -> str:
    key = tier.lookup_key(interval)
    found = await client.v1.prices.list_async({"lookup_keys": [key], "active": True, "limit": 1})
    current = found.data[0] if found.data else None
    if current is not None and _matches(current, tier, interval):
        return f"price {key}: unchanged ({current.id})"
    params: Any = {
        "product": product_id(tier),
        "unit_amount": tier.price_cents(interval),
        "currency": tier.currency,
        "recurring": {"interval": interval.value},
        "lookup_key": key,
        "transfer_lookup_key": True,
        "metadata": {"tier": tier.code.value, "interval": interval.value},
    }
    created = await client.v1.prices.create_async(params)
    if current is not None:
        await client.v1.prices.update_async(current.id, {"active": False})
        return f"price {key}: replaced {current.id} with {created.id}"
    return f"price {key}: created ({created.id})"


async def sync_stripe(gateway: StripeGateway, tiers: list[TierSpec]) -> list[str]:
    report: list[str] = []
    async with gateway.client() as client:
        for tier in tiers:
            if not tier.is_paid:
                continue
            report.append(await _sync_product(client, tier))
            for interval in BillingInterval:
                report.append(await _sync_price(client, tier, interval))
    return report
