"""The new message page finds people by name (a GET form, with htmx as it is typed), then
writes to the one chosen; nobody hidden from the writer is listed."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import page_csrf
from tests.messaging.people import block, member
from tests.messaging.test_views import signed_in


async def test_find_someone_by_name_then_write(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    await member(runtime, "Bobby")
    signed_in(client, ann)
    page = await client.get("/messages/new")
    assert 'hx-get="/messages/new/people"' in page.text
    assert 'name="recipient"' not in page.text  # no free-text username
    found = await client.get("/messages/new", params={"q": "bob ROLLE"})  # without JavaScript
    assert f'href="/messages/new?to={bob.username}"' in found.text
    only = await client.get("/messages/new", params={"q": "bobby rolle"})  # every word must match
    assert "Bobby Rolle" in only.text
    assert f'href="/messages/new?to={bob.username}"' not in only.text
    fragment = await client.get("/messages/new/people", params={"q": "bob"})
    assert fragment.text.lstrip().startswith('<div id="recipient-results"')
    assert "Bob Rolle" in fragment.text
    assert "Bobby Rolle" in fragment.text
    assert "Ann Rolle" not in (await client.get("/messages/new/people", params={"q": "rolle"})).text  # not oneself
    assert "Nobody by that name" in (await client.get("/messages/new/people", params={"q": "zed"})).text
    assert "Nobody" not in (await client.get("/messages/new/people", params={"q": " \x00 "})).text

    chosen = await client.get("/messages/new", params={"to": bob.username})
    assert "To: <strong>Bob Rolle</strong>" in chosen.text
    assert f'name="recipient" value="{bob.username}"' in chosen.text
    token = await page_csrf(client, "/messages/new")
    sent = await client.post("/messages", data={"recipient": bob.username, "body": "Hi Bob", "csrf_token": token})
    assert sent.status_code == 303


async def test_nobody_hidden_is_listed_or_chosen(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    await block(runtime, bob.id, ann.id)
    signed_in(client, ann)
    assert "Bob Rolle" not in (await client.get("/messages/new/people", params={"q": "bob"})).text
    page = await client.get("/messages/new", params={"to": bob.username})
    assert "We could not find that person" in page.text
    assert "We could not find that person" in (await client.get("/messages/new?to=nobody-at-all")).text
    client.cookies.clear()
    assert (await client.get("/messages/new/people", params={"q": "bob"})).status_code == 303
