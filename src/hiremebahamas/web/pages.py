"""Site-wide pages: home, and the development outbox."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from hiremebahamas.accounts.deps import OptionalAuth, optional_auth
from hiremebahamas.core.email import FileOutbox, read_outbox_message
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.posts import views as posts_views
from hiremebahamas.web.deps import AppRuntime, DbSession
from hiremebahamas.web.rendering import render, static_url

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)


@router.get("/")
@shared_when_anonymous(area="jobs")
async def home(request: Request, auth: OptionalAuth, db: DbSession, runtime: AppRuntime) -> Response:
    if auth is not None:
        return await posts_views.home_feed(request, auth, db, runtime)  # signed in: the feed
    return render(request, "pages/home.html")


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    return RedirectResponse(static_url("favicon.svg"), status_code=301)


@router.get("/docs")
async def api_docs(request: Request) -> Response:
    """Swagger UI served from our own static files, so the strict CSP holds here too."""
    return render(request, "pages/api_docs.html")


def _outbox(runtime: AppRuntime) -> FileOutbox:
    # Only in development, and only when mail really goes to files: a 404 everywhere else.
    if not runtime.settings.is_development or not isinstance(runtime.email, FileOutbox):
        raise NotFound()
    return runtime.email


def _summary(path: Path, message: EmailMessage) -> dict[str, str]:
    return {
        "name": path.stem,
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "date": str(message["Date"]),
    }


@router.get("/dev/outbox")
async def outbox(request: Request, runtime: AppRuntime) -> Response:
    paths = _outbox(runtime).list_messages()[:100]
    messages = [_summary(path, read_outbox_message(path)) for path in paths]
    return render(request, "pages/outbox.html", {"messages": messages})


@router.get("/dev/outbox/{name}")
async def outbox_message(request: Request, runtime: AppRuntime, name: str) -> Response:
    box = _outbox(runtime)
    path = box.directory / f"{name}.eml"
    if "/" in name or name.startswith(".") or not path.is_file():
        raise NotFound("That email is not in the outbox.")
    message = read_outbox_message(path)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return render(request, "pages/outbox_message.html", {"message": _summary(path, message), "text": text})
