"""JSON API for staff: `/api/admin/...` (API.md, "Staff"). Moderators and admins; role changes
and the audit log, admins only."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from hiremebahamas.core import audit
from hiremebahamas.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from hiremebahamas.jobs.postings.cards import job_path
from hiremebahamas.models import AccountType, Company, Job, TierCode, Upload
from hiremebahamas.moderation.schemas import ReportOut
from hiremebahamas.staff import comps, quarantine, reports, service
from hiremebahamas.staff.deps import AdminApi, ModeratorApi
from hiremebahamas.staff.reports import QueueOrder
from hiremebahamas.staff.schemas import (
    AdminCompanyEnvelope,
    AdminCompanyOut,
    AdminReportOut,
    AdminUserDetailEnvelope,
    AdminUserDetailOut,
    AdminUserEnvelope,
    AdminUserOut,
    AuditEntryOut,
    CompEnvelope,
    CompIn,
    CompOut,
    DeletedUploadOut,
    FlaggedJobOut,
    JobModerationEnvelope,
    JobModerationOut,
    QuarantinedUploadEnvelope,
    QuarantinedUploadOut,
    ReasonIn,
    ResolvedOut,
    ResolveIn,
    RoleIn,
    StatedReasonIn,
    SuspendIn,
    TakedownIn,
)
from hiremebahamas.staff.service import AccountStatus, UserFilters
from hiremebahamas.uploads.service import upload_url
from hiremebahamas.web.deps import AppRuntime, AppSettings, DbSession
from hiremebahamas.web.pagination import Paging

router = APIRouter(prefix="/admin", tags=["staff"])


@router.get("/users")
async def list_users(
    auth: ModeratorApi,
    db: DbSession,
    paging: Paging,
    q: Annotated[str, Query(max_length=100)] = "",
    status: AccountStatus | None = None,
    tier: TierCode | None = None,
    account_type: AccountType | None = None,
) -> Page[AdminUserOut]:
    """Accounts, newest first: `q` matches the start of a username or email, or part of a name."""
    filters = UserFilters(q=q, status=status, tier=tier, account_type=account_type)
    rows, cursor = await service.search_users(db, filters, paging.cursor, paging.limit)
    return Page(items=[AdminUserOut.of(row) for row in rows], next_cursor=cursor)


@router.get("/users/{username}")
async def get_user(username: str, auth: ModeratorApi, db: DbSession) -> AdminUserDetailEnvelope:
    """One account with its activity counts, subscription, and the reports by and about it."""
    return AdminUserDetailEnvelope(user=AdminUserDetailOut.of_summary(await service.user_summary(db, username)))


async def _row(db: DbSession, username: str) -> AdminUserEnvelope:
    [row] = await service.with_tiers(db, [await service.find_user(db, username)])
    return AdminUserEnvelope(user=AdminUserOut.of(row))


@router.post("/users/{username}/suspend")
async def suspend_user(username: str, body: SuspendIn, auth: ModeratorApi, db: DbSession) -> AdminUserEnvelope:
    """Sign the person out everywhere, refuse their logins and hide what they wrote, until
    `until` or until reinstated. Staff accounts only by an admin; never your own."""
    user = await service.suspend(db, auth.user, username, body.reason, body.until)
    return await _row(db, user.username)


@router.post("/users/{username}/reinstate")
async def reinstate_user(username: str, body: ReasonIn, auth: ModeratorApi, db: DbSession) -> AdminUserEnvelope:
    user = await service.reinstate(db, auth.user, username, body.reason or None)
    return await _row(db, user.username)


@router.post("/users/{username}/delete", status_code=202)
async def delete_user(
    username: str, body: StatedReasonIn, auth: AdminApi, db: DbSession, settings: AppSettings
) -> AdminUserEnvelope:
    """Delete the account through the owner's own path (signed out, hidden, erased after the
    grace period), except that the owner cannot restore it. Admins only; in the audit log."""
    user = await service.delete_user(db, settings, auth.user, username, body.reason)
    return await _row(db, user.username)


@router.post("/users/{username}/verify-email")
async def verify_user_email(username: str, auth: ModeratorApi, db: DbSession) -> AdminUserEnvelope:
    """Mark the account's email verified (support, and the smoke test after a deploy)."""
    user = await service.verify_email(db, auth.user, username)
    return await _row(db, user.username)


@router.post("/users/{username}/force-password-reset")
async def force_password_reset(
    username: str, body: StatedReasonIn, auth: ModeratorApi, db: DbSession
) -> AdminUserEnvelope:
    """Sign the person out everywhere and refuse their sign-in (with the right password) until
    they reset it; the usual reset email goes out. Staff accounts only by an admin."""
    user = await service.force_password_reset(db, auth.user, username, body.reason)
    return await _row(db, user.username)


@router.post("/users/{username}/comp")
async def comp_tier(username: str, body: CompIn, auth: AdminApi, db: DbSession) -> CompEnvelope:
    """Give Pro or Business for 1 to 24 months, free (never billed, never revenue); the person
    is told. 409 while a comp is live (end it first) or when they pay for that tier already."""
    grant = await comps.comp_tier(db, auth.user, username, TierCode(body.tier), body.months, body.reason)
    envelope = await _row(db, username)
    return CompEnvelope(user=envelope.user, comp=CompOut.model_validate(grant))


@router.post("/users/{username}/comp/end")
async def end_comp(username: str, body: StatedReasonIn, auth: AdminApi, db: DbSession) -> CompEnvelope:
    """End the live comp now (404 without one)."""
    grant = await comps.end_comp(db, auth.user, username, body.reason)
    envelope = await _row(db, username)
    return CompEnvelope(user=envelope.user, comp=CompOut.model_validate(grant))


@router.put("/users/{username}/role")
async def set_user_role(username: str, body: RoleIn, auth: AdminApi, db: DbSession) -> AdminUserEnvelope:
    """Give a staff role (`admin`, `moderator`) or take it away (`null`). Admins only."""
    user = await service.set_role(db, auth.user, username, body.role)
    return await _row(db, user.username)


@router.get("/companies")
async def list_companies(
    auth: ModeratorApi, db: DbSession, paging: Paging, q: Annotated[str, Query(max_length=100)] = ""
) -> Page[AdminCompanyOut]:
    """Companies, newest first; `q` matches part of a name or address."""
    found, cursor = await service.find_companies(db, q, paging.cursor, paging.limit)
    return Page(items=[AdminCompanyOut.model_validate(company) for company in found], next_cursor=cursor)


@router.post("/companies/{slug}/verify")
async def verify_company(slug: str, auth: ModeratorApi, db: DbSession) -> AdminCompanyEnvelope:
    """The "Verified" badge on the company's page and jobs: staff checked it is what it says."""
    company = await service.set_company_verified(db, auth.user, slug, verified=True)
    return AdminCompanyEnvelope(company=AdminCompanyOut.model_validate(company))


@router.delete("/companies/{slug}/verify")
async def unverify_company(slug: str, auth: ModeratorApi, db: DbSession) -> AdminCompanyEnvelope:
    company = await service.set_company_verified(db, auth.user, slug, verified=False)
    return AdminCompanyEnvelope(company=AdminCompanyOut.model_validate(company))


@router.get("/jobs/flagged")
async def list_flagged_jobs(auth: ModeratorApi, db: DbSession, paging: Paging) -> Page[FlaggedJobOut]:
    """Jobs the scam rules flagged, not yet dealt with, most recently flagged first."""
    found, cursor = await service.flagged_jobs(db, paging.cursor, paging.limit)
    return Page(items=[_flagged(job, company) for job, company in found], next_cursor=cursor)


def _flagged(job: Job, company: Company) -> FlaggedJobOut:
    return FlaggedJobOut(
        id=job.id, title=job.title, url=job_path(job), company=company.name, company_slug=company.slug,
        status=job.status.value, flags=job.flags or [], flagged_at=job.flagged_at or job.created_at,
        created_at=job.created_at,
    )  # fmt: skip


def _moderation(job: Job) -> JobModerationEnvelope:
    return JobModerationEnvelope(
        job=JobModerationOut(
            id=job.id, status=job.status.value, flags=job.flags or [], taken_down_at=job.taken_down_at,
            takedown_reason=job.takedown_reason,
        )
    )  # fmt: skip


@router.post("/jobs/{job_id}/takedown")
async def take_down_job(
    job_id: uuid.UUID, body: TakedownIn, auth: ModeratorApi, db: DbSession
) -> JobModerationEnvelope:
    """Close the job for good: gone for everyone but its team, who see `reason` and are notified."""
    return _moderation(await service.take_down_job(db, auth.user, job_id, body.reason))


@router.post("/jobs/{job_id}/clear-flags")
async def clear_job_flags(job_id: uuid.UUID, auth: ModeratorApi, db: DbSession) -> JobModerationEnvelope:
    """The flags were wrong: the job leaves the queue."""
    return _moderation(await service.clear_job_flags(db, auth.user, job_id))


@router.get("/uploads/quarantined")
async def list_quarantined_uploads(auth: ModeratorApi, db: DbSession, paging: Paging) -> Page[QuarantinedUploadOut]:
    """Files a re-scan found a virus signature in, hidden from everyone but staff, most
    recently quarantined first."""
    found, cursor = await quarantine.quarantined_uploads(db, paging.cursor, paging.limit)
    return Page(items=[_quarantined(upload, owner.username) for upload, owner in found], next_cursor=cursor)


def _quarantined(upload: Upload, owner: str) -> QuarantinedUploadOut:
    return QuarantinedUploadOut(
        id=upload.id, purpose=upload.purpose.value, content_type=upload.content_type, size=upload.size,
        original_name=upload.original_name, url=upload_url(upload), owner=owner, signature=upload.signature,
        scan_status=upload.scan_status.value, quarantined_at=upload.quarantined_at, created_at=upload.created_at,
    )  # fmt: skip


@router.post("/uploads/{upload_id}/release")
async def release_upload(
    upload_id: uuid.UUID, body: StatedReasonIn, auth: ModeratorApi, db: DbSession
) -> QuarantinedUploadEnvelope:
    """A false alarm: readable again as before; later scans let the same signature pass."""
    upload, owner = await quarantine.release_upload(db, auth.user, upload_id, body.reason)
    return QuarantinedUploadEnvelope(upload=_quarantined(upload, owner.username))


@router.post("/uploads/{upload_id}/delete")
async def delete_upload(
    upload_id: uuid.UUID, body: StatedReasonIn, auth: ModeratorApi, db: DbSession, runtime: AppRuntime
) -> DeletedUploadOut:
    """Delete a quarantined file and its record; what used it loses it."""
    return DeletedUploadOut(id=await quarantine.delete_upload(db, runtime.storage, auth.user, upload_id, body.reason))


@router.get("/reports")
async def list_reports(
    auth: ModeratorApi,
    db: DbSession,
    sort: QueueOrder = QueueOrder.NEWEST,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[AdminReportOut]:
    """Open reports, one entry per reported thing: `sort=newest` (its newest report first) or
    `most_reported`, each with a preview and how often its author was actioned before."""
    entries, next_cursor = await reports.queue(db, sort, cursor, limit)
    return Page(items=[AdminReportOut.of(entry) for entry in entries], next_cursor=next_cursor)


@router.post("/reports/{report_id}/resolve")
async def resolve_report(report_id: uuid.UUID, body: ResolveIn, auth: ModeratorApi, db: DbSession) -> ResolvedOut:
    """Resolve every open report on the same thing: `dismiss`, `remove_content`, `warn` or
    `suspend_author`; the reporters and the author are told."""
    report, _target = await reports.resolve(db, auth.user, report_id, body.action, body.note or None)
    return ResolvedOut(report=ReportOut.model_validate(report))


@router.get("/audit")
async def list_audit(
    auth: AdminApi,
    db: DbSession,
    paging: Paging,
    target_type: Annotated[str | None, Query(max_length=20)] = None,
    target_id: Annotated[str | None, Query(max_length=60)] = None,
) -> Page[AuditEntryOut]:
    """Staff actions, newest first."""
    query = audit.AuditQuery(target_type=target_type, target_id=target_id)
    found, cursor = await audit.page(db, query, paging.cursor, paging.limit)
    return Page(items=[AuditEntryOut.model_validate(entry) for entry in found], next_cursor=cursor)


_CSV_COLUMNS = ("created_at", "actor", "actor_id", "action", "target_type", "target_id", "reason", "request_id")


@router.get("/audit.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_audit(auth: AdminApi, db: DbSession) -> Response:
    """The whole audit log as CSV, newest first (read from the database in batches)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_CSV_COLUMNS)
    async for entry in audit.every_entry(db, audit.AuditQuery()):
        writer.writerow(
            [entry.created_at.isoformat(), entry.actor_name, entry.actor_id or "", entry.action, entry.target_type,
             entry.target_id, entry.reason or "", entry.request_id or ""]
        )  # fmt: skip
    headers = {"Content-Disposition": 'attachment; filename="audit-log.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv", headers=headers)
