"""JSON API: /api/subscriptions/*. The webhook has its own router (`webhook_router`), mounted
outside the per-client API rate limit: Stripe delivers from a few addresses, in bursts."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hiremebahamas.accounts.deps import CurrentUser
from hiremebahamas.billing import service, webhooks
from hiremebahamas.billing.schemas import CheckoutIn, SubscriptionOut, TierOut, TiersOut, UrlOut, WebhookOut
from hiremebahamas.billing.tiers import load_tiers
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.models import BillingInterval, TierCode
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.openapi import NO_PLAN

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])
webhook_router = APIRouter(prefix="/api/subscriptions", tags=["subscriptions"])


@router.get("/tiers")
@shared_when_anonymous(area="billing")
async def tiers(db: DbSession) -> TiersOut:
    """The plans with their prices and limits (a null limit is unlimited)."""
    return TiersOut(items=[TierOut.of(tier) for tier in await load_tiers(db)])


@router.get("/me")
async def me(user: CurrentUser, db: DbSession) -> SubscriptionOut:
    return SubscriptionOut.of(await service.overview(db, user))


@router.post("/checkout")
async def checkout(body: CheckoutIn, user: CurrentUser, db: DbSession, settings: AppSettings) -> UrlOut:
    """Where to pay: a Stripe Checkout page, or the embedded checkout without Stripe."""
    url = await service.start_checkout(db, settings, user, TierCode(body.tier), BillingInterval(body.interval))
    return UrlOut(url=service.absolute_url(settings, url))


@router.get("/portal", responses=NO_PLAN)
async def portal(user: CurrentUser, db: DbSession, settings: AppSettings) -> UrlOut:
    return UrlOut(url=service.absolute_url(settings, await service.portal_url(db, settings, user)))


@router.post("/cancel", responses=NO_PLAN)
async def cancel(user: CurrentUser, db: DbSession, settings: AppSettings) -> SubscriptionOut:
    """Cancel at the end of the paid period."""
    await service.cancel(db, settings, user)
    return SubscriptionOut.of(await service.overview(db, user))


@router.post("/reactivate", responses=NO_PLAN)
async def reactivate(user: CurrentUser, db: DbSession, settings: AppSettings) -> SubscriptionOut:
    await service.reactivate(db, settings, user)
    return SubscriptionOut.of(await service.overview(db, user))


@webhook_router.post("/webhook")
async def webhook(request: Request, db: DbSession, settings: AppSettings) -> WebhookOut:
    """Stripe events, signature checked; each stored once (a repeat is acknowledged, not applied)."""
    payload = await request.body()
    outcome = await webhooks.receive(db, settings, payload, request.headers.get("stripe-signature"))
    return WebhookOut(received=True, outcome=outcome.value)
