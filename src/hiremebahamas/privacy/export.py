"""Everything a person gave or generated, as one JSON document written piece by piece: the API
streams it (`GET /api/users/me/export`) and the archive builder (archive.py) writes the same
pieces into its ZIP.

Each section is read in keyset-ordered batches of BATCH rows, each batch in its own short read
(the connection goes back to the pool between batches, so a slow download holds none), and
written out before the next is read: memory and the number of queries follow the number of
batches, never the number of rows. Keys are sorted within each row; the sections come in the
order of SECTIONS, after `format_version` and `exported_at`.

Nothing secret is written (no password hash, second-factor secret, token or recovery code, no
Stripe customer id) and other people appear only as the person already sees them: the
username and name of a conversation partner, the username of a message's sender, of someone
followed or following, of who caused a notification.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute, aliased

from hiremebahamas.models import (
    ApplicationEvent,
    Block,
    Comment,
    Company,
    CompanyMember,
    Conversation,
    Education,
    Experience,
    Follow,
    Invoice,
    Job,
    JobApplication,
    Message,
    Notification,
    Post,
    PostLike,
    Profile,
    ProfileSkill,
    ProfileViewer,
    SavedSearch,
    Skill,
    Subscription,
    Upload,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.uploads.service import download_name

FORMAT_VERSION = 1
BATCH = 500
"""Rows read and written at a time."""

Sessions = async_sessionmaker[AsyncSession]
Query = Select[*tuple[Any, ...]]
Record = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not exported")


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True, ensure_ascii=False)


async def _batches(sessions: Sessions, query: Query, *order: InstrumentedAttribute[Any]) -> AsyncIterator[list[Any]]:
    """The rows of `query` in `order` (a unique key), BATCH at a time: each batch starts after
    the last row of the one before (a row-value comparison the index answers)."""
    after: tuple[Any, ...] | None = None
    while True:
        page = query.add_columns(*order).order_by(*order).limit(BATCH)
        if after is not None:
            page = page.where(tuple_(*order) > tuple_(*after))
        async with sessions() as session:
            rows = list((await session.execute(page)).all())
        if rows:
            yield [row[: -len(order)] for row in rows]
        if len(rows) < BATCH:
            return
        after = tuple(rows[-1][-len(order) :])


def uploads_of(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Any]]:
    """The person's uploads in batches of (Upload,) rows: the section and the archive's files."""
    return _batches(sessions, select(Upload).where(Upload.owner_id == user_id), Upload.created_at, Upload.id)


def archive_name(upload: Upload) -> str:
    """Where the archive keeps an upload's file, as the `uploads` section names it."""
    return f"files/{upload.id}/{download_name(upload)}"


# Each section: its rows, as batches of records.
Section = Callable[[Sessions, uuid.UUID], AsyncIterator[list[Record]]]


async def _one(sessions: Sessions, query: Query) -> Any:
    async with sessions() as session:
        return (await session.execute(query)).first()


async def _account(sessions: Sessions, user_id: uuid.UUID) -> Record:
    (user,) = await _one(sessions, select(User).where(User.id == user_id))
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "account_type": user.account_type,
        "staff_role": user.staff_role,
        "email_verified_at": user.email_verified_at,
        "two_factor_enabled": user.has_second_factor,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login_at": user.last_login_at,
        "deletion_requested_at": user.deletion_requested_at,
    }


async def _profile(sessions: Sessions, user_id: uuid.UUID) -> Record | None:
    row = await _one(sessions, select(Profile).where(Profile.user_id == user_id))
    if row is None:
        return None
    profile: Profile = row[0]
    return {
        "headline": profile.headline,
        "bio": profile.bio,
        "island": profile.island,
        "available_for_hire": profile.available_for_hire,
        "visibility": profile.visibility,
        "avatar_upload_id": profile.avatar_upload_id,
        "links": profile.links,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }


async def _experience(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Experience).where(Experience.user_id == user_id)
    async for rows in _batches(sessions, query, Experience.created_at, Experience.id):
        yield [
            {
                "id": entry.id,
                "title": entry.title,
                "company_name": entry.company_name,
                "island": entry.island,
                "start_date": entry.start_date,
                "end_date": entry.end_date,
                "description": entry.description,
                "created_at": entry.created_at,
            }
            for (entry,) in rows
        ]


async def _education(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Education).where(Education.user_id == user_id)
    async for rows in _batches(sessions, query, Education.created_at, Education.id):
        yield [
            {
                "id": entry.id,
                "school": entry.school,
                "degree": entry.degree,
                "field_of_study": entry.field_of_study,
                "start_year": entry.start_year,
                "end_year": entry.end_year,
                "created_at": entry.created_at,
            }
            for (entry,) in rows
        ]


async def _skills(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Skill.name).join_from(ProfileSkill, Skill).where(ProfileSkill.user_id == user_id)
    async for rows in _batches(sessions, query, Skill.name, Skill.id):
        yield [{"name": name} for (name,) in rows]


async def _posts(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Post).where(Post.author_id == user_id)
    async for rows in _batches(sessions, query, Post.created_at, Post.id):
        yield [
            {
                "id": post.id,
                "body": post.body,
                "image_upload_id": post.image_upload_id,
                "like_count": post.like_count,
                "comment_count": post.comment_count,
                "created_at": post.created_at,
                "edited_at": post.edited_at,
                "removed_at": post.removed_at,
            }
            for (post,) in rows
        ]


async def _comments(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Comment).where(Comment.author_id == user_id)
    async for rows in _batches(sessions, query, Comment.created_at, Comment.id):
        yield [
            {
                "id": comment.id,
                "post_id": comment.post_id,
                "body": comment.body,
                "created_at": comment.created_at,
                "removed_at": comment.removed_at,
            }
            for (comment,) in rows
        ]


async def _likes(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(PostLike.post_id).where(PostLike.user_id == user_id)
    async for rows in _batches(sessions, query, PostLike.created_at, PostLike.post_id):
        yield [{"post_id": post_id} for (post_id,) in rows]


def _people(sessions: Sessions, query: Query, *order: InstrumentedAttribute[Any]) -> AsyncIterator[list[Record]]:
    """Rows of (username, created_at) as records: follows and blocks."""

    async def records() -> AsyncIterator[list[Record]]:
        async for rows in _batches(sessions, query, *order):
            yield [{"username": username, "since": since} for username, since in rows]

    return records()


def _following(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(User.username, Follow.created_at).join(User, User.id == Follow.followee_id)
    query = query.where(Follow.follower_id == user_id)
    return _people(sessions, query, Follow.created_at, Follow.followee_id)


def _followers(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(User.username, Follow.created_at).join(User, User.id == Follow.follower_id)
    query = query.where(Follow.followee_id == user_id)
    return _people(sessions, query, Follow.created_at, Follow.follower_id)


def _blocks(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    """The people this person blocked; who blocked them is not theirs to see."""
    query = select(User.username, Block.created_at).join(User, User.id == Block.blocked_id)
    query = query.where(Block.blocker_id == user_id)
    return _people(sessions, query, Block.created_at, Block.blocked_id)


async def _profiles_viewed(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    """The profiles this person looked at, and on which days (profiles/viewers.py)."""
    query = select(User.username, ProfileViewer.day).join(User, User.id == ProfileViewer.profile_id)
    query = query.where(ProfileViewer.viewer_id == user_id)
    async for rows in _batches(sessions, query, ProfileViewer.day, ProfileViewer.profile_id):
        yield [{"username": username, "day": day} for username, day in rows]


def _theirs(user_id: uuid.UUID) -> Any:
    return or_(Conversation.user_a_id == user_id, Conversation.user_b_id == user_id)


async def _conversations(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    other = aliased(User)
    partner = case((Conversation.user_a_id == user_id, Conversation.user_b_id), else_=Conversation.user_a_id)
    query = select(Conversation, other).join(other, other.id == partner)
    async for rows in _batches(sessions, query.where(_theirs(user_id)), Conversation.created_at, Conversation.id):
        yield [
            {
                "id": conversation.id,
                "with": {"username": person.username, "name": person.full_name},
                "started_by_you": conversation.started_by_id == user_id,
                "created_at": conversation.created_at,
            }
            for conversation, person in rows
        ]


async def _messages(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    """Every message of the conversations the person is in, theirs and the other person's, in
    conversation order (the index on (conversation, time, id))."""
    conversations = select(Conversation.id).where(_theirs(user_id))
    query = select(Message, User.username).join(User, User.id == Message.sender_id)
    query = query.where(Message.conversation_id.in_(conversations))
    order = (Message.conversation_id, Message.created_at, Message.id)
    async for rows in _batches(sessions, query, *order):
        yield [
            {
                "id": message.id,
                "conversation_id": message.conversation_id,
                "from": sender,
                # A message moderators removed is gone for the other person; its author keeps it.
                "body": message.body if message.removed_at is None or message.sender_id == user_id else None,
                "created_at": message.created_at,
                "removed_at": message.removed_at,
            }
            for message, sender in rows
        ]


async def _applications(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    """The person's applications with their history (one query for a batch's events); who
    moved an application is not said, only whether it was the applicant."""
    query = (
        select(JobApplication, Job.title, Company.name)
        .join(Job, Job.id == JobApplication.job_id)
        .join(Company, Company.id == Job.company_id)
        .where(JobApplication.applicant_id == user_id)
    )
    async for rows in _batches(sessions, query, JobApplication.created_at, JobApplication.id):
        ids = [application.id for application, _title, _company in rows]
        events = (
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id.in_(ids))
            .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
        )
        history: dict[uuid.UUID, list[Record]] = {}
        async with sessions() as session:
            for event in (await session.execute(events)).scalars():
                history.setdefault(event.application_id, []).append(
                    {
                        "from_status": event.from_status,
                        "to_status": event.to_status,
                        "by_you": event.actor_id == user_id,
                        "at": event.created_at,
                    }
                )
        yield [
            {
                "id": application.id,
                "job": {"id": application.job_id, "title": title, "company": company},
                "cover_letter": application.cover_letter,
                "cv_upload_id": application.cv_upload_id,
                "status": application.status,
                "created_at": application.created_at,
                "updated_at": application.updated_at,
                "history": history.get(application.id, []),
            }
            for application, title, company in rows
        ]


async def _saved_searches(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(SavedSearch).where(SavedSearch.user_id == user_id)
    async for rows in _batches(sessions, query, SavedSearch.created_at, SavedSearch.id):
        yield [
            {
                "id": saved.id,
                "query": saved.query,
                "frequency": saved.frequency,
                "created_at": saved.created_at,
                "last_sent_at": saved.last_sent_at,
            }
            for (saved,) in rows
        ]


async def _notifications(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Notification, User.username).outerjoin(User, User.id == Notification.actor_id)
    query = query.where(Notification.user_id == user_id)
    async for rows in _batches(sessions, query, Notification.created_at, Notification.id):
        yield [
            {
                "id": notification.id,
                "type": notification.type,
                "actor": actor,
                "data": notification.data,
                "read_at": notification.read_at,
                "created_at": notification.created_at,
            }
            for notification, actor in rows
        ]


def _managed(user_id: uuid.UUID) -> Query:
    return select(CompanyMember.company_id).where(CompanyMember.user_id == user_id)


async def _companies(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Company, CompanyMember.role, CompanyMember.created_at.label("joined_at"))
    query = query.join(CompanyMember, CompanyMember.company_id == Company.id).where(CompanyMember.user_id == user_id)
    async for rows in _batches(sessions, query, Company.created_at, Company.id):
        yield [
            {
                "id": company.id,
                "slug": company.slug,
                "name": company.name,
                "website": company.website,
                "island": company.island,
                "about": company.about,
                "logo_upload_id": company.logo_upload_id,
                "verified_at": company.verified_at,
                "your_role": role,
                "joined_at": joined_at,
                "created_at": company.created_at,
            }
            for company, role, joined_at in rows
        ]


async def _jobs(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    """Every job of the companies the person is on the team of, drafts and closed ones too."""
    query = select(Job, Company.slug).join(Company, Company.id == Job.company_id)
    query = query.where(Job.company_id.in_(_managed(user_id)))
    async for rows in _batches(sessions, query, Job.created_at, Job.id):
        yield [
            {
                "id": job.id,
                "company": slug,
                "title": job.title,
                "slug": job.slug,
                "description": job.description,
                "island": job.island,
                "remote": job.remote,
                "employment_type": job.employment_type,
                "category": job.category,
                "salary_min": job.salary_min,
                "salary_max": job.salary_max,
                "salary_period": job.salary_period,
                "currency": job.currency,
                "status": job.status,
                "posted_by_you": job.posted_by_id == user_id,
                "valid_through": job.valid_through,
                "published_at": job.published_at,
                "closed_at": job.closed_at,
                "created_at": job.created_at,
            }
            for job, slug in rows
        ]


async def _subscription(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    """Every paid-plan subscription the person had, oldest first (the last is the current one)."""
    query = select(Subscription).where(Subscription.user_id == user_id)
    async for rows in _batches(sessions, query, Subscription.created_at, Subscription.id):
        yield [
            {
                "id": subscription.id,
                "tier": subscription.tier,
                "interval": subscription.interval,
                "status": subscription.status,
                "current_period_start": subscription.current_period_start,
                "current_period_end": subscription.current_period_end,
                "cancel_at_period_end": subscription.cancel_at_period_end,
                "canceled_at": subscription.canceled_at,
                "ended_at": subscription.ended_at,
                "created_at": subscription.created_at,
            }
            for (subscription,) in rows
        ]


async def _invoices(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    query = select(Invoice).where(Invoice.user_id == user_id)
    async for rows in _batches(sessions, query, Invoice.created_at, Invoice.id):
        yield [
            {
                "id": invoice.id,
                "number": invoice.stripe_invoice_id,
                "amount_due": invoice.amount_due,
                "amount_paid": invoice.amount_paid,
                "currency": invoice.currency,
                "status": invoice.status,
                "period_start": invoice.period_start,
                "period_end": invoice.period_end,
                "hosted_invoice_url": invoice.hosted_invoice_url,
                "created_at": invoice.created_at,
            }
            for (invoice,) in rows
        ]


async def _uploads(sessions: Sessions, user_id: uuid.UUID) -> AsyncIterator[list[Record]]:
    async for rows in uploads_of(sessions, user_id):
        yield [
            {
                "id": upload.id,
                "purpose": upload.purpose,
                "content_type": upload.content_type,
                "size": upload.size,
                "width": upload.width,
                "height": upload.height,
                "original_name": upload.original_name,
                "created_at": upload.created_at,
                "archive_file": archive_name(upload),
            }
            for (upload,) in rows
        ]


@dataclass(frozen=True)
class Single:
    read: Callable[[Sessions, uuid.UUID], Awaitable[Record | None]]


SECTIONS: tuple[tuple[str, Single | Section], ...] = (
    ("account", Single(_account)),
    ("profile", Single(_profile)),
    ("experience", _experience),
    ("education", _education),
    ("skills", _skills),
    ("posts", _posts),
    ("comments", _comments),
    ("likes", _likes),
    ("follows", _following),
    ("followers", _followers),
    ("blocks", _blocks),
    ("profiles_viewed", _profiles_viewed),
    ("conversations", _conversations),
    ("messages", _messages),
    ("applications", _applications),
    ("saved_searches", _saved_searches),
    ("notifications", _notifications),
    ("companies", _companies),
    ("jobs", _jobs),
    ("subscription", _subscription),
    ("invoices", _invoices),
    ("uploads", _uploads),
)
"""The document's sections, in order: an object (or null), or a list of records."""


async def export_document(sessions: Sessions, user_id: uuid.UUID, now: datetime | None = None) -> AsyncIterator[str]:
    """The JSON document, one piece per section head and per batch of rows."""
    head = {"format_version": FORMAT_VERSION, "exported_at": now or utcnow()}
    yield _json(head)[:-1]  # without its closing brace: the sections follow
    for name, section in SECTIONS:
        if isinstance(section, Single):
            yield f", {_json(name)}: {_json(await section.read(sessions, user_id))}"
            continue
        opening = f", {_json(name)}: ["
        async for records in section(sessions, user_id):
            yield opening + ", ".join(_json(record) for record in records)
            opening = ", "
        yield "]" if opening == ", " else opening + "]"
    yield "}\n"
