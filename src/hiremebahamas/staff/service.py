"""Accounts as staff see them, and what staff may do to them: find, look into, suspend,
reinstate, force a password reset, verify an email, give or take a staff role. Every action is written to the audit log
in the same unit of work.

Suspending signs the person out everywhere (their sessions are revoked), refuses their logins
with the reason and the end date, and hides what they wrote: everything that shows content
checks that its author is active. A suspension with an end is lifted by the periodic run
(`end_expired_suspensions`), or at the person's next login attempt if that comes first.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import cast as cast_column

from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, func, not_, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hiremebahamas.accounts.service import account_state, lift_suspension, request_password_reset, revoke_all_sessions
from hiremebahamas.billing.entitlements import LIVE_STATUSES, holdings_of
from hiremebahamas.billing.tiers import load_tiers
from hiremebahamas.config import Settings
from hiremebahamas.core import audit, response_areas
from hiremebahamas.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.pagination import Position, newest_first_after, next_cursor
from hiremebahamas.core.sql import dialect_name
from hiremebahamas.models import (
    AccountType,
    AuthSession,
    Comment,
    Company,
    Follow,
    Job,
    JobApplication,
    JobStatus,
    Post,
    Report,
    ReportStatus,
    ReportTarget,
    StaffRole,
    Subscription,
    SubscriptionStatus,
    TierCode,
    TierGrant,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.notifications.service import notify
from hiremebahamas.notifications.types import JOB_TAKEN_DOWN
from hiremebahamas.privacy.service import request_deletion

NOT_FOUND = "There is no account with that username."


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    status: AccountStatus | None = None
    tier: TierCode | None = None
    account_type: AccountType | None = None


@dataclass(frozen=True)
class UserRow:
    user: User
    tier: TierCode


def _live_paid(tier: TierCode | None = None) -> ColumnElement[bool]:
    """A live subscription or comp (of `tier`)."""
    now = utcnow()
    paid = select(Subscription.id).where(Subscription.user_id == User.id, Subscription.status.in_(LIVE_STATUSES))
    comped = select(TierGrant.id).where(
        TierGrant.user_id == User.id, TierGrant.ended_at.is_(None), TierGrant.starts_at <= now, TierGrant.ends_at > now
    )
    if tier is not None:
        paid, comped = paid.where(Subscription.tier == tier), comped.where(TierGrant.tier == tier)
    return or_(exists(paid), exists(comped))


def _escaped(q: str) -> str:
    """`q` lower-cased for LIKE, its wildcards taken literally ("" for none)."""
    return q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_pattern(q: str) -> str:
    return f"%{escaped}%" if (escaped := _escaped(q)) else ""


def _search(filters: UserFilters) -> Select[User]:
    query = select(User)
    if q := _escaped(filters.q):
        # Prefixes of the handle and the email use their unique indexes; a part of the name, the
        # trigram index on PostgreSQL (migration 0008).
        name = func.lower(User.first_name + " " + User.last_name)
        query = query.where(
            or_(
                User.username.like(q + "%", escape="\\"),
                User.email.like(q + "%", escape="\\"),
                name.like("%" + q + "%", escape="\\"),
            )
        )
    if filters.status is not None:
        query = query.where(User.is_active.is_(filters.status is AccountStatus.ACTIVE))
    if filters.account_type is not None:
        query = query.where(User.account_type == filters.account_type)
    if filters.tier is TierCode.FREE:
        query = query.where(not_(_live_paid()))
    elif filters.tier is not None:
        query = query.where(_live_paid(filters.tier))
    return query.order_by(User.created_at.desc(), User.id.desc())


async def search_users(
    session: AsyncSession, filters: UserFilters, position: Position | None, limit: int
) -> tuple[list[UserRow], str | None]:
    """Newest accounts first: up to `limit` after `position`, each with the tier in force, and
    the next page's cursor."""
    query = _search(filters)
    if (after := newest_first_after(User.created_at, User.id, position)) is not None:
        query = query.where(after)
    users = list((await session.execute(query.limit(limit + 1))).scalars())
    return await with_tiers(session, users[:limit]), next_cursor(users, limit)


async def with_tiers(session: AsyncSession, users: list[User]) -> list[UserRow]:
    """The same queries for the whole page's subscriptions and comps, however long it is."""
    if not users:
        return []
    tiers, now = await load_tiers(session), utcnow()
    holdings = await holdings_of(session, [user.id for user in users], now)
    return [UserRow(user, holdings.plan(tiers, user.id, now).tier.code) for user in users]


@dataclass(frozen=True)
class Counts:
    posts: int
    comments: int
    followers: int
    following: int
    applications: int
    jobs_posted: int
    live_sessions: int
    reports_by: int
    reports_about: int


@dataclass(frozen=True)
class UserSummary:
    row: UserRow
    counts: Counts
    subscription: Subscription | None
    comp: TierGrant | None
    """The complimentary plan in force, if any (staff/comps.py)."""
    reports_about: list[Report]
    reports_by: list[Report]


def _count(query: Select[int]) -> ColumnElement[int]:
    return query.scalar_subquery()


def _names(column: InstrumentedAttribute[uuid.UUID], dialect: str) -> ColumnElement[bool]:
    """`Report.target_id` (a UUID's canonical text) names the row whose id is `column`. SQLite
    keeps UUIDs as 32 hex digits, PostgreSQL as its own type."""
    if dialect == "postgresql":
        return Report.target_id == cast(column, String)
    return func.replace(Report.target_id, "-", "") == column


def _about(user_id: uuid.UUID, dialect: str) -> ColumnElement[bool]:
    """Reports on the person or on anything they wrote."""
    return or_(
        and_(Report.target_type == ReportTarget.USER, Report.target_id == str(user_id)),
        and_(
            Report.target_type == ReportTarget.POST,
            exists().where(Post.author_id == user_id, _names(Post.id, dialect)),
        ),
        and_(
            Report.target_type == ReportTarget.COMMENT,
            exists().where(Comment.author_id == user_id, _names(Comment.id, dialect)),
        ),
    )


async def actioned_reports_about(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
    """For each person, how many reports on them or on what they wrote moderators acted on (repeat
    offenders), in one query; nobody without any is in the answer."""
    if not user_ids:
        return {}
    dialect, actioned = dialect_name(session), Report.status == ReportStatus.ACTIONED
    about = union_all(
        select(User.id.label("author_id"))
        .join(Report, _names(User.id, dialect))
        .where(User.id.in_(user_ids), Report.target_type == ReportTarget.USER, actioned),
        select(Post.author_id)
        .join(Report, _names(Post.id, dialect))
        .where(Post.author_id.in_(user_ids), Report.target_type == ReportTarget.POST, actioned),
        select(Comment.author_id)
        .join(Report, _names(Comment.id, dialect))
        .where(Comment.author_id.in_(user_ids), Report.target_type == ReportTarget.COMMENT, actioned),
    ).subquery()
    counts = await session.execute(select(about.c.author_id, func.count()).group_by(about.c.author_id))
    return {author_id: int(count) for author_id, count in counts}


async def find_user(session: AsyncSession, username: str) -> User:
    user = (await session.execute(select(User).where(User.username == username.strip().lower()))).scalar_one_or_none()
    if user is None:
        raise NotFound(NOT_FOUND)
    return user


async def user_summary(session: AsyncSession, username: str, *, recent: int = 20) -> UserSummary:
    """The person, their plan, what they did (counts) and the reports by and about them."""
    user = await find_user(session, username)
    now, about_them = utcnow(), _about(user.id, dialect_name(session))
    counts = (
        await session.execute(
            select(
                _count(select(func.count()).select_from(Post).where(Post.author_id == user.id)),
                _count(select(func.count()).select_from(Comment).where(Comment.author_id == user.id)),
                _count(select(func.count()).select_from(Follow).where(Follow.followee_id == user.id)),
                _count(select(func.count()).select_from(Follow).where(Follow.follower_id == user.id)),
                _count(select(func.count()).select_from(JobApplication).where(JobApplication.applicant_id == user.id)),
                _count(select(func.count()).select_from(Job).where(Job.posted_by_id == user.id)),
                _count(
                    select(func.count())
                    .select_from(AuthSession)
                    .where(
                        AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now
                    )
                ),
                _count(select(func.count()).select_from(Report).where(Report.reporter_id == user.id)),
                _count(select(func.count()).select_from(Report).where(about_them)),
            )
        )
    ).one()
    about = select(Report).where(about_them).order_by(Report.created_at.desc()).limit(recent)
    by = select(Report).where(Report.reporter_id == user.id).order_by(Report.created_at.desc()).limit(recent)
    holdings = await holdings_of(session, [user.id], now)
    plan = holdings.plan(await load_tiers(session), user.id, now)
    subscriptions = holdings.subscriptions.get(user.id, [])
    return UserSummary(
        row=UserRow(user, plan.tier.code),
        counts=Counts(*(int(value) for value in counts)),
        subscription=subscriptions[-1] if subscriptions else None,
        comp=plan.grant,
        reports_about=list((await session.execute(about)).scalars()),
        reports_by=list((await session.execute(by)).scalars()),
    )


def check_may_act_on(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise Forbidden("You cannot do this to your own account.")
    if user.staff_role is not None and actor.staff_role is not StaffRole.ADMIN:
        raise Forbidden("Only an admin can do this to a member of staff.")


async def suspend(session: AsyncSession, actor: User, username: str, reason: str, until: datetime | None) -> User:
    user = await find_user(session, username)
    check_may_act_on(actor, user)
    check_not_deleted(user)
    if until is not None and until <= utcnow():
        message = "The end of a suspension must be in the future."
        raise ValidationFailed(message, fields={"until": message})
    before = account_state(user)
    user.is_active, user.suspended_until, user.suspension_reason = False, until, reason
    await revoke_all_sessions(session, user.id)
    audit.record(
        session, actor, "user.suspend", "user", user.id, reason=reason, before=before, after=account_state(user)
    )
    await session.flush()
    return user


def check_not_deleted(user: User) -> None:
    """An account being deleted stays hidden until it is erased: no suspension or
    reinstatement can change that (privacy/service.py)."""
    if user.deletion_requested_at is not None:
        raise Conflict("This account is being deleted.")


async def delete_user(session: AsyncSession, settings: Settings, actor: User, username: str, reason: str) -> User:
    """Delete the account the way its owner would (admins only), except that the owner cannot
    restore it; in the audit log."""
    user = await find_user(session, username)
    if actor.staff_role is not StaffRole.ADMIN:
        raise Forbidden("Only an admin can delete an account.")
    check_may_act_on(actor, user)
    check_not_deleted(user)
    return await request_deletion(session, settings, user, actor=actor, reason=reason)


async def force_password_reset(session: AsyncSession, actor: User, username: str, reason: str) -> User:
    """For an account that may be in someone else's hands: every session ends, sign-in is
    refused (with the right password only) until the password is reset, and the usual reset
    email goes out. Staff accounts only by an admin; never your own."""
    user = await find_user(session, username)
    check_may_act_on(actor, user)
    check_not_deleted(user)
    if user.password_reset_required_at is not None:
        raise Conflict("A password reset is already required for this account.")
    before = account_state(user)
    user.password_reset_required_at = utcnow()
    await revoke_all_sessions(session, user.id)
    request_password_reset(session, user.email)
    audit.record(
        session, actor, "user.force_password_reset", "user", user.id, reason=reason, before=before,
        after=account_state(user),
    )  # fmt: skip
    await session.flush()
    return user


async def reinstate(session: AsyncSession, actor: User | None, username: str, reason: str | None = None) -> User:
    """Lift a suspension (`actor` None: its end came)."""
    user = await find_user(session, username)
    if actor is not None:
        check_may_act_on(actor, user)
    check_not_deleted(user)
    if user.is_active:
        raise Conflict("This account is not suspended.")
    lift_suspension(session, user, actor, reason)
    await session.flush()
    return user


async def end_expired_suspensions(session: AsyncSession, now: datetime | None = None) -> int:
    """Reinstate everyone whose suspension has ended; how many."""
    now = now or utcnow()
    query = select(User).where(
        User.is_active.is_(False), User.suspended_until.is_not(None), User.suspended_until <= now
    )
    ended = list((await session.execute(query.with_for_update(skip_locked=True))).scalars())
    for user in ended:
        lift_suspension(session, user, None, "suspension ended")
    await session.flush()
    return len(ended)


async def verify_email(session: AsyncSession, actor: User, username: str) -> User:
    user = await find_user(session, username)
    if user.email_verified:
        raise Conflict("This email address is verified already.")
    before = account_state(user)
    user.email_verified_at = utcnow()
    audit.record(session, actor, "user.verify_email", "user", user.id, before=before, after=account_state(user))
    await session.flush()
    return user


async def set_role(session: AsyncSession, actor: User | None, username: str, role: StaffRole | None) -> User:
    """Give `role` (None: take the staff role away). Admins only, never to themselves; `actor`
    None: the command line."""
    user = await find_user(session, username)
    if actor is not None:
        if actor.staff_role is not StaffRole.ADMIN:
            raise Forbidden("Only an admin can change staff roles.")
        if actor.id == user.id:
            raise Forbidden("You cannot change your own role.")
    if user.staff_role is role:
        raise Conflict("This account has that role already." if role else "This account has no staff role.")
    before = account_state(user)
    user.staff_role = role
    action = "user.grant_role" if role else "user.revoke_role"
    audit.record(session, actor, action, "user", user.id, before=before, after=account_state(user))
    await session.flush()
    return user


@dataclass(frozen=True)
class Dashboard:
    open_reports: dict[str, int]
    """By age: under an hour, under a day, older."""
    new_accounts: int
    """In the last 24 hours."""
    suspended: int
    failed_payments: int
    """Subscriptions whose last payment failed (past due)."""
    flagged_jobs: int


async def dashboard(session: AsyncSession) -> Dashboard:
    """The staff home page's figures, in one query."""
    now = utcnow()
    hour, day = now - timedelta(hours=1), now - timedelta(days=1)
    open_reports = select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN)
    ages = {
        "under an hour": open_reports.where(Report.created_at > hour),
        "under a day": open_reports.where(Report.created_at <= hour, Report.created_at > day),
        "older": open_reports.where(Report.created_at <= day),
    }
    past_due = select(func.count()).select_from(Subscription).where(Subscription.status == SubscriptionStatus.PAST_DUE)
    figures = (
        await session.execute(
            select(
                *(_count(query) for query in ages.values()),
                _count(select(func.count()).select_from(User).where(User.created_at > day)),
                _count(select(func.count()).select_from(User).where(User.is_active.is_(False))),
                _count(past_due),
                _count(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.flagged_at.is_not(None), Job.taken_down_at.is_(None))
                ),
            )
        )
    ).one()
    by_age = dict(zip(ages, (int(value) for value in figures[:3]), strict=True))
    return Dashboard(by_age, int(figures[3]), int(figures[4]), int(figures[5]), int(figures[6]))


async def find_companies(
    session: AsyncSession, q: str, position: Position | None, limit: int
) -> tuple[list[Company], str | None]:
    """Companies whose name or slug contains `q`, newest first, and the next page's cursor."""
    query = select(Company)
    if pattern := _like_pattern(q):
        query = query.where(
            or_(func.lower(Company.name).like(pattern, escape="\\"), Company.slug.like(pattern, escape="\\"))
        )
    if (after := newest_first_after(Company.created_at, Company.id, position)) is not None:
        query = query.where(after)
    query = query.order_by(Company.created_at.desc(), Company.id.desc()).limit(limit + 1)
    found = list((await session.execute(query)).scalars())
    return found[:limit], next_cursor(found, limit)


async def set_company_verified(session: AsyncSession, actor: User, slug: str, *, verified: bool) -> Company:
    """Give or take the badge that says staff checked the company; its pages and jobs show it."""
    company = (await session.execute(select(Company).where(Company.slug == slug.strip().lower()))).scalar_one_or_none()
    if company is None:
        raise NotFound("There is no company with that address.")
    if company.verified is verified:
        raise Conflict("The company is verified already." if verified else "The company is not verified.")
    company.verified_at = utcnow() if verified else None
    action = "company.verify" if verified else "company.unverify"
    audit.record(
        session, actor, action, "company", company.id, before={"verified": not verified}, after={"verified": verified}
    )
    response_areas.invalidate_after_commit(session, "jobs")  # its page and its jobs carry the badge
    await session.flush()
    return company


_IN_QUEUE = (Job.flagged_at.is_not(None), Job.taken_down_at.is_(None))


async def flagged_jobs(
    session: AsyncSession, position: Position | None, limit: int
) -> tuple[list[tuple[Job, Company]], str | None]:
    """The jobs the scam rules flagged and nobody has dealt with yet, most recently flagged
    first, and the next page's cursor."""
    query = select(Job, Company).join(Company, Company.id == Job.company_id).where(*_IN_QUEUE)
    flagged = cast_column(InstrumentedAttribute[datetime], Job.flagged_at)  # never NULL in the queue
    if (after := newest_first_after(flagged, Job.id, position)) is not None:
        query = query.where(after)
    query = query.order_by(Job.flagged_at.desc(), Job.id.desc()).limit(limit + 1)
    found = [(job, company) for job, company in await session.execute(query)]
    return found[:limit], next_cursor([job for job, _ in found], limit, at="flagged_at")


async def _job(session: AsyncSession, job_id: uuid.UUID) -> Job:
    job = await session.get(Job, job_id)
    if job is None:
        raise NotFound("There is no such job.")
    return job


async def take_down_job(session: AsyncSession, actor: User, job_id: uuid.UUID, reason: str) -> Job:
    """Close the job for good: gone for everyone but its team, who see the reason (and are told)."""
    job = await _job(session, job_id)
    if job.taken_down_at is not None:
        raise Conflict("This job was taken down already.")
    before = {"status": job.status.value, "flags": job.flags}
    now = utcnow()
    job.status, job.closed_at, job.taken_down_at, job.takedown_reason = JobStatus.CLOSED, now, now, reason
    audit.record(
        session, actor, "job.take_down", "job", job.id, reason=reason, before=before, after={"status": "closed"}
    )
    if job.posted_by_id is not None:
        data = {"job_id": str(job.id), "job_title": job.title, "reason": reason}
        await notify(session, job.posted_by_id, JOB_TAKEN_DOWN, data=data)
    response_areas.invalidate_after_commit(session, "jobs")
    await session.flush()
    return job


async def clear_job_flags(session: AsyncSession, actor: User, job_id: uuid.UUID) -> Job:
    """The flags were wrong: the job leaves the queue (saving it again screens it again)."""
    job = await _job(session, job_id)
    if job.flagged_at is None:
        raise Conflict("This job is not flagged.")
    audit.record(session, actor, "job.clear_flags", "job", job.id, before={"flags": job.flags}, after={"flags": None})
    job.flags, job.flagged_at = None, None
    await session.flush()
    return job
