"""What the staff API takes and answers (the paths and shapes of API.md's staff section)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.core.times import moment_or_day_end
from hiremebahamas.models import AccountType, ReportStatus, ReportTarget, StaffRole, TierCode
from hiremebahamas.moderation.schemas import ReportOut
from hiremebahamas.staff.comps import MAX_MONTHS
from hiremebahamas.staff.reports import QueueEntry, Resolution
from hiremebahamas.staff.service import AccountStatus, Counts, UserRow, UserSummary


class AdminUserOut(BaseModel):
    id: uuid.UUID
    username: str
    email: str
    first_name: str
    last_name: str
    account_type: AccountType
    tier: TierCode
    status: AccountStatus
    roles: list[StaffRole]
    email_verified: bool
    suspended_until: datetime | None
    suspension_reason: str | None
    deletion_due_at: datetime | None
    """Set while the account is being deleted: when it is erased."""
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, row: UserRow) -> AdminUserOut:
        user = row.user
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            account_type=user.account_type,
            tier=row.tier,
            status=AccountStatus.ACTIVE if user.is_active else AccountStatus.SUSPENDED,
            roles=[user.staff_role] if user.staff_role else [],
            email_verified=user.email_verified,
            suspended_until=user.suspended_until,
            suspension_reason=user.suspension_reason,
            deletion_due_at=user.deletion_due_at,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class SubscriptionSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    tier: TierCode
    status: str
    interval: str
    current_period_end: datetime | None
    cancel_at_period_end: bool


class CompOut(BaseModel):
    """A complimentary plan an admin gave (never billed)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    tier: TierCode
    starts_at: datetime
    ends_at: datetime
    reason: str
    ended_at: datetime | None


class AdminUserDetailOut(AdminUserOut):
    counts: Counts
    subscription: SubscriptionSummaryOut | None
    comp: CompOut | None
    reports_about: list[ReportOut]
    reports_by: list[ReportOut]

    @classmethod
    def of_summary(cls, summary: UserSummary) -> AdminUserDetailOut:
        return cls(
            **AdminUserOut.of(summary.row).model_dump(),
            counts=summary.counts,
            subscription=SubscriptionSummaryOut.model_validate(summary.subscription) if summary.subscription else None,
            comp=CompOut.model_validate(summary.comp) if summary.comp else None,
            reports_about=[ReportOut.model_validate(report) for report in summary.reports_about],
            reports_by=[ReportOut.model_validate(report) for report in summary.reports_by],
        )


class AdminUserEnvelope(BaseModel):
    user: AdminUserOut


class AdminUserDetailEnvelope(BaseModel):
    user: AdminUserDetailOut


class SuspendIn(InputModel):
    reason: Annotated[MultiLine, Field(min_length=1, max_length=500)]
    until: Annotated[AwareDatetime | None, BeforeValidator(moment_or_day_end)] = None
    """When the suspension ends by itself, in the future (a day: its end in Nassau); none: until
    reinstated."""


class ReasonIn(InputModel):
    reason: Annotated[MultiLine, Field(max_length=500)] = ""


class StatedReasonIn(InputModel):
    """An action that needs its reason said (kept in the audit log; a deletion's also goes in
    the email the person gets)."""

    reason: Annotated[MultiLine, Field(min_length=1, max_length=500)]


class CompIn(InputModel):
    tier: Literal["pro", "business"]
    months: Annotated[int, Field(ge=1, le=MAX_MONTHS)]
    """Calendar months from now."""
    reason: Annotated[MultiLine, Field(min_length=1, max_length=500)]


class CompEnvelope(BaseModel):
    user: AdminUserOut
    comp: CompOut


class RoleIn(InputModel):
    role: StaffRole | None
    """None takes the staff role away."""


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    actor: str = Field(validation_alias="actor_name")
    """The staff member's username when they acted, or "command line"."""
    actor_id: uuid.UUID | None
    action: str
    target_type: str
    target_id: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    created_at: datetime


class AdminCompanyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    verified: bool
    verified_at: datetime | None
    created_at: datetime


class AdminCompanyEnvelope(BaseModel):
    company: AdminCompanyOut


class FlaggedJobOut(BaseModel):
    id: uuid.UUID
    title: str
    url: str
    company: str
    company_slug: str
    status: str
    flags: list[str]
    flagged_at: datetime
    created_at: datetime


class QuarantinedUploadOut(BaseModel):
    id: uuid.UUID
    purpose: str
    content_type: str
    size: int
    original_name: str
    url: str
    """Opens for staff only."""
    owner: str
    """The uploader's username."""
    signature: str | None
    scan_status: str
    quarantined_at: datetime | None
    created_at: datetime


class QuarantinedUploadEnvelope(BaseModel):
    upload: QuarantinedUploadOut


class DeletedUploadOut(BaseModel):
    id: uuid.UUID
    deleted: Literal[True] = True


class TakedownIn(InputModel):
    reason: Annotated[MultiLine, Field(min_length=1, max_length=500)]
    """Shown to the job's team."""


class JobModerationOut(BaseModel):
    id: uuid.UUID
    status: str
    flags: list[str]
    taken_down_at: datetime | None
    takedown_reason: str | None


class JobModerationEnvelope(BaseModel):
    job: JobModerationOut


class TargetPreviewOut(BaseModel):
    text: str
    url: str | None
    author: str | None
    """The author's username."""
    removed: bool


class AdminReportOut(BaseModel):
    """The newest open report on a target, for all of them (`report_count`)."""

    id: uuid.UUID
    target_type: ReportTarget
    target_id: str
    reason: str
    reporter: str
    status: ReportStatus
    report_count: int
    created_at: datetime
    target_preview: TargetPreviewOut
    author_actioned_before: int
    """Reports on the author's content that moderators acted on before: repeat offenders."""

    @classmethod
    def of(cls, entry: QueueEntry) -> AdminReportOut:
        report, target = entry.report, entry.target
        return cls(
            id=report.id, target_type=report.target_type, target_id=report.target_id, reason=report.reason,
            reporter=entry.reporter.username, status=report.status, report_count=entry.report_count,
            created_at=report.created_at,
            target_preview=TargetPreviewOut(
                text=target.preview, url=target.url, author=target.author.username if target.author else None,
                removed=target.removed,
            ),
            author_actioned_before=entry.author_actioned_before,
        )  # fmt: skip


class ResolveIn(InputModel):
    action: Resolution
    note: Annotated[MultiLine, Field(max_length=500)] | None = None
    """Shown to the author (a warning, a removal) or the suspension's reason."""


class ResolvedOut(BaseModel):
    report: ReportOut
