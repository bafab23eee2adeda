"""The erasure of accounts whose deletion became final: the periodic run (tasks.py) takes the
due accounts in bounded batches, one unit of work each.

What goes and what stays (docs/privacy.md):
- the person's files go from storage (local or S3), the ZIPs of their data exports too, and
  their rows with them: profile,
  experience, education, skills, posts (with the likes and comments on them), their comments
  and likes elsewhere (the counters on those posts follow), follows and blocks both ways, job
  applications, saved searches, notifications to and about them, reports they filed, sessions,
  tokens, recovery codes, usage counters, their events in the analytics log;
- the `users` row stays as a tombstone with every personal field blanked, its email replaced
  by a unique text that is not an address: messages and conversations point at it, so the
  other person keeps their conversation, from "Deleted user";
- invoices stay (accounting law) unlinked from the account; the subscription (set to cancel
  when the deletion was asked) stays on the tombstone so Stripe's last events about it land;
- each company is handed to the longest-standing other team member (made an owner if no owner
  is left), with its logo; a company with nobody else on its team is closed: its jobs closed.

Files go first: should the transaction then fail, the next run finds the account still due
and deletes again (deleting a missing file is no error). Each step is a set-based statement
that does nothing the second time, so a run repeated or cut short is safe.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import response_areas
from hiremebahamas.core.storage import Storage
from hiremebahamas.models import (
    AnalyticsEvent,
    ApplicationEvent,
    AuthSession,
    Block,
    Comment,
    Company,
    CompanyMember,
    CompanyRole,
    DataExport,
    Education,
    EmailToken,
    Experience,
    Follow,
    Invoice,
    Job,
    JobApplication,
    JobStatus,
    LastActive,
    Notification,
    NotificationPreference,
    Post,
    PostLike,
    Profile,
    ProfileSkill,
    ProfileViewer,
    RecoveryCode,
    Report,
    SavedSearch,
    Upload,
    UsageCounter,
    User,
)
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles.cache import forget_after_commit

logger = logging.getLogger(__name__)

BATCH = 20
"""Accounts one run erases at most; the rest wait for the next run (every 10 minutes)."""
DELETED_NAME = ("Deleted", "user")
# Not a password hash argon2 can read: nothing ever verifies against it.
_NO_PASSWORD = "!erased"  # noqa: S105 - not a secret: it matches no password


def _due(now: datetime) -> ColumnElement[bool]:
    return User.deletion_due_at <= now


async def due_accounts(session: AsyncSession, now: datetime | None = None, limit: int = BATCH) -> list[uuid.UUID]:
    """The accounts whose grace period is over, the longest overdue first (the partial index)."""
    query = select(User.id).where(_due(now or utcnow())).order_by(User.deletion_due_at).limit(limit)
    return list((await session.execute(query)).scalars())


async def erase_account(
    session: AsyncSession, storage: Storage, user_id: uuid.UUID, now: datetime | None = None
) -> bool:
    """Erase one account if it is still due (a restore or another run may have come first);
    whether it was erased."""
    now = now or utcnow()
    query = select(User).where(User.id == user_id, _due(now)).with_for_update(skip_locked=True)
    user = (await session.execute(query)).scalar_one_or_none()
    if user is None:
        return False
    await _hand_over_companies(session, user, now)
    await _delete_files(session, storage, user.id)
    await _delete_personal_rows(session, user.id)
    forget_after_commit(session, user.username)
    _make_tombstone(user, now)
    await session.flush()
    logger.info("account erased", extra={"user_id": str(user.id)})
    return True


async def _hand_over_companies(session: AsyncSession, user: User, now: datetime) -> None:
    query = select(CompanyMember).where(CompanyMember.user_id == user.id)
    memberships = list((await session.execute(query)).scalars())
    for membership in memberships:
        others = select(CompanyMember).where(
            CompanyMember.company_id == membership.company_id, CompanyMember.user_id != user.id
        )
        team = list((await session.execute(others.order_by(CompanyMember.created_at, CompanyMember.user_id))).scalars())
        if team:
            heir = next((member for member in team if member.role is CompanyRole.OWNER), team[0])
            heir.role = CompanyRole.OWNER
            company = await session.get_one(Company, membership.company_id)
            if company.logo_upload_id is not None:  # the company's, not the person's: it stays
                await session.execute(
                    update(Upload)
                    .where(Upload.id == company.logo_upload_id, Upload.owner_id == user.id)
                    .values(owner_id=heir.user_id)
                )
        else:
            await session.execute(
                update(Job)
                .where(Job.company_id == membership.company_id, Job.status == JobStatus.OPEN)
                .values(status=JobStatus.CLOSED, closed_at=now)
                .execution_options(synchronize_session=False)
            )
        await session.delete(membership)
    if memberships:
        response_areas.invalidate_after_commit(session, "jobs")  # jobs closed, logos kept or gone


async def _delete_files(session: AsyncSession, storage: Storage, user_id: uuid.UUID) -> None:
    """Every file the person uploaded, from storage and then its row (profiles, posts, companies
    and applications that used it lose the link: ON DELETE SET NULL); then their data exports."""
    uploads = list((await session.execute(select(Upload).where(Upload.owner_id == user_id))).scalars())
    for upload in uploads:
        for key in (upload.storage_key, upload.thumbnail_key):
            if key:
                await storage.delete(key)
    await session.execute(delete(Upload).where(Upload.owner_id == user_id))
    # Copies of their data ("Download my data"): the ZIPs and their rows.
    exports = list(
        (await session.execute(select(DataExport.storage_key).where(DataExport.user_id == user_id))).scalars()
    )
    for key in exports:
        if key:
            await storage.delete(key)
    await session.execute(delete(DataExport).where(DataExport.user_id == user_id))


async def _delete_personal_rows(session: AsyncSession, user_id: uuid.UUID) -> None:
    # The counters kept on other people's posts first, while the rows they count are there.
    liked = select(PostLike.post_id).where(PostLike.user_id == user_id)
    await session.execute(
        update(Post).where(Post.id.in_(liked)).values(like_count=Post.like_count - 1)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    theirs = (
        select(func.count()).select_from(Comment)
        .where(Comment.post_id == Post.id, Comment.author_id == user_id).scalar_subquery()
    )  # fmt: skip
    commented = select(Comment.post_id).where(Comment.author_id == user_id)
    await session.execute(
        update(Post).where(Post.id.in_(commented)).values(comment_count=Post.comment_count - theirs)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    for statement in (
        delete(PostLike).where(PostLike.user_id == user_id),
        delete(Comment).where(Comment.author_id == user_id),
        delete(Post).where(Post.author_id == user_id),
        delete(Follow).where(or_(Follow.follower_id == user_id, Follow.followee_id == user_id)),
        delete(Block).where(or_(Block.blocker_id == user_id, Block.blocked_id == user_id)),
        delete(ProfileViewer).where(or_(ProfileViewer.profile_id == user_id, ProfileViewer.viewer_id == user_id)),
        delete(JobApplication).where(JobApplication.applicant_id == user_id),
        delete(SavedSearch).where(SavedSearch.user_id == user_id),
        delete(Notification).where(or_(Notification.user_id == user_id, Notification.actor_id == user_id)),
        delete(NotificationPreference).where(NotificationPreference.user_id == user_id),
        delete(Report).where(Report.reporter_id == user_id),
        delete(ProfileSkill).where(ProfileSkill.user_id == user_id),
        delete(Experience).where(Experience.user_id == user_id),
        delete(Education).where(Education.user_id == user_id),
        delete(Profile).where(Profile.user_id == user_id),
        delete(AuthSession).where(AuthSession.user_id == user_id),
        delete(RecoveryCode).where(RecoveryCode.user_id == user_id),
        delete(EmailToken).where(EmailToken.user_id == user_id),
        delete(UsageCounter).where(UsageCounter.user_id == user_id),
        # What they did, as the analytics log has it; the days they were active stay, counts of
        # an id that now names no one (the tombstone).
        delete(AnalyticsEvent).where(AnalyticsEvent.user_id == user_id),
        delete(LastActive).where(LastActive.user_id == user_id),
        # Kept, without the link to who they were (what the FKs do when a user row goes).
        update(Invoice).where(Invoice.user_id == user_id).values(user_id=None),
        update(Job).where(Job.posted_by_id == user_id).values(posted_by_id=None),
        update(ApplicationEvent).where(ApplicationEvent.actor_id == user_id).values(actor_id=None),
        update(Report).where(Report.resolved_by_id == user_id).values(resolved_by_id=None),
    ):
        await session.execute(statement.execution_options(synchronize_session=False))


def _make_tombstone(user: User, now: datetime) -> None:
    """No personal field left; the email and username become unique texts no one can type as
    theirs (an email without "@", a handle registration never suggests)."""
    user.email = f"deleted:{user.id.hex}"
    user.username = f"deleted-{user.id.hex[-22:]}"
    user.first_name, user.last_name = DELETED_NAME
    user.password_hash = _NO_PASSWORD
    user.staff_role = None
    user.totp_secret = user.totp_pending_secret = None
    user.totp_enabled_at = user.totp_last_step = None
    user.email_verified_at = user.last_login_at = None
    user.suspended_until, user.suspension_reason = None, None
    user.is_active = False
    user.deletion_due_at = None  # out of the due index: erased once
    user.erased_at = now
