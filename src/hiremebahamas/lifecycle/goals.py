"""What each welcome step asks a person to do, as a question about a whole batch of people:
which of them already did it (their step is skipped). One query per batch."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import CompanyMember, Job, JobApplication, Profile, SavedSearch

Goal = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[set[uuid.UUID]]]


async def _who(session: AsyncSession, query: Select[Any]) -> set[uuid.UUID]:
    return set((await session.execute(query.distinct())).scalars())


async def profile_ready(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """A headline written and "available for hire" on: the talent directory shows them."""
    query = select(Profile.user_id).where(
        Profile.user_id.in_(user_ids), Profile.available_for_hire.is_(True), Profile.headline != ""
    )
    return await _who(session, query)


async def applied(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    return await _who(session, select(JobApplication.applicant_id).where(JobApplication.applicant_id.in_(user_ids)))


async def has_job_alert(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    return await _who(session, select(SavedSearch.user_id).where(SavedSearch.user_id.in_(user_ids)))


async def has_company(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    return await _who(session, select(CompanyMember.user_id).where(CompanyMember.user_id.in_(user_ids)))


async def posted_job(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    query = select(Job.posted_by_id).where(Job.posted_by_id.in_(user_ids))
    return {user_id for user_id in await _who(session, query) if user_id is not None}
