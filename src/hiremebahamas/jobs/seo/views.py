"""/sitemap.xml (open jobs, the companies hiring and the people who let search engines find
them) and Atom feeds of job searches."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select

from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.jobs.alerts.service import describe
from hiremebahamas.jobs.search.form import search_from_request
from hiremebahamas.jobs.search.service import search_jobs
from hiremebahamas.jobs.seo import markup as seo
from hiremebahamas.models import Company, Job, JobStatus, Profile, ProfileVisibility, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.web.deps import AppSettings, DbSession

router = APIRouter(include_in_schema=False)

SITEMAP_LIMIT = 45_000  # the protocol allows 50,000 URLs per file
FEED_SIZE = 50
PEOPLE_LIMIT = 5_000  # the most recently updated profiles


@router.get("/sitemap.xml")
@shared_when_anonymous(area="jobs")
async def sitemap(db: DbSession, settings: AppSettings) -> Response:
    now = utcnow()
    live = (Job.status == JobStatus.OPEN, Job.valid_through > now)
    jobs = await db.execute(
        select(Job.id, Job.slug, Job.updated_at).where(*live).order_by(Job.published_at.desc()).limit(SITEMAP_LIMIT)
    )
    hiring = await db.execute(
        select(Company.slug, func.max(Job.updated_at))
        .join(Job, Job.company_id == Company.id)
        .where(*live)
        .group_by(Company.slug)
        .limit(5_000)
    )
    entries: list[tuple[str, object]] = [("/jobs", None)]
    entries += [(f"/jobs/{job_id}-{slug}", updated) for job_id, slug, updated in jobs]
    entries += [(f"/companies/{slug}", updated) for slug, updated in hiring]
    # Public profiles whose owner left search engine indexing on; a change of either control
    # drops the kept sitemap (profiles/service.py).
    people = await db.execute(
        select(User.username, Profile.updated_at)
        .join(Profile, Profile.user_id == User.id)
        .where(
            User.is_active.is_(True),
            Profile.visibility == ProfileVisibility.PUBLIC,
            Profile.search_engine_indexing.is_(True),
        )
        .order_by(Profile.updated_at.desc())
        .limit(PEOPLE_LIMIT)
    )
    entries += [(f"/u/{username}", updated) for username, updated in people]
    body = seo.sitemap(settings, entries)  # type: ignore[arg-type]
    return Response(body, media_type="application/xml")


@router.get("/jobs/feed.atom")
@shared_when_anonymous(area="jobs")
async def feed(request: Request, db: DbSession, settings: AppSettings) -> Response:
    search, raw, _errors = search_from_request(request)
    search = search.model_copy(update={"sort": "newest"})
    page = await search_jobs(db, search, limit=FEED_SIZE)
    query = urlencode({key: value for key, value in raw.items() if value and key != "sort"})
    suffix = f"?{query}" if query else ""
    updated = max((card.job.updated_at for card in page.cards), default=utcnow())
    body = seo.atom_feed(
        settings,
        title=f"HireMeBahamas jobs: {describe(search.filters())}",
        feed_path=f"/jobs/feed.atom{suffix}",
        page_path=f"/jobs{suffix}",
        cards=page.cards,
        updated=updated,
    )
    return Response(body, media_type="application/atom+xml")
