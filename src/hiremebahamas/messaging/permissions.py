"""Who may write to whom: the recipient's "who may message me" control (their profile's
`messages_from`), with one exception that the control cannot switch off: the team of a company
to whose job the recipient has an open application may always write, or hiring would stall.

An application is open until it ends: hired, rejected or withdrawn (CLOSED_STATUSES).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import Forbidden
from hiremebahamas.jobs.applications.service import CLOSED_STATUSES
from hiremebahamas.models import CompanyMember, Job, JobApplication, MessagesFrom, Profile
from hiremebahamas.social.graph import is_following

REFUSED = {
    MessagesFrom.FOLLOWING: "This person only accepts messages from people they follow.",
    MessagesFrom.NOBODY: "This person does not accept messages.",
}


async def has_open_application_with(session: AsyncSession, applicant_id: uuid.UUID, employer_id: uuid.UUID) -> bool:
    """Whether `applicant_id` has an open application on a job of a company `employer_id` is on."""
    query = (
        select(JobApplication.id)
        .join(Job, Job.id == JobApplication.job_id)
        .join(CompanyMember, CompanyMember.company_id == Job.company_id)
        .where(
            JobApplication.applicant_id == applicant_id,
            JobApplication.status.not_in(CLOSED_STATUSES),
            CompanyMember.user_id == employer_id,
        )
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def ensure_accepts_messages(session: AsyncSession, sender_id: uuid.UUID, recipient_id: uuid.UUID) -> None:
    """Raise Forbidden (403) unless the recipient's control lets `sender_id` write to them."""
    chosen = (
        await session.execute(select(Profile.messages_from).where(Profile.user_id == recipient_id))
    ).scalar_one_or_none() or MessagesFrom.EVERYONE
    if chosen is MessagesFrom.EVERYONE:
        return
    if chosen is MessagesFrom.FOLLOWING and await is_following(session, recipient_id, sender_id):
        return
    if await has_open_application_with(session, recipient_id, sender_id):
        return
    raise Forbidden(REFUSED[chosen])
