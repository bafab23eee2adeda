"""JSON API: POST /api/reports."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from hiremebahamas.accounts.deps import CurrentUser
from hiremebahamas.moderation import service
from hiremebahamas.moderation.schemas import ReportEnvelope, ReportIn, ReportOut
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.openapi import NOT_FOUND

router = APIRouter(prefix="/reports", tags=["moderation"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 200: {"description": "You already have an open report on this; it is returned unchanged."}},
)
async def file_report(body: ReportIn, user: CurrentUser, db: DbSession, response: Response) -> ReportEnvelope:
    filed = await service.file_report(db, user, body)
    if not filed.created:
        response.status_code = status.HTTP_200_OK
    return ReportEnvelope(report=ReportOut.model_validate(filed.report))
