"""Site-wide pages: the API docs, the favicon, robots.txt and the development outbox. (The home
page is the feed's: posts/views.py.)"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse

from hiremebahamas.core.email import FileOutbox, read_outbox_message
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.web.deps import AppRuntime, AppSettings
from hiremebahamas.web.rendering import render, static_url

router = APIRouter(include_in_schema=False)


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    return RedirectResponse(static_url("favicon.svg"), status_code=301)


# Signed-in, staff and one-off pages: nothing a search engine should list. (Private pages also
# answer anonymous visitors with a redirect to the login; this keeps crawlers from trying.)
ROBOTS_DISALLOWED = (
    "/admin",
    "/api/",
    "/account",
    "/applications",
    "/billing/",
    "/messages",
    "/notifications",
    "/profile/",
    "/report",
    "/jobs/new",
    "/jobs/for-you",
    "/jobs/alerts",
    "/jobs/*/apply",
    "/jobs/*/applicants",
    "/jobs/*/edit",
    "/jobs/*/stats",
    "/companies/new",
    "/companies/*/edit",
    "/posts/*/edit",
    "/login/code",
    "/reset-password",
    "/verify-email",
    "/dev/",
)


@router.get("/robots.txt")
@shared_when_anonymous(area=None)
async def robots_txt(settings: AppSettings) -> PlainTextResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED), ""]
    lines.append(f"Sitemap: {settings.base_url}/sitemap.xml")
    return PlainTextResponse("\n".join(lines) + "\n")


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
