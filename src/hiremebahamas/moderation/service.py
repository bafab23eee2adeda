"""Reports: anyone signed in can flag a post, comment, job, person or message for moderators.

A reporter has at most one open report per target: reporting the same thing again returns the
open report instead of piling up duplicates (the API answers 200 rather than 201 then).
This stores them, each checked against the row it names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import BadRequest, NotFound
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.models import Base, Comment, Job, Message, Post, Report, ReportStatus, ReportTarget, User
from hiremebahamas.moderation.schemas import ReportIn

# The row each kind of report names: a report on something that does not exist is refused.
_MODELS: dict[ReportTarget, type[Base]] = {
    ReportTarget.USER: User,
    ReportTarget.POST: Post,
    ReportTarget.COMMENT: Comment,
    ReportTarget.JOB: Job,
    ReportTarget.MESSAGE: Message,
}
NOT_FOUND = "There is nothing to report there: it may have been deleted."


@dataclass(frozen=True)
class FiledReport:
    report: Report
    created: bool


async def _check_target(session: AsyncSession, reporter: User, target_type: ReportTarget, target_id: str) -> None:
    if await session.get(_MODELS[target_type], uuid.UUID(target_id)) is None:
        raise NotFound(NOT_FOUND)
    if target_type == ReportTarget.USER and target_id == str(reporter.id):
        raise BadRequest("You cannot report yourself.")


async def file_report(session: AsyncSession, reporter: User, data: ReportIn) -> FiledReport:
    target_id = str(data.target_id)  # canonical form, so duplicates are recognised
    await _check_target(session, reporter, data.target_type, target_id)
    created = await insert_ignoring_conflicts(
        session, Report, reporter_id=reporter.id, target_type=data.target_type, target_id=target_id, reason=data.reason
    )
    report = (
        await session.execute(
            select(Report).where(
                Report.reporter_id == reporter.id,
                Report.target_type == data.target_type,
                Report.target_id == target_id,
                Report.status == ReportStatus.OPEN,
            )
        )
    ).scalar_one()
    return FiledReport(report, created=created)
