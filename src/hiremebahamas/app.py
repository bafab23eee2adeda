"""The application factory: one FastAPI app serving pages, the JSON API and operations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from starlette.types import ASGIApp

from hiremebahamas.accounts import api as accounts_api
from hiremebahamas.accounts import two_factor_api, two_factor_views
from hiremebahamas.accounts import views as accounts_views
from hiremebahamas.accounts.deps import limit_api, optional_auth
from hiremebahamas.analytics import api as analytics_api
from hiremebahamas.analytics import views as analytics_views
from hiremebahamas.analytics.tasks import roll_up_yesterday
from hiremebahamas.billing import api as billing_api
from hiremebahamas.billing import views as billing_views
from hiremebahamas.billing.tasks import send_billing_reminders
from hiremebahamas.companies import api as companies_api
from hiremebahamas.companies import views as companies_views
from hiremebahamas.config import Settings
from hiremebahamas.core.compression import CompressionMiddleware
from hiremebahamas.core.errors import UpgradeRequired
from hiremebahamas.core.http_cache import HttpCacheMiddleware, StaticAssets
from hiremebahamas.core.middleware import RequestContextMiddleware
from hiremebahamas.core.observability import configure_logging, init_sentry
from hiremebahamas.core.response_cache import ResponseCacheMiddleware
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.core.schedule import start_schedule
from hiremebahamas.core.security import SESSION_COOKIE
from hiremebahamas.jobs.alerts import api as job_alerts_api
from hiremebahamas.jobs.alerts import views as job_alerts_views
from hiremebahamas.jobs.applications import api as job_applications_api
from hiremebahamas.jobs.applications import views as job_applications_views
from hiremebahamas.jobs.dashboard import api as employer_dashboard_api
from hiremebahamas.jobs.dashboard import views as employer_dashboard_views
from hiremebahamas.jobs.postings import api as job_postings_api
from hiremebahamas.jobs.postings import job_page
from hiremebahamas.jobs.postings import views as job_postings_views
from hiremebahamas.jobs.search import api as job_search_api
from hiremebahamas.jobs.search import views as job_search_views
from hiremebahamas.jobs.seo import views as job_seo_views
from hiremebahamas.jobs.tasks import run_due
from hiremebahamas.legal import api as legal_api
from hiremebahamas.legal import views as legal_views
from hiremebahamas.lifecycle import api as lifecycle_api
from hiremebahamas.lifecycle import views as lifecycle_views
from hiremebahamas.lifecycle.tasks import (
    resume_stalled_campaigns,
    send_welcome_sequences,
    start_scheduled_newsletters,
    start_weekly_digest,
)
from hiremebahamas.messaging import api as messaging_api
from hiremebahamas.messaging import views as messaging_views
from hiremebahamas.moderation import api as moderation_api
from hiremebahamas.moderation import views as moderation_views
from hiremebahamas.notifications import api as notifications_api
from hiremebahamas.notifications import views as notifications_views
from hiremebahamas.notifications.nav import load_nav_counts
from hiremebahamas.posts import api as posts_api
from hiremebahamas.posts import views as posts_views
from hiremebahamas.privacy import api as privacy_api
from hiremebahamas.privacy import views as privacy_views
from hiremebahamas.privacy.tasks import delete_expired_exports, erase_deleted_accounts
from hiremebahamas.profiles import api as profiles_api
from hiremebahamas.profiles import views as profiles_views
from hiremebahamas.profiles.viewers import forget_old_views
from hiremebahamas.realtime import ws as realtime_ws
from hiremebahamas.social import api as social_api
from hiremebahamas.social import views as social_views
from hiremebahamas.staff import api as staff_api
from hiremebahamas.staff import views as staff_views
from hiremebahamas.staff.data_admin import mount_data_admin
from hiremebahamas.staff.deps import SecondFactorNeeded
from hiremebahamas.staff.tasks import end_suspensions
from hiremebahamas.support import views as support_views
from hiremebahamas.uploads import api as uploads_api
from hiremebahamas.uploads import views as uploads_views
from hiremebahamas.uploads.tasks import rescan_stored_uploads
from hiremebahamas.web import ops, pages
from hiremebahamas.web.consent import CONSENT_COOKIE
from hiremebahamas.web.csrf import protect_api, protect_pages
from hiremebahamas.web.deps import refuse_url_controls
from hiremebahamas.web.errors import install_error_handlers
from hiremebahamas.web.openapi import install_openapi, operation_id
from hiremebahamas.web.rendering import FLASH_COOKIE


def personal_cookies(settings: Settings) -> tuple[str, ...]:
    """A request carrying one of these gets an answer of its own: never a shared or stored copy.
    The consent choice changes the page (no banner; the tags after an accept) only while a
    non-essential service is configured."""
    cookies = (SESSION_COOKIE, FLASH_COOKIE)
    return (*cookies, CONSENT_COOKIE) if settings.consent_required else cookies


class HireMeBahamasApp(FastAPI):
    """Request context (id, access log, metrics, security headers) wraps even Starlette's own
    error middleware, so a 500 also carries its request id and the security headers."""

    def build_middleware_stack(self) -> ASGIApp:
        runtime: Runtime = self.state.runtime
        settings = runtime.settings
        personal = personal_cookies(settings)
        app: ASGIApp = CompressionMiddleware(super().build_middleware_stack())
        # Between the two: a stored answer is already compressed, and still gets its ETag and headers.
        app = ResponseCacheMiddleware(app, runtime.store, settings, personal_cookies=personal)
        # Outside compression (an ETag names the bytes sent) and the error middleware (a 500 is covered).
        app = HttpCacheMiddleware(app, settings, personal_cookies=personal)
        # Outermost, so a 304, a compressed answer or a cached one is logged and counted too.
        return RequestContextMiddleware(app, settings=settings)


def _api_router() -> APIRouter:
    api = APIRouter(
        prefix="/api", dependencies=[Depends(refuse_url_controls), Depends(limit_api), Depends(protect_api)]
    )
    api.include_router(accounts_api.auth_router)
    api.include_router(accounts_api.csrf_router)
    api.include_router(two_factor_api.router)
    api.include_router(accounts_api.users_router)
    api.include_router(companies_api.router)
    api.include_router(job_search_api.router)
    api.include_router(job_postings_api.router)
    api.include_router(job_applications_api.router)
    api.include_router(employer_dashboard_api.router)
    api.include_router(job_alerts_api.router)
    api.include_router(privacy_api.router)
    api.include_router(legal_api.router)
    api.include_router(profiles_api.users_router)
    api.include_router(profiles_api.talent_router)
    api.include_router(social_api.router)
    api.include_router(moderation_api.router)
    api.include_router(posts_api.router)
    api.include_router(messaging_api.router)
    api.include_router(notifications_api.router)
    api.include_router(uploads_api.router)
    api.include_router(billing_api.router)
    api.include_router(staff_api.router)
    api.include_router(analytics_api.router)
    return api


def _web_router() -> APIRouter:
    web = APIRouter(
        dependencies=[
            Depends(refuse_url_controls),
            Depends(protect_pages),
            Depends(load_nav_counts),
            Depends(billing_views.load_billing_notice),
            Depends(legal_views.load_terms_notice),
        ]
    )
    web.include_router(pages.router, dependencies=[Depends(optional_auth)])  # the layout shows who is signed in
    web.include_router(accounts_views.router)
    web.include_router(privacy_views.router)
    web.include_router(legal_views.router)
    web.include_router(two_factor_views.router)
    web.include_router(companies_views.router)
    # The jobs pages: every fixed path before the job page's catch-all `/jobs/{ref}`.
    web.include_router(job_search_views.router)
    web.include_router(job_postings_views.router)
    web.include_router(job_alerts_views.router)
    web.include_router(job_seo_views.router)
    web.include_router(job_applications_views.router)
    web.include_router(employer_dashboard_views.router)
    web.include_router(job_page.router)
    web.include_router(profiles_views.router)
    web.include_router(social_views.router)
    web.include_router(moderation_views.router)
    web.include_router(posts_views.router)
    web.include_router(messaging_views.router)
    web.include_router(notifications_views.router)
    web.include_router(uploads_views.router)
    web.include_router(billing_views.router)
    web.include_router(analytics_views.router)
    web.include_router(staff_views.router)
    web.include_router(lifecycle_views.router)
    web.include_router(support_views.router)
    return web


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings)
    init_sentry(settings)
    runtime = runtime or create_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # WEB_THREADS sizes the pool that blocking calls (argon2) run on, off the event loop.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        # Job expiry, daily alerts, suspensions ending, deleted accounts erased, expired data
        # exports deleted, the analytics rollup, old profile views forgotten, uploads scanned
        # again, the billing reminders, the welcome sequences, the weekly digest, newsletters due
        # and stalled campaigns; off in
        # tests, and left to the worker's cron when one runs.
        runs = [
            run_due,
            end_suspensions,
            erase_deleted_accounts,
            delete_expired_exports,
            roll_up_yesterday,
            forget_old_views,
            rescan_stored_uploads,
            send_billing_reminders,
            send_welcome_sequences,
            start_weekly_digest,
            resume_stalled_campaigns,
            start_scheduled_newsletters,
        ]
        schedule = start_schedule(runtime, runs, enabled=False if runtime.tasks.uses_worker else None)
        runtime.database.replicas.start()  # which read replicas are fit to serve (core/replicas.py)
        yield
        await schedule.stop()
        await runtime.close()

    app = HireMeBahamasApp(
        title="HireMeBahamas API",
        version="1.0.0",
        description='Jobs and professional network for the Bahamas. Errors are `{"error": {"code", "message"}}`.',
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # web/pages.py serves /docs from local files (the stock page uses a CDN)
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(
        app, {UpgradeRequired: billing_views.upgrade_prompt, SecondFactorNeeded: staff_views.second_factor_needed}
    )
    install_openapi(app)
    app.include_router(ops.router)
    app.include_router(ops.log_check_router, dependencies=[Depends(ops.require_metrics_token), Depends(limit_api)])
    app.include_router(billing_api.webhook_router)  # Stripe: signed, no cookie, no per-client rate limit
    app.include_router(lifecycle_api.webhook_router)  # SendGrid's events: the same
    app.include_router(billing_views.checkout_router)  # embedded checkout: the API's CSRF rule (bearer or cookie)
    # The cookie choice: refused unless sent from this site, as its form holds no CSRF token.
    app.include_router(legal_views.consent_router, dependencies=[Depends(refuse_url_controls)])
    app.include_router(_api_router())
    app.include_router(_web_router())
    app.include_router(realtime_ws.router)
    mount_data_admin(app, runtime)  # /admin/data: plans and skills, admins only
    app.mount("/static", StaticAssets(directory=str(files("hiremebahamas").joinpath("static"))), name="static")
    return app
