"""JSON API: applying to a job and its applicants (/api/jobs/{id}/…), and /api/applications."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from hiremebahamas.accounts.deps import CurrentUser, VerifiedAuth
from hiremebahamas.core.pagination import Page
from hiremebahamas.jobs.applications import notes
from hiremebahamas.jobs.applications import service as applications
from hiremebahamas.jobs.applications.schemas import (
    ApplicantOut,
    ApplicationEnvelope,
    ApplicationEventOut,
    ApplicationIn,
    ApplicationJobOut,
    ApplicationOut,
    ApplicationsOut,
    ApplicationStatusIn,
    BulkStatusIn,
    CvOut,
    NoteIn,
    NoteOut,
    NotesOut,
)
from hiremebahamas.jobs.applications.service import ApplicationView, HistoryEntry
from hiremebahamas.jobs.postings.cards import company_brief, job_path
from hiremebahamas.jobs.postings.labels import APPLICATION_STATUS_LABELS
from hiremebahamas.models import ApplicationStatus
from hiremebahamas.uploads.service import upload_url as media_url
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.openapi import NOT_FOUND
from hiremebahamas.web.pagination import Paging

jobs_router = APIRouter(prefix="/jobs", tags=["jobs"])
applications_router = APIRouter(prefix="/applications", tags=["applications"])
router = APIRouter()


def application_out(view: ApplicationView, events: list[HistoryEntry] | None = None) -> ApplicationOut:
    application, job = view.application, view.job
    cv = view.cv
    return ApplicationOut(
        id=application.id,
        status=application.status,
        status_label=APPLICATION_STATUS_LABELS[application.status],
        cover_letter=application.cover_letter,
        cv=CvOut(id=cv.id, name=cv.original_name or "CV", url=media_url(cv)) if cv else None,
        applicant=ApplicantOut(
            username=view.applicant.username,
            name=view.applicant.full_name,
            headline=view.person.profile.headline,
            avatar_url=view.person.avatar_url,
            island_label=view.person.island_label,
            skills=list(view.skills),
        ),
        job=ApplicationJobOut(
            id=job.id, url=job_path(job), title=job.title, company=company_brief(view.company), status=job.status
        ),
        created_at=application.created_at,
        updated_at=application.updated_at,
        events=None
        if events is None
        else [
            ApplicationEventOut(
                from_status=entry.event.from_status,
                to_status=entry.event.to_status,
                by=entry.actor.username if entry.actor else None,
                at=entry.event.created_at,
            )
            for entry in events
        ],
    )


@jobs_router.post("/{job_id:uuid}/apply", status_code=status.HTTP_201_CREATED)
async def apply(
    job_id: uuid.UUID, body: ApplicationIn, auth: VerifiedAuth, db: DbSession, settings: AppSettings
) -> ApplicationEnvelope:
    view = await applications.apply_to_job(db, settings, auth.user, job_id, body)
    return ApplicationEnvelope(application=application_out(view))


@jobs_router.get("/{job_id:uuid}/applications")
async def job_applications(
    job_id: uuid.UUID, db: DbSession, user: CurrentUser, page: Paging, status: ApplicationStatus | None = None
) -> Page[ApplicationOut]:
    """The applicants of a job, newest first: for the company's team only."""
    views, cursor = await applications.list_for_job(db, user, job_id, status, page)
    return Page(items=[application_out(view) for view in views], next_cursor=cursor)


@applications_router.get("/mine")
async def my_applications(db: DbSession, user: CurrentUser, page: Paging) -> Page[ApplicationOut]:
    views, cursor = await applications.list_mine(db, user, page)
    return Page(items=[application_out(view) for view in views], next_cursor=cursor)


@applications_router.get("/{application_id:uuid}")
async def get_application(application_id: uuid.UUID, db: DbSession, user: CurrentUser) -> ApplicationEnvelope:
    """One application with its history: for the applicant and the company's team."""
    view = await applications.view_application(db, user, application_id)
    events = await applications.history(db, application_id)
    return ApplicationEnvelope(application=application_out(view, events))


@applications_router.patch("/{application_id:uuid}")
async def change_application_status(
    application_id: uuid.UUID, body: ApplicationStatusIn, auth: VerifiedAuth, db: DbSession, settings: AppSettings
) -> ApplicationEnvelope:
    """The team moves an application along its pipeline; the applicant may withdraw it."""
    view = await applications.change_status(db, settings, auth.user, application_id, body.status)
    return ApplicationEnvelope(application=application_out(view))


@applications_router.post("/bulk-status", responses=NOT_FOUND)
async def change_application_statuses(
    body: BulkStatusIn, auth: VerifiedAuth, db: DbSession, settings: AppSettings
) -> ApplicationsOut:
    """The team moves several applications to one status at once: all of them or, when one
    cannot move, none (the error names it)."""
    views = await applications.change_statuses(db, settings, auth.user, body.application_ids, body.status)
    return ApplicationsOut(items=[application_out(view) for view in views])


def note_out(found: notes.NoteView) -> NoteOut:
    author = found.author
    return NoteOut(
        id=found.note.id,
        body=found.note.body,
        by=author.username if author else None,
        by_name=author.full_name if author else None,
        at=found.note.created_at,
    )


@applications_router.get("/{application_id:uuid}/notes")
async def application_notes(application_id: uuid.UUID, db: DbSession, user: CurrentUser) -> NotesOut:
    """The team's notes on an applicant, oldest first: for the company's team only."""
    return NotesOut(items=[note_out(found) for found in await notes.notes_of(db, user, application_id)])


@applications_router.post("/{application_id:uuid}/notes", status_code=status.HTTP_201_CREATED)
async def add_application_note(application_id: uuid.UUID, body: NoteIn, auth: VerifiedAuth, db: DbSession) -> NoteOut:
    """A note on an applicant that only the company's team sees."""
    return note_out(await notes.add_note(db, auth.user, application_id, body.body))


router.include_router(jobs_router)
router.include_router(applications_router)
