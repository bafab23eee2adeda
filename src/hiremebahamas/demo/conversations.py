"""Direct messages: conversations between two people (seekers often write to employers), a
few long threads and many short ones. The denormalised fields are what the messaging service
keeps: the conversation's last message, each side's place in the inbox, how far each side
read and how many messages from the other are unread since."""

from __future__ import annotations

import uuid
from collections import Counter

from hiremebahamas.billing.entitlements import Metric
from hiremebahamas.billing.tiers import SEED, tier_by_code
from hiremebahamas.demo.ids import at, recent_between, uuid7_at
from hiremebahamas.demo.people import fill
from hiremebahamas.demo.words import MESSAGES
from hiremebahamas.demo.world import World
from hiremebahamas.models import Conversation, ConversationParticipant, Message, TierCode

FREE_MESSAGES = tier_by_code(list(SEED), TierCode.FREE).messages_per_month or 0
READ_ALL = 0.7
_PARTICIPANT_COLUMNS = [
    "conversation_id", "user_id", "last_message_at", "unread_count", "last_read_message_id",
    "last_read_message_at", "last_read_at", "unread_emailed_at",
]  # fmt: skip


def _pairs(world: World, count: int) -> list[tuple[int, int]]:
    """(starter, other) pairs, one conversation per pair whoever started it."""
    rng, people = world.rng, world.people
    employers = [i for i in range(len(people)) if people.employer[i]]
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int]] = []
    for _ in range(count * 5):
        if len(pairs) == count:
            break
        starter = world.active_person()
        other = rng.choice(employers) if employers and rng.random() < 0.4 else world.active_person()
        key = (min(starter, other), max(starter, other))
        if starter == other or key in seen:
            continue
        seen.add(key)
        pairs.append((starter, other))
    return pairs


async def load_conversations(world: World) -> None:
    rng, people, now = world.rng, world.people, world.now
    pairs = _pairs(world, world.sizes.conversations)
    if not pairs:
        return
    # Every conversation has a first message; the rest go mostly to a few long threads.
    weights = [rng.paretovariate(1.2) for _ in pairs]
    extra = Counter(rng.choices(range(len(pairs)), weights=weights, k=max(0, world.sizes.messages - len(pairs))))
    columns = ["id", "user_a_id", "user_b_id", "started_by_id", "last_message_id", "last_message_at", "created_at"]
    conversations = world.writer.sink(Conversation, columns, len(pairs))
    participants = world.writer.sink(
        ConversationParticipant, _PARTICIPANT_COLUMNS, 2 * len(pairs), parents=[conversations]
    )
    messages = world.writer.sink(
        Message,
        ["id", "conversation_id", "sender_id", "body", "client_id", "created_at"],
        world.sizes.messages,
        parents=[conversations],
    )
    for k, (starter, other) in enumerate(pairs):
        count = 1 + extra[k]
        start = recent_between(rng, max(people.joined[starter], people.joined[other]), now)
        if _over_free_limit(world, starter, start):
            starter, other = other, starter  # the one with messages left starts it
        gap = min(6 * 3600.0, (now - start) / (count + 1))
        conversation_id = uuid7_at(rng, start)
        thread: list[tuple[uuid.UUID, int, float]] = []
        moment, sender = start, starter
        for n in range(count):
            if n:
                # Never past now, and a millisecond apart at the least: a thread's order is its time order.
                moment = min(now - (count - n) * 0.001, moment + rng.expovariate(1 / gap))
                sender = (other if sender == starter else starter) if rng.random() < 0.6 else sender
            if sender == starter and _over_free_limit(world, starter, moment):
                sender = other  # replies are unlimited; the starter's own sends are not on Free
            if sender == starter:
                world.count_usage(starter, Metric.MESSAGES.value, moment)
            thread.append((uuid7_at(rng, moment), sender, moment))
        last_id, _, last_at = thread[-1]
        low, high = sorted((starter, other), key=lambda person: people.ids[person])
        await conversations.put(
            (conversation_id, people.ids[low], people.ids[high], people.ids[starter], last_id, at(last_at), at(start))
        )
        for person in (low, high):
            await participants.put(await _participant(world, conversation_id, person, thread))
        for message_id, author, when in thread:
            body = fill(rng, rng.choice(MESSAGES))
            await messages.put((message_id, conversation_id, people.ids[author], body, None, at(when)))
    await conversations.close()
    await participants.close()
    await messages.close()


def _over_free_limit(world: World, starter: int, moment: float) -> bool:
    if moment < world.month_start or world.people.tier[starter] != TierCode.FREE:
        return False
    return world.usage.get((starter, Metric.MESSAGES.value), 0) >= FREE_MESSAGES


async def _participant(
    world: World, conversation_id: uuid.UUID, person: int, thread: list[tuple[uuid.UUID, int, float]]
) -> tuple[object, ...]:
    """One side's row. Most people read everything; the others read up to their own last message
    (or nothing yet), and what the other person sent after it is unread — with one notification
    for the first unread message, as the app sends one per unread stretch."""
    people, rng = world.people, world.rng
    _, _, last_at = thread[-1]
    read_through = len(thread) - 1
    if rng.random() >= READ_ALL:
        own = [n for n, (_, author, _) in enumerate(thread) if author == person]
        read_through = own[-1] if own else -1
    unread = [entry for entry in thread[read_through + 1 :] if entry[1] != person]
    read_id = read_at = read_message_at = None
    if read_through >= 0:
        read_id, _, read_moment = thread[read_through]
        read_message_at = at(read_moment)
        read_at = at(min(world.now, read_moment + rng.uniform(0, 3600)))
    if unread:
        first_id, sender, first_at = unread[0]
        data = {"conversation_id": str(conversation_id), "message_id": str(first_id)}
        await world.notify(person, sender, "message.created", data, first_at)
    row = (conversation_id, people.ids[person], at(last_at), len(unread), read_id, read_message_at, read_at, None)
    return row
