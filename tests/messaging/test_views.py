"""The messaging pages: inbox, new message, conversation (plain forms, no JavaScript)."""

from __future__ import annotations

import re

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.templating import environment
from tests.factories import Member
from tests.helpers import page_csrf
from tests.messaging.people import block, member, messages_in

_CLIENT_ID = re.compile(r'name="client_id" value="([^"]+)"')


def signed_in(client: httpx.AsyncClient, who: Member) -> None:
    client.cookies.clear()
    client.cookies.set("hmb_session", who.cookie)


async def test_write_a_new_message_then_reply(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    signed_in(client, ann)
    page = await client.get(f"/messages/new?to={bob.username}")
    assert page.status_code == 200
    assert f'value="{bob.username}"' in page.text
    client_id = _CLIENT_ID.search(page.text)
    assert client_id is not None
    form = {"recipient": bob.username, "body": "Hello <b>Bob</b>", "client_id": client_id.group(1)}
    token = await page_csrf(client, "/messages/new")
    response = await client.post("/messages", data={**form, "csrf_token": token})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/messages/")
    conversation_id = location.split("/")[2].split("#")[0]
    # The same form sent twice (a double click) is one message.
    assert (await client.post("/messages", data={**form, "csrf_token": token})).status_code == 303
    assert len(await messages_in(runtime, conversation_id)) == 1

    signed_in(client, bob)
    inbox = await client.get("/messages")
    assert "Ann Rolle" in inbox.text
    assert 'data-live-badge="conversations"' in inbox.text
    assert re.search(r'data-live-badge="conversations"><span data-live-count>1<', inbox.text)
    conversation = await client.get(f"/messages/{conversation_id}")
    assert conversation.status_code == 200
    assert "Hello &lt;b&gt;Bob&lt;/b&gt;" in conversation.text  # escaped
    # Viewing the conversation read it: the badge is gone on the next page.
    assert re.search(r'data-live-badge="conversations" hidden>', (await client.get("/messages")).text)

    token = await page_csrf(client, f"/messages/{conversation_id}")
    reply = await client.post(
        f"/messages/{conversation_id}", data={"body": "Hi Ann", "client_id": "r1", "csrf_token": token}
    )
    assert reply.status_code == 303
    signed_in(client, ann)
    assert "Seen" in (await client.get(f"/messages/{conversation_id}")).text
    assert [m.body for m in await messages_in(runtime, conversation_id)] == ["Hello <b>Bob</b>", "Hi Ann"]


async def test_form_errors_are_shown(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    signed_in(client, ann)
    token = await page_csrf(client, "/messages/new")
    response = await client.post("/messages", data={"recipient": "nobody", "body": "Hi", "csrf_token": token})
    assert response.status_code == 404
    assert "We could not find that person. Look them up by name." in response.text
    response = await client.post("/messages", data={"recipient": bob.username, "body": " ", "csrf_token": token})
    assert response.status_code == 422
    assert "Write a message first." in response.text
    assert (await client.post("/messages", data={"recipient": bob.username, "body": "Hi"})).status_code == 403

    ok = await client.post("/messages", data={"recipient": bob.username, "body": "Hi", "csrf_token": token})
    conversation_id = ok.headers["location"].split("/")[2].split("#")[0]
    await block(runtime, bob.id, ann.id)
    page = await client.get(f"/messages/{conversation_id}")
    assert "one of you has blocked the other" in page.text
    refused = await client.post(f"/messages/{conversation_id}", data={"body": "Hello?", "csrf_token": token})
    assert refused.status_code == 403
    assert "You cannot message this person." in refused.text


async def test_pages_need_sign_in_and_membership(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, eve = await member(runtime, "Ann"), await member(runtime, "Bob"), await member(runtime, "Eve")
    response = await client.get("/messages")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/messages"
    signed_in(client, ann)
    token = await page_csrf(client, "/messages/new")
    ok = await client.post("/messages", data={"recipient": bob.username, "body": "Hi", "csrf_token": token})
    conversation_id = ok.headers["location"].split("/")[2].split("#")[0]
    signed_in(client, eve)
    assert (await client.get(f"/messages/{conversation_id}")).status_code == 404


def test_message_button_shows_for_other_people_only() -> None:
    template = environment().get_template("messaging/_message_button.html")

    class Viewer:
        username = "ann-rolle"

    html = template.render(current_user=Viewer(), message_username="bob rolle")
    assert 'href="/messages/new?to=bob%20rolle"' in html
    assert "Message" in html
    assert "Message" not in template.render(current_user=Viewer(), message_username="ann-rolle")
    assert "Message" not in template.render(current_user=None, message_username="bob")
