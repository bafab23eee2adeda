"""Finding whom to write to by name, for the new message page: people whose name has every
word typed (or whose username starts with it), whom the writer may see listed.

The name match is the talent directory's expression (lower-cased "first last" containing the
word), which the trigram index of migration 0008 serves on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import User
from hiremebahamas.profiles.people import PersonCard, card, people_query, visible_to

MAX_RESULTS = 8
MAX_WORDS = 4


async def find_recipients(session: AsyncSession, writer: User, q: str, limit: int = MAX_RESULTS) -> list[PersonCard]:
    words = [word[:60] for word in q.lower().split()][:MAX_WORDS]
    if not words:
        return []
    name = func.lower(User.first_name + " " + User.last_name)
    by_name = and_(*(name.contains(word, autoescape=True) for word in words))
    by_username = User.username.startswith(words[0], autoescape=True)
    query = (
        people_query()
        .where(or_(by_name, by_username), visible_to(writer.id), User.id != writer.id)
        .order_by(User.first_name, User.last_name, User.id)
        .limit(limit)
    )
    return [card(user, profile) for user, profile in await session.execute(query)]


async def recipient_named(session: AsyncSession, writer: User, username: str) -> PersonCard | None:
    """The person a "Message" button chose, when the writer may see them."""
    query = people_query().where(User.username == username.strip().lower(), visible_to(writer.id))
    row = (await session.execute(query)).first()
    return card(*row) if row is not None else None
