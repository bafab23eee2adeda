"""Billing emails: the receipt of a paid invoice, the payment-failed sequence while Stripe
retries the card (day 0, 3 and 7), the reminder before an annual plan renews, the cancellation
and the end of a plan. Transactional: sent whatever the email preferences, each saying why."""

from __future__ import annotations

from datetime import datetime, timedelta

from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.email_templates import Footer, render_email
from hiremebahamas.core.times import day_text
from hiremebahamas.models import User


def _billing_url(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}/account/billing"


def _footer(settings: Settings, reason: str) -> Footer:
    return Footer(reason=reason, links=(("Billing settings", _billing_url(settings)),))


def receipt(settings: Settings, user: User, *, plan: str, amount: str, period: str, invoice_url: str) -> OutgoingEmail:
    return render_email(
        "mail/billing/receipt.jinja",
        to=user.email,
        subject=f"Your HireMeBahamas receipt: {amount} for {plan}",
        footer=_footer(settings, f"You get this email because a payment for your {plan} plan went through."),
        user=user,
        plan=plan,
        amount=amount,
        period=period,
        invoice_url=invoice_url or _billing_url(settings),
    )


def payment_failed(
    settings: Settings, user: User, *, day: int, plan: str, amount: str, failed_at: str
) -> OutgoingEmail:
    """`day` 0, 3 or 7 of the reminders; access ends when Stripe stops retrying the card
    (PAYMENT_RETRY_DAYS after the first failure, as configured in Stripe)."""
    access_ends = day_text(datetime.fromisoformat(failed_at) + timedelta(days=settings.payment_retry_days))
    subject = (
        f"Your payment of {amount} failed: update your card"
        if day == 0
        else f"Reminder: update your card to keep {plan}"
    )
    return render_email(
        "mail/billing/payment_failed.jinja",
        to=user.email,
        subject=subject,
        footer=_footer(settings, f"You get this email because the payment for your {plan} plan failed."),
        user=user,
        day=day,
        plan=plan,
        amount=amount,
        access_ends=access_ends,
        update_url=_billing_url(settings),
    )


def renewal_reminder(settings: Settings, user: User, *, plan: str, amount: str, renews: str) -> OutgoingEmail:
    return render_email(
        "mail/billing/renewal_reminder.jinja",
        to=user.email,
        subject=f"Your {plan} plan renews on {renews}",
        footer=_footer(settings, f"You get this email because your annual {plan} plan renews in 7 days."),
        user=user,
        plan=plan,
        amount=amount,
        renews=renews,
        billing_url=_billing_url(settings),
    )


def cancellation_confirmed(settings: Settings, user: User, *, plan: str, ends: str | None) -> OutgoingEmail:
    return render_email(
        "mail/billing/cancellation_confirmed.jinja",
        to=user.email,
        subject=f"Your {plan} plan is canceled",
        footer=_footer(settings, f"You get this email because your {plan} plan was canceled."),
        user=user,
        plan=plan,
        ends=ends,
        billing_url=_billing_url(settings),
    )


def plan_ended(settings: Settings, user: User, *, plan: str) -> OutgoingEmail:
    return render_email(
        "mail/billing/plan_ended.jinja",
        to=user.email,
        subject=f"Your {plan} plan has ended",
        footer=_footer(settings, f"You get this email because your {plan} plan ended."),
        user=user,
        plan=plan,
        pricing_url=f"{settings.base_url.rstrip('/')}/pricing",
    )
