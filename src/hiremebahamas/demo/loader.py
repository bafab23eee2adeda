"""Load a whole demo dataset in one transaction: refuse a database that already has people
(unless appending), then each area in foreign-key order, then fresh planner statistics."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from rich.console import Console
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hiremebahamas.config import Environment, Settings
from hiremebahamas.core import security
from hiremebahamas.core.db import build_engine
from hiremebahamas.core.storage import Storage, create_storage
from hiremebahamas.demo import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    applications,
    companies,
    conversations,
    jobs,
    network,
    people,
    plans,
    posts,
)
from hiremebahamas.demo.postgres import checks_set_aside
from hiremebahamas.demo.progress import progress_bars, summary
from hiremebahamas.demo.sizes import Sizes
from hiremebahamas.demo.world import World
from hiremebahamas.demo.writer import BulkWriter, TableStats
from hiremebahamas.legal.documents import current_terms_version
from hiremebahamas.models import (
    ApplicationEvent,
    Comment,
    Company,
    CompanyMember,
    Conversation,
    ConversationParticipant,
    Education,
    Experience,
    Follow,
    Job,
    JobApplication,
    JobSkill,
    Message,
    Notification,
    Post,
    PostLike,
    Profile,
    ProfileSkill,
    User,
)

NOTIFICATION_COLUMNS = ["id", "user_id", "type", "actor_id", "data", "read_at", "created_at"]
# The tables with many rows, loaded without their foreign keys and secondary indexes on PostgreSQL.
BULK_TABLES = [
    model.__tablename__
    for model in (
        User, Profile, ProfileSkill, Experience, Education, CompanyMember, Follow, Post, PostLike, Comment, Job,
        JobSkill, JobApplication, ApplicationEvent, Conversation, ConversationParticipant, Message, Notification,
    )
]  # fmt: skip


class DemoRefused(Exception):
    """Nothing was written, for the reason given."""


@dataclass(frozen=True)
class LoadResult:
    stats: dict[str, TableStats]
    seconds: float


async def _taken(connection: AsyncConnection) -> tuple[int, set[str], set[str]]:
    """How many people there are, and the usernames (and demo email names) and slugs in use."""
    users = (await connection.execute(select(func.count()).select_from(User))).scalar_one()
    if not users:
        return 0, set(), set()
    usernames = set((await connection.execute(select(User.username))).scalars())
    demo_emails = select(User.email).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}"))
    usernames.update(email.split("@", 1)[0] for email in (await connection.execute(demo_emails)).scalars())
    slugs = set((await connection.execute(select(Company.slug))).scalars())
    return users, usernames, slugs


async def _is_migrated(connection: AsyncConnection) -> bool:
    return await connection.run_sync(lambda sync: inspect(sync).has_table("users"))


async def load_demo_data(
    settings: Settings,
    sizes: Sizes,
    *,
    seed: int,
    append: bool = False,
    now: float | None = None,
    console: Console | None = None,
) -> LoadResult:
    """Fill the database. The same seed on an empty database (and the same `now`) gives the same
    rows; an appended load mixes the number of people already there into the seed."""
    if settings.environment == Environment.PRODUCTION:
        raise DemoRefused("Demo accounts share a published password: demo data is never loaded in production.")
    console = console or Console(stderr=True)
    started = time.perf_counter()
    engine = build_engine(settings.sqlalchemy_url, settings)
    storage = create_storage(settings)
    try:
        async with engine.begin() as connection:
            if not await _is_migrated(connection):
                raise DemoRefused("The database has no tables yet: run `hiremebahamas migrate` (or pass --migrate).")
            existing, usernames, slugs = await _taken(connection)
            if existing and not append:
                raise DemoRefused(
                    f"The database already has {existing:,} users: demo data goes into an empty database "
                    "(pass --append to add more alongside)."
                )
            with progress_bars(console) as progress:
                writer = await BulkWriter.open(connection, progress)
                world = World(
                    # Reproducible on purpose: nothing secret is drawn from it.
                    rng=random.Random(f"{seed}:{existing}" if existing else seed),  # noqa: S311
                    now=now if now is not None else time.time(),
                    sizes=sizes,
                    writer=writer,
                    # One argon2 hash for every account: hashing 100,000 times would take half an hour.
                    password_hash=security.hash_password(DEMO_PASSWORD),
                    taken_usernames=usernames,
                    taken_slugs=slugs,
                )
                if engine.dialect.name == "postgresql":
                    async with checks_set_aside(connection, BULK_TABLES, writer.stats):
                        await _load(world, AsyncSession(bind=connection), storage, settings)
                else:
                    await _load(world, AsyncSession(bind=connection), storage, settings)
        if engine.dialect.name == "postgresql":
            analyze_started = time.perf_counter()
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE"))
            writer.stats["(analyze)"] = TableStats(0, time.perf_counter() - analyze_started)
    finally:
        await storage.close()
        await engine.dispose()
    return LoadResult(writer.stats, time.perf_counter() - started)


async def _load(world: World, session: AsyncSession, storage: Storage, settings: Settings) -> None:
    await plans.load_tiers(session)
    await people.load_skills(world)
    await people.load_users(world, current_terms_version(settings))
    await people.load_profiles(world)
    await companies.load_companies(world, session, storage, settings)
    plans.choose_tiers(world)
    await plans.load_subscriptions(world)
    world.notifications = world.writer.sink(Notification, NOTIFICATION_COLUMNS, None)
    await network.load_follows(world)
    await posts.load_posts(world)
    await posts.load_likes(world)
    await posts.load_comments(world)
    await jobs.load_jobs(world)
    await applications.load_applications(world)
    await conversations.load_conversations(world)
    await world.notifications.close()
    await plans.load_usage(world)
    await world.writer.drain()


def print_summary(console: Console, result: LoadResult) -> None:
    console.print(summary(result.stats, result.seconds))
