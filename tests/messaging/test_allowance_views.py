"""The Free plan's message allowance on the messaging pages, without JavaScript: a warning
once 8 of the 10 are used, and a message over it refused on the same page, with its text kept
and the upgrade prompt beside it (not the error page)."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from hiremebahamas.billing.entitlements import Metric, month_of
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import UsageCounter
from hiremebahamas.models.base import utcnow
from tests.helpers import page_csrf
from tests.messaging.people import member
from tests.messaging.test_views import signed_in


async def _set_used(runtime: Runtime, user_id: object, used: int) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(
            update(UsageCounter)
            .where(UsageCounter.user_id == user_id, UsageCounter.metric == Metric.MESSAGES)
            .where(UsageCounter.period == month_of(utcnow()))
            .values(used=used)
        )


async def test_the_allowance_warns_then_refuses_keeping_the_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    signed_in(client, ann)
    token = await page_csrf(client, "/messages/new")
    started = await client.post("/messages", data={"recipient": bob.username, "body": "Hi", "csrf_token": token})
    conversation = started.headers["location"].split("#")[0]
    assert "data-allowance" not in (await client.get(conversation)).text  # 1 of 10

    await _set_used(runtime, ann.id, 8)
    page = await client.get(conversation)
    assert "You have used 8 of your 10 messages this month in conversations you start." in page.text
    assert "You have used 8 of your 10" in (await client.get("/messages/new")).text
    signed_in(client, bob)
    assert "data-allowance" not in (await client.get(conversation)).text  # Bob replies for free

    signed_in(client, ann)
    await _set_used(runtime, ann.id, 10)
    token = await page_csrf(client, conversation)
    refused = await client.post(conversation, data={"body": "My eleventh <message>", "csrf_token": token})
    assert refused.status_code == 402
    assert "My eleventh &lt;message&gt;</textarea>" in refused.text  # the text survives
    assert '<h2 id="upgrade-heading" class="card-title">Upgrade to Pro</h2>' in refused.text
    assert 'action="/billing/checkout"' in refused.text
    assert (
        'id="messages-heading"' in refused.text or "Your message" in refused.text
    )  # the conversation, not an error page
    new = await client.post("/messages", data={"recipient": bob.username, "body": "Another start", "csrf_token": token})
    assert new.status_code == 402
    assert "Another start</textarea>" in new.text
    assert "Upgrade to Pro" in new.text
