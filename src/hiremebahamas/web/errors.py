"""One error shape for the API, readable pages (or htmx fragments) for the web."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hiremebahamas.core.dbfailures import database_unreachable
from hiremebahamas.core.errors import AppError, DatabaseUnavailable, NotFound, Unauthenticated, ValidationFailed
from hiremebahamas.web.rendering import is_htmx, redirect, render

logger = logging.getLogger(__name__)

# A page for one kind of error, rendered by the domain that knows what to offer (billing: the
# plan that lifts a limit). The app passes them to install_error_handlers.
ErrorPage = Callable[[Request, AppError], Awaitable[Response]]

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_page(
    request: Request, status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> Response:
    template = "errors/_alert.html" if is_htmx(request) else "errors/error.html"
    response = render(request, template, {"status": status, "message": message, "code": code}, status_code=status)
    if is_htmx(request):
        # htmx swaps only 2xx by default; app.js lets these through into the page's alert area.
        response.headers["HX-Retarget"] = "#flash-area"
        response.headers["HX-Reswap"] = "innerHTML"
    response.headers.update(headers or {})
    return response


async def handle_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if is_api(request):
        return JSONResponse(exc.to_body(), status_code=exc.status_code, headers=exc.headers())
    if isinstance(exc, Unauthenticated) and request.method == "GET":
        return redirect(request, f"/login?next={quote(request.url.path)}")
    error_pages: Mapping[type[AppError], ErrorPage] = request.app.state.error_pages
    for kind, page in error_pages.items():
        if isinstance(exc, kind):
            return await page(request, exc)
    return error_page(request, exc.status_code, exc.message, exc.code, exc.headers())


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields: dict[str, str] = {}
    for error in exc.errors():
        fields.setdefault(_field_name(tuple(error.get("loc", ()))), str(error.get("msg", "Invalid value.")))
    return await handle_app_error(request, ValidationFailed(fields=fields))


def _allowed_methods(request: Request) -> str:
    """Every method served at this path. Each FastAPI route serves one method, and the 405 of
    the first route whose path matched lists only that route's own."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.methods and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return await handle_app_error(request, NotFound())
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = str(exc.detail) if exc.detail else "The request could not be processed."
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    if is_api(request):
        body = {"error": {"code": code, "message": message}}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)
    return error_page(request, exc.status_code, message, code, headers)


class AnswerUnexpectedErrors:
    """Answers an unhandled error with a 500 page or body, as a normal response.

    Starlette's own 500 handler answers and then re-raises to the server, which logs the error a
    second time and drops the keep-alive connection (and with it a load balancer's pooled one).
    Inside that handler, this answers, logs once, and the connection stays usable. An error after
    the response has started cannot be answered any more: that one still goes up.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = await handle_unexpected(Request(scope), exc)
            await response(scope, receive, send)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    if database_unreachable(exc):
        # An outage, not a bug: a clear 503 the client may retry, one warning line, no traceback.
        logger.warning("database unavailable: %s", type(exc).__name__)
        return await handle_app_error(request, DatabaseUnavailable())
    logger.error("unhandled error", exc_info=exc)
    message = "Something went wrong on our side. It has been logged; please try again."
    if is_api(request):
        return JSONResponse({"error": {"code": "internal_error", "message": message}}, status_code=500)
    return error_page(request, 500, message, "internal_error")


def install_error_handlers(app: FastAPI, error_pages: Mapping[type[AppError], ErrorPage]) -> None:
    app.state.error_pages = dict(error_pages)
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_middleware(AnswerUnexpectedErrors)
