"""Notes the company's team keeps on an applicant: written and read by the team only (the
applicant, and everyone else, gets the 404 of an application they may not see)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.companies import service as companies
from hiremebahamas.core.errors import NotFound
from hiremebahamas.jobs.applications.service import ApplicationView, view_application
from hiremebahamas.models import ApplicantNote, User


@dataclass(frozen=True)
class NoteView:
    note: ApplicantNote
    author: User | None


async def _team_view(session: AsyncSession, actor: User, application_id: uuid.UUID) -> ApplicationView:
    view = await view_application(session, actor, application_id)
    if await companies.membership(session, view.company.id, actor.id) is None:
        # The applicant: the notes are not theirs to know of.
        raise NotFound("We could not find that application.")
    return view


async def add_note(session: AsyncSession, actor: User, application_id: uuid.UUID, body: str) -> NoteView:
    view = await _team_view(session, actor, application_id)
    note = ApplicantNote(application_id=view.application.id, author_id=actor.id, body=body)
    session.add(note)
    await session.flush()
    return NoteView(note, actor)


async def notes_of(session: AsyncSession, actor: User, application_id: uuid.UUID) -> list[NoteView]:
    await _team_view(session, actor, application_id)
    return (await notes_by_application(session, [application_id])).get(application_id, [])


async def notes_by_application(
    session: AsyncSession, application_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[NoteView]]:
    """The notes of several applications, oldest first, in one query (the applicants page,
    whose caller has checked the team already)."""
    if not application_ids:
        return {}
    query = (
        select(ApplicantNote, User)
        .outerjoin(User, User.id == ApplicantNote.author_id)
        .where(ApplicantNote.application_id.in_(application_ids))
        .order_by(ApplicantNote.created_at, ApplicantNote.id)
    )
    found: dict[uuid.UUID, list[NoteView]] = defaultdict(list)
    for note, author in await session.execute(query):
        found[note.application_id].append(NoteView(note, author))
    return dict(found)
