"""Saved searches and job alerts.

A saved search keeps the filters of a job search and a frequency. Instant alerts are matched
when a job opens (a task deferred by the jobs service) and emailed one job at a time; daily
alerts get one digest a day of the jobs published since the last one. `JobAlertDelivery` has
a row per (saved search, job) sent, and a row is inserted before its email is queued, so a job
is never sent twice for one saved search, however often the tasks run.

Every alert email carries a one-click unsubscribe link: a signed token naming the saved search,
usable without signing in (`List-Unsubscribe` points at the POST form of the same address).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core import tasks
from hiremebahamas.core.email import defer_email
from hiremebahamas.core.errors import Conflict, InvalidLink, NotFound
from hiremebahamas.core.sql import affected_rows, insert_ignoring_conflicts
from hiremebahamas.jobs import emails
from hiremebahamas.jobs.alerts.schemas import SavedSearchIn
from hiremebahamas.jobs.postings.cards import JobCard, effective_status, load_cards
from hiremebahamas.jobs.postings.labels import CATEGORY_LABELS, EMPLOYMENT_TYPE_LABELS
from hiremebahamas.jobs.postings.repository import get_job
from hiremebahamas.jobs.search.schemas import JobSearch
from hiremebahamas.jobs.search.service import matches, search_jobs
from hiremebahamas.models import (
    AlertFrequency,
    Company,
    EmploymentType,
    Island,
    Job,
    JobAlertDelivery,
    JobCategory,
    JobStatus,
    SavedSearch,
    User,
)
from hiremebahamas.models.base import utcnow

logger = logging.getLogger(__name__)

MAX_SAVED_SEARCHES = 20
DIGEST_MAX_JOBS = 20
# A digest looks back at most this far (and never before the previous digest).
DIGEST_LOOKBACK = timedelta(days=7)
_BATCH = 200


def describe(query: dict[str, object]) -> str:
    """A saved search in words: “hotel manager” · New Providence · Full-time."""
    parts: list[str] = []
    if query.get("q"):
        parts.append(f"“{query['q']}”")
    if isinstance(island := query.get("island"), str):
        parts.append(Island(island).label)
    if query.get("remote") is True:
        parts.append("Remote")
    if isinstance(kind := query.get("employment_type"), str):
        parts.append(EMPLOYMENT_TYPE_LABELS[EmploymentType(kind)])
    if isinstance(category := query.get("category"), str):
        parts.append(CATEGORY_LABELS[JobCategory(category)])
    if isinstance(query.get("salary_min"), int):
        parts.append(f"{query['salary_min']:,}+ a year")
    if query.get("company"):
        parts.append(f"at {query['company']}")
    if isinstance(query.get("posted_within_days"), int):
        parts.append(f"last {query['posted_within_days']} days")
    return " · ".join(parts) or "All jobs"


logger = logging.getLogger(__name__)


def search_url(query: dict[str, object]) -> str:
    values = {key: ("true" if value is True else "false" if value is False else value) for key, value in query.items()}
    return f"/jobs?{urlencode(values)}" if values else "/jobs"


async def list_saved(session: AsyncSession, user: User) -> list[SavedSearch]:
    query = select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.created_at, SavedSearch.id)
    return list((await session.execute(query)).scalars())


async def create_saved(session: AsyncSession, user: User, data: SavedSearchIn) -> SavedSearch:
    existing = await list_saved(session, user)
    if len(existing) >= MAX_SAVED_SEARCHES:  # the request is fine; what you already have is in the way
        raise Conflict(f"You can keep at most {MAX_SAVED_SEARCHES} job alerts. Delete one first.")
    filters = data.query.filters()
    if any(saved.query == filters and saved.frequency == data.frequency for saved in existing):
        raise Conflict("You already have this job alert.")
    saved = SavedSearch(user_id=user.id, query=filters, frequency=data.frequency)
    session.add(saved)
    await session.flush()
    return saved


async def delete_saved(session: AsyncSession, user: User, saved_id: uuid.UUID) -> None:
    saved = await session.get(SavedSearch, saved_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound("We could not find that job alert.")
    await session.delete(saved)
    await session.flush()


logger = logging.getLogger(__name__)


def _signature(settings: Settings, saved_id: uuid.UUID) -> str:
    message = f"job-alert-unsubscribe:{saved_id.hex}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


logger = logging.getLogger(__name__)


def unsubscribe_token(settings: Settings, saved_id: uuid.UUID) -> str:
    return f"{saved_id.hex}.{_signature(settings, saved_id)}"


async def unsubscribe(session: AsyncSession, settings: Settings, token: str) -> bool:
    """Delete the saved search a token names: True when it did, False when it was already gone."""
    raw_id, _, signature = token.partition(".")
    try:
        saved_id = uuid.UUID(hex=raw_id)
    except ValueError as exc:
        raise InvalidLink("This unsubscribe link is not valid. Check that you copied the whole link.") from exc
    if not hmac.compare_digest(signature, _signature(settings, saved_id)):
        raise InvalidLink("This unsubscribe link is not valid. Check that you copied the whole link.")
    return await affected_rows(session, delete(SavedSearch).where(SavedSearch.id == saved_id)) > 0


logger = logging.getLogger(__name__)


def unsubscribe_links(settings: Settings, saved_id: uuid.UUID) -> tuple[str, str]:
    """(the page people click in the email, the address mail clients POST to)."""
    query = urlencode({"token": unsubscribe_token(settings, saved_id)})
    return (
        emails.absolute(settings, f"/jobs/alerts/unsubscribe?{query}"),
        emails.absolute(settings, f"/api/saved-searches/unsubscribe?{query}"),
    )


async def _subscribers(session: AsyncSession, frequency: AlertFrequency) -> AsyncIterator[tuple[SavedSearch, User]]:
    """Saved searches of a frequency with their (active, verified) owners, in batches by id."""
    last: uuid.UUID | None = None
    while True:
        query = (
            select(SavedSearch, User)
            .join(User, User.id == SavedSearch.user_id)
            .where(SavedSearch.frequency == frequency, User.is_active, User.email_verified_at.is_not(None))
            .order_by(SavedSearch.id)
            .limit(_BATCH)
        )
        if last is not None:
            query = query.where(SavedSearch.id > last)
        rows = list(await session.execute(query))
        for row in rows:
            yield row
        if len(rows) < _BATCH:
            return
        last = rows[-1][0].id


logger = logging.getLogger(__name__)


def _parse(saved: SavedSearch) -> JobSearch | None:
    try:
        return JobSearch.model_validate({**saved.query, "sort": "newest"})
    except ValueError:
        return None  # a search saved under older rules; skipped rather than failing the run


logger = logging.getLogger(__name__)


def _structured_match(search: JobSearch, job: Job, company: Company) -> bool:
    """The filters that need no text search, checked in Python so that most saved searches
    cost no query at all."""
    return (
        (search.island is None or search.island == job.island)
        and (search.employment_type is None or search.employment_type == job.employment_type)
        and (search.remote is None or search.remote == job.remote)
        and (search.category is None or search.category == job.category)
        and (not search.company or search.company == company.slug)
        and (not search.salary_min or job.salary_annual_max >= search.salary_min)
    )


async def _deliver(
    session: AsyncSession, settings: Settings, saved: SavedSearch, user: User, cards: list[JobCard], digest: bool
) -> bool:
    sent = []
    for card in cards:
        if await insert_ignoring_conflicts(session, JobAlertDelivery, saved_search_id=saved.id, job_id=card.job.id):
            sent.append(card)
    if not sent:
        return False
    page, one_click = unsubscribe_links(settings, saved.id)
    description = describe(saved.query)
    message = emails.job_alert(
        settings, user, description, sent, unsubscribe_page=page, unsubscribe_one_click=one_click, digest=digest
    )
    defer_email(session, message)
    saved.last_sent_at = utcnow()
    return True


async def send_instant_alerts(session: AsyncSession, settings: Settings, job_id: uuid.UUID) -> int:
    """Email the job to every instant alert it matches (once each); returns the emails queued."""
    try:
        job, company = await get_job(session, job_id)
    except NotFound:
        return 0
    if effective_status(job) != JobStatus.OPEN:
        return 0
    (card,) = await load_cards(session, [(job, company)])
    queued = 0
    async for saved, user in _subscribers(session, AlertFrequency.INSTANT):
        search = _parse(saved)
        if search is None or user.id == job.posted_by_id or not _structured_match(search, job, company):
            continue
        if (search.q or search.posted_within_days) and not await matches(session, search, job.id):
            continue
        queued += await _deliver(session, settings, saved, user, [card], digest=False)
    return queued


@tasks.task
async def send_instant_job_alerts(context: tasks.TaskContext, *, job_id: str) -> None:
    """Deferred by the job service when a job opens."""
    async with tasks.unit_of_work(context) as session:
        count = await send_instant_alerts(session, context.settings, uuid.UUID(job_id))
    if count:
        logger.info("instant job alerts sent", extra={"count": count})


async def send_daily_digests(session: AsyncSession, settings: Settings, now: datetime | None = None) -> int:
    """One email per daily alert with the new jobs since its last digest; returns emails queued."""
    now = now or utcnow()
    queued = 0
    async for saved, user in _subscribers(session, AlertFrequency.DAILY):
        search = _parse(saved)
        if search is None:
            continue
        since = max(saved.last_sent_at or saved.created_at - timedelta(days=1), now - DIGEST_LOOKBACK)
        already_sent = exists().where(JobAlertDelivery.saved_search_id == saved.id, JobAlertDelivery.job_id == Job.id)
        page = await search_jobs(
            session, search, limit=DIGEST_MAX_JOBS, now=now, extra=[Job.published_at >= since, ~already_sent]
        )
        queued += await _deliver(session, settings, saved, user, page.cards, digest=True)
    return queued


async def count_deliveries(session: AsyncSession, saved_id: uuid.UUID) -> int:
    query = select(func.count()).where(JobAlertDelivery.saved_search_id == saved_id)
    return (await session.execute(query)).scalar_one()
