"""Lists cost a constant number of queries, whatever their length."""

from __future__ import annotations

import uuid

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AccountType, Conversation, ConversationParticipant, Message, Notification, User
from hiremebahamas.models.base import new_id, utcnow
from tests.helpers import counted_queries
from tests.messaging.people import member


async def _conversations(runtime: Runtime, owner_id: uuid.UUID, count: int, start: int) -> str:
    """`count` conversations of the owner with new people, written directly; returns one id."""
    last = ""
    async with runtime.database.sessionmaker.begin() as session:
        for n in range(start, start + count):
            other = User(
                email=f"p{n}@example.com",
                username=f"p{n}",
                password_hash="x",
                first_name=f"P{n}",
                last_name="Test",
                account_type=AccountType.JOB_SEEKER,
                email_verified_at=utcnow(),
            )
            session.add(other)
            await session.flush()
            low, high = sorted((owner_id, other.id))
            conversation = Conversation(id=new_id(), user_a_id=low, user_b_id=high, started_by_id=other.id)
            session.add(conversation)
            await session.flush()
            message = Message(id=new_id(), conversation_id=conversation.id, sender_id=other.id, body=f"hi {n}")
            session.add(message)
            conversation.last_message_id, conversation.last_message_at = message.id, message.created_at
            for person in (owner_id, other.id):
                session.add(ConversationParticipant(conversation_id=conversation.id, user_id=person, unread_count=1))
                session.add(Notification(user_id=owner_id, type="follow.created", actor_id=other.id, data={}))
            for _ in range(3):
                session.add(Message(id=new_id(), conversation_id=conversation.id, sender_id=owner_id, body="reply"))
            last = str(conversation.id)
    return last


async def _count(client: httpx.AsyncClient, runtime: Runtime, url: str, headers: dict[str, str], expect: int) -> int:
    with counted_queries(runtime) as log:
        response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == expect
    return log.count


async def test_lists_run_a_constant_number_of_queries(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    await _conversations(runtime, ann.id, 3, 0)
    small = {
        "inbox": await _count(client, runtime, "/api/conversations?limit=100", ann.headers, 3),
        "notifications": await _count(client, runtime, "/api/notifications?limit=100", ann.headers, 6),
    }
    conversation_id = await _conversations(runtime, ann.id, 17, 3)
    large = {
        "inbox": await _count(client, runtime, "/api/conversations?limit=100", ann.headers, 20),
        "notifications": await _count(client, runtime, "/api/notifications?limit=100", ann.headers, 40),
    }
    assert small == large

    async with runtime.database.sessionmaker.begin() as session:
        session.add_all(
            Message(id=new_id(), conversation_id=uuid.UUID(conversation_id), sender_id=ann.id, body=f"more {n}")
            for n in range(20)
        )
    url = f"/api/conversations/{conversation_id}/messages"
    few = await _count(client, runtime, f"{url}?limit=3", ann.headers, 3)
    many = await _count(client, runtime, f"{url}?limit=20", ann.headers, 20)
    assert few == many
