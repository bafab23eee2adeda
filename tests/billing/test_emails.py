"""Billing emails from the webhook's events: a receipt per paid invoice, the payment-failed
sequence (day 0, 3, 7) while Stripe retries, the reminder before an annual plan renews, the
cancellation and the end of a plan; each sent once, both parts, saying why."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import update

from hiremebahamas.billing import reminders
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.times import day_text
from hiremebahamas.models import User
from hiremebahamas.models.base import utcnow
from tests.billing import stripe_events as se
from tests.billing.factories import Member, member
from tests.helpers import emails_to, text_of

T0 = utcnow().replace(microsecond=0) - timedelta(minutes=30)
PERIOD_END = T0 + timedelta(days=30)


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    content: str = body.get_content()
    return content


async def _deliver(client: httpx.AsyncClient, secret: str, type_: str, obj: dict[str, object], minutes: int) -> None:
    response = await se.deliver(client, se.event(type_, obj, T0 + timedelta(minutes=minutes)), secret)
    assert response.status_code == 200, response.text


async def _past_due(client: httpx.AsyncClient, secret: str, ann: Member, invoice_id: str, sub_id: str) -> None:
    sub = se.subscription(sub_id, ann.customer_id, status="past_due", start=T0, end=PERIOD_END)
    await _deliver(client, secret, "customer.subscription.updated", sub, 0)
    failed = se.invoice(invoice_id, ann.customer_id, sub_id, status="open", amount=999, start=T0, end=PERIOD_END)
    await _deliver(client, secret, "invoice.payment_failed", failed, 1)


async def _run_reminders(runtime: Runtime, at: timedelta) -> int:
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        return await reminders.send_due(session, runtime.settings, utcnow() + at)


async def test_a_paid_invoice_sends_one_receipt(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    ann = await member(runtime, "ann")
    await _deliver(
        client,
        secret,
        "customer.subscription.updated",
        se.subscription("sub_r", ann.customer_id, start=T0, end=PERIOD_END),
        0,
    )
    paid = se.invoice("in_r", ann.customer_id, "sub_r", status="paid", amount=999, start=T0, end=PERIOD_END)
    await _deliver(client, secret, "invoice.payment_succeeded", paid, 1)
    await _deliver(client, secret, "invoice.payment_succeeded", paid, 2)  # another event of the same invoice
    (receipt,) = await emails_to(runtime, ann.email)
    assert receipt["Subject"] == "Your HireMeBahamas receipt: $9.99 for Pro"
    text = text_of(receipt)
    assert "Amount: $9.99" in text
    assert "Plan: Pro" in text
    assert f"Period: {day_text(T0)} to {day_text(PERIOD_END)}" in text
    assert "View the invoice: https://invoice.stripe.com/i/in_r" in text
    assert "because a payment for your Pro plan went through" in text
    html = html_of(receipt)
    assert 'href="https://invoice.stripe.com/i/in_r"' in html
    assert 'name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html
    assert 'name="viewport"' in html
    assert receipt["List-Unsubscribe"] is None  # transactional: no unsubscribe


async def test_a_free_invoice_sends_no_receipt(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    ann = await member(runtime, "ann")
    paid = se.invoice("in_zero", ann.customer_id, "sub_z", status="paid", amount=0, start=T0, end=PERIOD_END)
    await _deliver(client, secret, "invoice.payment_succeeded", paid, 1)
    assert await emails_to(runtime, ann.email) == []


async def test_the_payment_failed_sequence_day_0_3_7(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    ann = await member(runtime, "ann")
    await _past_due(client, secret, ann, "in_f", "sub_f")
    retry = se.invoice("in_f", ann.customer_id, "sub_f", status="open", amount=999, start=T0, end=PERIOD_END)
    await _deliver(client, secret, "invoice.payment_failed", retry, 5)  # Stripe's retry fails again
    (day0,) = await emails_to(runtime, ann.email)
    assert day0["Subject"] == "Your payment of $9.99 failed: update your card"
    ends = day_text(utcnow() + timedelta(days=runtime.settings.payment_retry_days))
    assert f"Your plan stays active until {ends}" in text_of(day0)
    assert "Update your card: http://testserver/account/billing" in text_of(day0)
    assert await _run_reminders(runtime, timedelta(days=1)) == 0
    assert await _run_reminders(runtime, timedelta(days=3, minutes=1)) == 1
    assert await _run_reminders(runtime, timedelta(days=3, minutes=2)) == 0  # the next run: nothing new
    assert await _run_reminders(runtime, timedelta(days=7, minutes=1)) == 1
    assert await _run_reminders(runtime, timedelta(days=9)) == 0
    subjects = [m["Subject"] for m in await emails_to(runtime, ann.email)]
    assert subjects[1:] == ["Reminder: update your card to keep Pro"] * 2
    assert f"until {ends}" in text_of((await emails_to(runtime, ann.email))[2])


async def test_no_reminder_once_paid_and_a_late_run_sends_only_the_newest(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await _past_due(client, secret, ann, "in_a", "sub_a")
    await _past_due(client, secret, bob, "in_b", "sub_b")
    paid = se.invoice("in_a", ann.customer_id, "sub_a", status="paid", amount=999, start=T0, end=PERIOD_END)
    await _deliver(client, secret, "invoice.payment_succeeded", paid, 10)
    assert await _run_reminders(runtime, timedelta(days=8)) == 1  # Bob's day 7 only
    assert [m["Subject"] for m in await emails_to(runtime, ann.email)][-1].startswith("Your HireMeBahamas receipt")
    assert len(await emails_to(runtime, bob.email)) == 2
    assert await _run_reminders(runtime, timedelta(days=8, hours=1)) == 0


async def test_the_renewal_reminder_7_days_before_an_annual_plan(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann, bob, cat = await member(runtime, "ann"), await member(runtime, "bob"), await member(runtime, "cat")
    renews = utcnow().replace(microsecond=0) + timedelta(days=6, hours=20)
    yearly = se.subscription("sub_y", ann.customer_id, lookup_key="pro_annual", start=T0, end=renews)
    monthly = se.subscription("sub_m", bob.customer_id, start=T0, end=renews)
    leaving = se.subscription(
        "sub_c", cat.customer_id, lookup_key="pro_annual", start=T0, end=renews, cancel_at_period_end=True
    )
    for sub in (yearly, monthly, leaving):
        await _deliver(client, secret, "customer.subscription.updated", sub, 0)
    cat_before = len(await emails_to(runtime, cat.email))
    assert await _run_reminders(runtime, timedelta(0)) == 1
    assert await _run_reminders(runtime, timedelta(hours=1)) == 0
    (reminder,) = await emails_to(runtime, ann.email)
    assert reminder["Subject"] == f"Your Pro plan renews on {day_text(renews)}"
    assert "for $99" in text_of(reminder)
    assert await emails_to(runtime, bob.email) == []
    assert len(await emails_to(runtime, cat.email)) == cat_before


async def test_cancellation_confirmed_then_plan_ended(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    ann = await member(runtime, "ann")
    sub = se.subscription("sub_x", ann.customer_id, start=T0, end=PERIOD_END)
    await _deliver(client, secret, "customer.subscription.updated", sub, 0)
    canceling = se.subscription("sub_x", ann.customer_id, start=T0, end=PERIOD_END, cancel_at_period_end=True)
    await _deliver(client, secret, "customer.subscription.updated", canceling, 1)
    await _deliver(client, secret, "customer.subscription.updated", canceling, 2)  # nothing new: no email
    (canceled,) = await emails_to(runtime, ann.email)
    assert canceled["Subject"] == "Your Pro plan is canceled"
    assert f"until {day_text(PERIOD_END)}" in text_of(canceled)
    assert "because your Pro plan was canceled" in text_of(canceled)
    ended = se.subscription("sub_x", ann.customer_id, status="canceled", start=T0, end=PERIOD_END, ended_at=PERIOD_END)
    await _deliver(client, secret, "customer.subscription.deleted", ended, 3)
    subjects = [m["Subject"] for m in await emails_to(runtime, ann.email)]
    assert subjects == ["Your Pro plan is canceled", "Your Pro plan has ended"]


async def test_an_unknown_customer_gets_nothing(client: httpx.AsyncClient, runtime: Runtime, secret: str) -> None:
    failed = se.invoice("in_u", "cus_nobody", "sub_u", status="open", amount=999, start=T0, end=PERIOD_END)
    await _deliver(client, secret, "invoice.payment_failed", failed, 1)
    assert await _run_reminders(runtime, timedelta(days=3, minutes=1)) == 0


async def test_an_account_being_deleted_gets_no_billing_email(
    client: httpx.AsyncClient, runtime: Runtime, secret: str
) -> None:
    ann = await member(runtime, "ann")
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == ann.id).values(deletion_requested_at=utcnow()))
    canceling = se.subscription("sub_d", ann.customer_id, start=T0, end=PERIOD_END, cancel_at_period_end=True)
    await _deliver(client, secret, "customer.subscription.updated", canceling, 1)
    assert await emails_to(runtime, ann.email) == []  # the deletion's own email says it
