"""The billing reminders a periodic run sends: the payment-failed sequence on day 3 and day 7
after the first failure (day 0 is sent by the webhook, billing/events.py) while the invoice is
still unpaid and the subscription past due, and the reminder 7 days before an annual plan renews.
Each is claimed in the sent log, so however often the run goes, each is sent once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing.tasks import defer_billing_email
from hiremebahamas.billing.tiers import format_money, load_tiers, tier_by_code
from hiremebahamas.config import Settings
from hiremebahamas.core import sent_log
from hiremebahamas.core.times import day_text
from hiremebahamas.models import BillingInterval, EmailSend, Invoice, SendStatus, Subscription, SubscriptionStatus
from hiremebahamas.models.base import utcnow

# Day 0 is sent by the webhook.
LATER_DAYS = (3, 7)
RENEWAL_NOTICE = timedelta(days=7)
# Renewals entering the notice window within this long are found by a run; runs are closer.
_RENEWAL_WINDOW = timedelta(days=1)


def dunning_key(stripe_invoice_id: str, day: int) -> str:
    return f"dunning:{stripe_invoice_id}:{day}"


async def send_due(session: AsyncSession, settings: Settings, now: datetime | None = None) -> int:
    now = now or utcnow()
    return await _payment_reminders(session, settings, now) + await _renewal_reminders(session, now)


async def _payment_reminders(session: AsyncSession, settings: Settings, now: datetime) -> int:
    day_zero = literal("dunning:") + Invoice.stripe_invoice_id + literal(":0")
    query = (
        select(Invoice, EmailSend.created_at, Subscription.tier)
        .join(EmailSend, and_(EmailSend.user_id == Invoice.user_id, EmailSend.key == day_zero))
        .join(Subscription, Subscription.stripe_subscription_id == Invoice.stripe_subscription_id)
        .where(
            Invoice.status == "open",
            Subscription.status.in_((SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID)),
        )
    )
    tiers = await load_tiers(session)
    sent = 0
    for invoice, failed_at, tier in await session.execute(query):
        assert invoice.user_id is not None  # joined on it
        if now >= failed_at + timedelta(days=settings.payment_retry_days):
            continue  # Stripe has stopped retrying: the subscription's end says the rest
        due = [day for day in LATER_DAYS if now >= failed_at + timedelta(days=day)]
        if not due:
            continue
        # A run that comes late sends only the newest step; the ones it passed are skipped.
        for day in due[:-1]:
            await sent_log.claim(
                session, invoice.user_id, dunning_key(invoice.stripe_invoice_id, day), SendStatus.SKIPPED
            )
        if await sent_log.claim(session, invoice.user_id, dunning_key(invoice.stripe_invoice_id, due[-1])):
            defer_billing_email(
                session,
                invoice.user_id,
                "payment_failed",
                day=due[-1],
                plan=tier_by_code(tiers, tier).name,
                amount=format_money(invoice.amount_due),
                failed_at=failed_at.isoformat(),
            )
            sent += 1
    return sent


async def _renewal_reminders(session: AsyncSession, now: datetime) -> int:
    soonest, latest = now + RENEWAL_NOTICE - _RENEWAL_WINDOW, now + RENEWAL_NOTICE
    query = select(Subscription).where(
        Subscription.interval == BillingInterval.YEAR,
        Subscription.status.in_((SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)),
        Subscription.cancel_at_period_end.is_(False),
        Subscription.current_period_end > soonest,
        Subscription.current_period_end <= latest,
    )
    tiers = await load_tiers(session)
    sent = 0
    for subscription in (await session.execute(query)).scalars():
        renews = subscription.current_period_end
        assert renews is not None  # in the window
        key = f"renewal:{subscription.stripe_subscription_id}:{renews.date().isoformat()}"
        if not await sent_log.claim(session, subscription.user_id, key):
            continue
        tier = tier_by_code(tiers, subscription.tier)
        amount = format_money(tier.annual_price_cents)
        defer_billing_email(
            session, subscription.user_id, "renewal_reminder", plan=tier.name, amount=amount, renews=day_text(renews)
        )
        sent += 1
    return sent
