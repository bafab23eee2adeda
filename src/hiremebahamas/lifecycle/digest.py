"""The weekly digest (opt-out): new jobs for your skills and island, your network's top posts,
who viewed your profile and who followed you, and your applications that moved, over the last 7
days; nothing is sent to whoever has nothing new. A campaign (campaigns.py) per ISO week,
started on Monday.

Each person costs a few small queries, each on an index (the profile's skills and the jobs'
skills, follows by followee and by follower, posts by author and time, profile viewers by
profile and day, applications by applicant), so a chunk's cost does not grow with the number of
members.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.lifecycle import campaigns
from hiremebahamas.lifecycle.content import Item, matching_jobs
from hiremebahamas.lifecycle.emails import consented_email
from hiremebahamas.models import (
    AccountType,
    ApplicationEvent,
    CampaignKind,
    EmailCampaign,
    Follow,
    Job,
    JobApplication,
    Post,
    Profile,
    User,
)
from hiremebahamas.notifications.types import DIGEST
from hiremebahamas.profiles.viewers import viewers_since
from hiremebahamas.social.graph import blocked_between_clause

WEEK = timedelta(days=7)
POSTS = 3
PEOPLE = 3


def week_key(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"digest:{year}-W{week:02d}"


async def _top_posts(session: AsyncSession, base: str, user: User, since: datetime) -> list[Item]:
    followed = select(Follow.followee_id).where(Follow.follower_id == user.id)
    query = (
        select(Post, User)
        .join(User, User.id == Post.author_id)
        .where(
            Post.author_id.in_(followed),
            Post.created_at > since,
            Post.removed_at.is_(None),
            ~blocked_between_clause(Post.author_id, user.id),
        )
        .order_by(Post.like_count.desc(), Post.created_at.desc())
        .limit(POSTS)
    )
    items = []
    for post, author in await session.execute(query):
        body = post.body if len(post.body) <= 120 else post.body[:117] + "…"
        items.append((f"{author.full_name}: {body}", f"{base}/posts/{post.id}"))
    return items


async def _new_followers(session: AsyncSession, base: str, user: User, since: datetime) -> tuple[int, list[Item]]:
    where: list[ColumnElement[bool]] = [
        Follow.followee_id == user.id,
        Follow.created_at > since,
        ~blocked_between_clause(Follow.follower_id, user.id),
    ]
    total = (await session.execute(select(func.count()).select_from(Follow).where(*where))).scalar_one()
    if not total:
        return 0, []
    query = (
        select(User)
        .join(Follow, Follow.follower_id == User.id)
        .where(*where)
        .order_by(Follow.created_at.desc())
        .limit(PEOPLE)
    )
    people = [(person.full_name, f"{base}/u/{person.username}") for person in (await session.execute(query)).scalars()]
    return int(total), people


async def _viewers(session: AsyncSession, base: str, user: User, since: datetime) -> tuple[int, list[Item]]:
    total, people = await viewers_since(session, user.id, since, PEOPLE)
    return total, [(person.full_name, f"{base}/u/{person.username}") for person in people]


async def _moved_applications(session: AsyncSession, base: str, user: User, since: datetime) -> list[Item]:
    query = (
        select(Job.title, ApplicationEvent.to_status)
        .join(JobApplication, JobApplication.id == ApplicationEvent.application_id)
        .join(Job, Job.id == JobApplication.job_id)
        .where(
            JobApplication.applicant_id == user.id,
            ApplicationEvent.created_at > since,
            ApplicationEvent.from_status.is_not(None),  # not the application itself
        )
        .order_by(ApplicationEvent.created_at.desc())
        .limit(5)
    )
    return [(f"{title}: {status.value}", f"{base}/applications") for title, status in await session.execute(query)]


async def compose(
    session: AsyncSession, settings: Settings, campaign: EmailCampaign, user: User
) -> OutgoingEmail | None:
    base = settings.base_url.rstrip("/")
    since = campaign.created_at - WEEK
    jobs: list[Item] = []
    if user.account_type == AccountType.JOB_SEEKER:
        profile = await session.get(Profile, user.id)
        island = profile.island if profile is not None else None
        jobs = await matching_jobs(session, base, user.id, since=since, island=island)
    posts = await _top_posts(session, base, user, since)
    follower_count, followers = await _new_followers(session, base, user, since)
    viewer_count, viewed_by = await _viewers(session, base, user, since)
    applications = await _moved_applications(session, base, user, since)
    if not (jobs or posts or followers or viewed_by or applications):
        return None
    return consented_email(
        settings,
        user,
        DIGEST,
        "mail/lifecycle/digest.jinja",
        subject="Your week on HireMeBahamas",
        reason="You get this email because the weekly digest is on in your email settings.",
        jobs=jobs,
        posts=posts,
        follower_count=follower_count,
        followers=followers,
        viewer_count=viewer_count,
        viewed_by=viewed_by,
        applications=applications,
    )


def _everyone(_campaign: EmailCampaign) -> list[ColumnElement[bool]]:
    return []


campaigns.plan(CampaignKind.DIGEST, campaigns.Plan(preference=DIGEST, audience=_everyone, compose=compose))
