"""The application factory: one FastAPI app serving pages, the JSON API and operations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import APIRouter, Depends, FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

from hiremebahamas.accounts import api as accounts_api
from hiremebahamas.accounts import views as accounts_views
from hiremebahamas.config import Settings
from hiremebahamas.core.middleware import RequestContextMiddleware
from hiremebahamas.core.observability import configure_logging, init_sentry
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.web import ops, pages
from hiremebahamas.web.csrf import protect_api, protect_pages
from hiremebahamas.web.errors import install_error_handlers
from hiremebahamas.web.ratelimits import limit_api


class CachedStaticFiles(StaticFiles):
    """Files asked for with a content hash (`?v=`) never change: let browsers and CDNs keep them."""

    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        if b"v=" in scope.get("query_string", b"") and response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


class HireMeBahamasApp(FastAPI):
    """Request context (id, access log, metrics, security headers) wraps even Starlette's own
    error middleware, so a 500 also carries its request id and the security headers."""

    def build_middleware_stack(self) -> ASGIApp:
        runtime: Runtime = self.state.runtime
        return RequestContextMiddleware(super().build_middleware_stack(), settings=runtime.settings)


def _api_router() -> APIRouter:
    api = APIRouter(prefix="/api", dependencies=[Depends(limit_api), Depends(protect_api)])
    api.include_router(accounts_api.auth_router)
    api.include_router(accounts_api.csrf_router)
    api.include_router(accounts_api.users_router)
    return api


def _web_router() -> APIRouter:
    web = APIRouter(dependencies=[Depends(protect_pages)])
    web.include_router(pages.router)
    web.include_router(accounts_views.router)
    return web


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings)
    init_sentry(settings)
    runtime = runtime or create_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await runtime.close()

    app = HireMeBahamasApp(
        title="HireMeBahamas API",
        version="1.0.0",
        description='Jobs and professional network for the Bahamas. Errors are `{"error": {"code", "message"}}`.',
        lifespan=lifespan,
        docs_url=None,  # web/pages.py serves /docs from local files (the stock page uses a CDN)
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(ops.router)
    app.include_router(_api_router())
    app.include_router(_web_router())
    app.mount("/static", CachedStaticFiles(directory=str(files("hiremebahamas").joinpath("static"))), name="static")
    return app
