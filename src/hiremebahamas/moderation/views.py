"""Pages: the report form (/report?target_type=…&target_id=…&next=…)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from hiremebahamas.accounts.deps import CurrentAuth, optional_auth
from hiremebahamas.core.errors import AppError
from hiremebahamas.models import ReportTarget
from hiremebahamas.moderation import service
from hiremebahamas.moderation.schemas import ReportIn
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.forms import FormStr, refused_form
from hiremebahamas.web.rendering import redirect, render, safe_next

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)

TARGET_NAMES = {
    ReportTarget.POST: "post",
    ReportTarget.COMMENT: "comment",
    ReportTarget.JOB: "job",
    ReportTarget.USER: "person",
    ReportTarget.MESSAGE: "message",
}


def _context(target_type: str, target_id: str, next_url: str, reason: str = "") -> dict[str, object]:
    kind = ReportTarget(target_type) if target_type in ReportTarget._value2member_map_ else None
    return {
        "form": {"target_type": target_type, "target_id": target_id, "reason": reason},
        "what": TARGET_NAMES[kind] if kind else "content",
        "next": safe_next(next_url),
        "errors": {},
        "error": None,
    }


@router.get("/report")
async def report_page(
    request: Request, auth: CurrentAuth, target_type: str = "", target_id: str = "", next: str = "/"
) -> Response:
    return render(request, "moderation/report.html", _context(target_type, target_id, next))


@router.post("/report")
async def report_submit(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    target_type: FormStr = "",
    target_id: FormStr = "",
    reason: FormStr = "",
    next: FormStr = "/",
) -> Response:
    try:
        data = ReportIn.model_validate({"target_type": target_type, "target_id": target_id, "reason": reason})
        filed = await service.file_report(db, auth.user, data)
    except (ValidationError, AppError) as exc:
        errors, message, status_code = await refused_form(request, db, exc)
        if isinstance(exc, ValidationError):
            message = "Tell us what is wrong (up to 1000 characters)."
        context = _context(target_type, target_id, next, reason) | {"errors": errors, "error": message}
        return render(request, "moderation/report.html", context, status_code=status_code)
    message = "Thank you. Our moderators will review your report."
    if not filed.created:
        message = "You already reported this; our moderators will review it."
    return redirect(request, safe_next(next), flash=("success", message))
