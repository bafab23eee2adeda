"""Deleting an account: asked for by its owner (with their password) or by staff, final after
ACCOUNT_DELETION_GRACE_DAYS, when the erasure run (erasure.py) removes the personal data.

Asking hides the account at once the way a suspension does (`users.is_active` false, which
every reader of profiles, posts and comments checks), signs it out everywhere, cancels a paid
plan at the end of its period, and closes the open jobs of companies the person runs alone.
Its owner may restore it until the deletion is final; a deletion by staff cannot be undone by
signing in.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts.service import account_state, authenticate, deletion_restorable, revoke_all_sessions
from hiremebahamas.billing import service as billing
from hiremebahamas.config import Settings
from hiremebahamas.core import audit, response_areas, security
from hiremebahamas.core.cache import KeyValueStore
from hiremebahamas.core.email import defer_email
from hiremebahamas.core.errors import Conflict, Forbidden, NotFound, RateLimited
from hiremebahamas.core.sql import affected_rows
from hiremebahamas.models import CompanyMember, Job, JobStatus, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.privacy import emails
from hiremebahamas.profiles.cache import forget_after_commit

WRONG_PASSWORD = "That password is not right."  # noqa: S105 - a message, not a secret
WRONG_PASSWORDS = 5
WRONG_PASSWORD_WINDOW_SECONDS = 3600
TOO_MANY_WRONG = "Too many wrong passwords. Try again in an hour, or reset your password."


def deletion_due(settings: Settings, now: datetime | None = None) -> datetime:
    """When a deletion asked for now becomes final."""
    return (now or utcnow()) + timedelta(days=settings.account_deletion_grace_days)


async def request_own_deletion(
    session: AsyncSession, settings: Settings, store: KeyValueStore, user: User, password: str
) -> User:
    """The owner's request, confirmed with their password. Wrong ones are counted per account
    (WRONG_PASSWORDS an hour, then 429 until the hour is over), apart from the sign-in lockout:
    someone holding a stolen session must not be able to lock the owner out of logging in."""
    key = f"deletion-password-failures:{user.id}"
    if int(await store.get(key) or 0) >= WRONG_PASSWORDS:
        raise RateLimited(TOO_MANY_WRONG, retry_after=await store.ttl(key))
    if not await security.verify_password_off_loop(user.password_hash, password):
        await store.incr(key, WRONG_PASSWORD_WINDOW_SECONDS)
        # A well-formed request the account refuses: 403 naming the field, as a wrong current
        # password is when changing it (accounts/service.py).
        raise Forbidden(WRONG_PASSWORD, fields={"password": WRONG_PASSWORD})
    await store.delete(key)
    return await request_deletion(session, settings, user, actor=user)


async def request_deletion(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    actor: User,
    reason: str | None = None,
    now: datetime | None = None,
) -> User:
    """Schedule `user`'s erasure; `actor` is the user themselves or a member of staff (then it is
    in the audit log and cannot be restored). Asking again changes nothing: the first request's
    date stands. The claim is one conditional UPDATE, so two requests at once make one."""
    now = now or utcnow()
    by_staff = actor.id != user.id
    before = account_state(user)
    claimed = await affected_rows(
        session,
        update(User)
        .where(User.id == user.id, User.deletion_requested_at.is_(None))
        .values(
            deletion_requested_at=now,
            deletion_due_at=deletion_due(settings, now),
            deleted_by_staff=by_staff,
            # Hidden exactly as a suspension hides; a pending end of a suspension must not
            # bring the account back.
            is_active=False,
            suspended_until=None,
            suspension_reason=None,
        )
        .execution_options(synchronize_session=False),
    )
    await session.refresh(user)
    if not claimed:
        return user
    await revoke_all_sessions(session, user.id)
    await _cancel_plan(session, settings, user, now)
    await _close_jobs_run_alone(session, user, now)
    forget_after_commit(session, user.username)
    if by_staff:
        after = account_state(user)
        audit.record(session, actor, "user.delete", "user", user.id, reason=reason, before=before, after=after)
    defer_email(session, emails.deletion_requested(settings, user, reason))
    await session.flush()
    return user


async def _cancel_plan(session: AsyncSession, settings: Settings, user: User, now: datetime) -> None:
    """A paid plan stops renewing, through the billing gateway as the owner cancelling would."""
    with contextlib.suppress(NotFound):  # no paid plan
        await billing.cancel(session, settings, user, now)


async def _close_jobs_run_alone(session: AsyncSession, user: User, now: datetime) -> None:
    """Close the open jobs of the companies whose whole team is this person: nobody is left to
    answer their applicants. A company with others on its team keeps its jobs."""
    teams = select(CompanyMember.company_id).group_by(CompanyMember.company_id).having(func.count() == 1)
    alone = select(CompanyMember.company_id).where(
        CompanyMember.user_id == user.id, CompanyMember.company_id.in_(teams)
    )
    closed = await affected_rows(
        session,
        update(Job)
        .where(Job.company_id.in_(alone), Job.status == JobStatus.OPEN)
        .values(status=JobStatus.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False),
    )
    if closed:
        response_areas.invalidate_after_commit(session, "jobs")


async def restore(
    session: AsyncSession,
    settings: Settings,
    store: KeyValueStore,
    email: str,
    password: str,
    ip: str,
    code: str | None = None,
) -> User:
    """Take back one's own deletion during the grace period, signing in as a login does
    (password, then the two-step code where it is on): the account is active again and what
    it wrote is visible again. Jobs closed when it was asked stay closed (reopen them)."""
    user = await authenticate(session, settings, store, email, password, ip, code, restoring=True)
    if not user.deletion_pending:
        raise Conflict("This account is not being deleted.")
    if user.deleted_by_staff:
        raise Forbidden("Our staff deleted this account: it cannot be restored by signing in. Contact support.")
    if not deletion_restorable(user):
        raise Conflict("This account's deletion is final: it can no longer be restored.")
    user.deletion_requested_at = user.deletion_due_at = None
    user.is_active = True
    forget_after_commit(session, user.username)
    await session.flush()
    return user
