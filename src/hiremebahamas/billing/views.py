"""Pages: pricing, the billing settings, the upgrade prompt (any page's 402), the past-due
banner, and the embedded checkout and portal that stand in for Stripe's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from hiremebahamas.accounts.deps import CurrentAuth, OptionalAuth, optional_auth
from hiremebahamas.billing import service
from hiremebahamas.billing.embedded import CANCEL_PATH, SUCCESS_PATH
from hiremebahamas.billing.tiers import TierSpec, format_money, load_tiers, tier_by_code
from hiremebahamas.core.errors import AppError, NotFound, UpgradeRequired, ValidationFailed
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.times import day_text
from hiremebahamas.models import BillingInterval, TierCode
from hiremebahamas.web.csrf import protect_api
from hiremebahamas.web.deps import AppSettings, DbSession, get_runtime
from hiremebahamas.web.forms import FormStr
from hiremebahamas.web.rendering import is_htmx, redirect, render, safe_next

_PAGE_DEPENDENCIES = [Depends(optional_auth)]
router = APIRouter(dependencies=_PAGE_DEPENDENCIES, include_in_schema=False)
# The embedded checkout: a POST there is what its Pay button does, with the browser's cookie
# and CSRF token, or with a bearer token (API clients) — the API's CSRF rule, not the pages'.
checkout_router = APIRouter(
    dependencies=[Depends(protect_api), *_PAGE_DEPENDENCIES], include_in_schema=False, tags=["subscriptions"]
)

_HELPERS = {"format_money": format_money}


def _choice(tier: str, interval: str) -> tuple[TierCode, BillingInterval]:
    try:
        return TierCode(tier), BillingInterval(interval)
    except ValueError:
        raise ValidationFailed("Choose a plan and how often to pay.") from None


@router.get("/pricing")
@shared_when_anonymous(area="billing")
async def pricing(request: Request, db: DbSession, auth: OptionalAuth, checkout: str = "") -> Response:
    tiers = await load_tiers(db)
    current = (await service.overview(db, auth.user)).tier.code if auth else None
    context = {"tiers": tiers, "current": current, "canceled": checkout == "canceled", **_HELPERS}
    return render(request, "billing/pricing.html", context)


@router.post("/billing/checkout")
async def start_checkout(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    auth: CurrentAuth,
    tier: FormStr = "",
    interval: FormStr = "",
    next: FormStr = "",
) -> Response:
    """The pricing page's and upgrade prompt's buttons: off to the checkout (and back to `next`
    after it, when a page asks: a job waiting to be published)."""
    tier_code, cadence = _choice(tier, interval)
    return_to = safe_next(next, "") or None
    url = await service.start_checkout(db, settings, auth.user, tier_code, cadence, return_to=return_to)
    return redirect(request, url)


@router.get("/account/billing")
async def billing(request: Request, db: DbSession, auth: CurrentAuth, checkout: str = "") -> Response:
    overview = await service.overview(db, auth.user)
    context = {"overview": overview, "welcome": checkout == "success", **_HELPERS}
    return render(request, "billing/account.html", context)


@router.get("/account/billing/cancel")
async def cancel_page(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    """What canceling does and when, before it is done (the button posts; nothing changes here)."""
    overview = await service.overview(db, auth.user)
    if overview.plan.subscription is None:
        raise NotFound("You have no paid plan to cancel.")
    free = tier_by_code(await load_tiers(db), TierCode.FREE)
    return render(request, "billing/cancel.html", {"overview": overview, "free": free, **_HELPERS})


@router.post("/account/billing/cancel")
async def cancel(request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth) -> Response:
    subscription = await service.cancel(db, settings, auth.user)
    tier = tier_by_code(await load_tiers(db), subscription.tier)
    until = f" until {day_text(subscription.current_period_end)}" if subscription.current_period_end else ""
    return redirect(request, "/account/billing", flash=("success", f"Canceled. You keep {tier.name}{until}."))


@router.post("/account/billing/reactivate")
async def reactivate(request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth) -> Response:
    await service.reactivate(db, settings, auth.user)
    return redirect(request, "/account/billing", flash=("success", "Your plan will renew as usual."))


@router.get("/account/billing/portal")
async def portal(request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth) -> Response:
    return redirect(request, await service.portal_url(db, settings, auth.user))


@router.get("/billing/portal")
async def local_portal(request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth) -> Response:
    """The embedded stand-in for Stripe's customer portal."""
    if settings.stripe_secret_key:
        return redirect(request, await service.portal_url(db, settings, auth.user))
    overview = await service.overview(db, auth.user)
    return render(request, "billing/portal.html", {"overview": overview, **_HELPERS})


@checkout_router.get("/billing/checkout/{token}")
async def local_checkout(
    request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth, token: str
) -> Response:
    checkout = service.local_checkout(settings, auth.user, token)
    tier = tier_by_code(await load_tiers(db), checkout.tier)
    context = {
        "tier": tier,
        "interval": checkout.interval,
        "price": tier.price_label(checkout.interval),
        "cancel_url": checkout.return_to or CANCEL_PATH,
    }
    return render(request, "billing/checkout.html", context)


@checkout_router.post("/billing/checkout/{token}")
async def pay_local_checkout(
    request: Request, db: DbSession, settings: AppSettings, auth: CurrentAuth, token: str
) -> Response:
    tier, checkout = await service.pay_local_checkout(db, settings, auth.user, token)
    back = checkout.return_to or SUCCESS_PATH
    return redirect(request, back, flash=("success", f"Welcome to {tier.name}!"))


async def upgrade_context(request: Request, error: UpgradeRequired) -> dict[str, Any]:
    """What `billing/_upgrade_prompt.html` shows: the limit hit and the plan that lifts it."""
    runtime = get_runtime(request)
    async with runtime.database.sessionmaker() as session:  # outside the request's unit of work
        runtime.database.read_from_replica(session)
        tiers = await load_tiers(session)
    try:
        code = TierCode(str(error.extra.get("required_tier")))
    except ValueError:
        code = TierCode.PRO
    tier: TierSpec = tier_by_code(tiers, code)
    return {"tier": tier, "message": error.message, **_HELPERS}


async def upgrade_prompt(request: Request, error: AppError) -> Response:
    """A page's 402: what the limit is, and a button to the plan that lifts it (the error page
    app.py gives web/errors.py for UpgradeRequired)."""
    assert isinstance(error, UpgradeRequired)
    context = await upgrade_context(request, error)
    htmx = is_htmx(request)
    template = "billing/_upgrade_prompt.html" if htmx else "billing/upgrade.html"
    response = render(request, template, context, status_code=error.status_code)
    if htmx:
        response.headers["HX-Retarget"] = "#flash-area"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


async def load_billing_notice(request: Request, auth: OptionalAuth, db: DbSession) -> None:
    """Page views of signed-in people: whether to show the "payment failed" banner (base.html)."""
    if auth is None or request.method != "GET":
        return
    request.state.billing_notice = await service.is_past_due(db, auth.user.id)
