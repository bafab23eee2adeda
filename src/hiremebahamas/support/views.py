"""Pages: the help centre (/help, /help/<slug>, /help?q=) and the contact form (/contact)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from hiremebahamas.accounts.deps import OptionalAuth, optional_auth
from hiremebahamas.core.errors import AppError, NotFound, RateLimited
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.support import library
from hiremebahamas.support.contact import MAX_MESSAGE, ContactIn, ContactTopic, send_support_request
from hiremebahamas.web.deps import AppRuntime, AppSettings, DbSession, request_ip
from hiremebahamas.web.forms import Refusal, refused_form, render_form
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)

RATE_LIMITED = "You have sent several messages in the last hour. Please wait an hour before sending another."


@router.get("/help")
@shared_when_anonymous(area=None)  # the articles only change with a release
async def help_index(request: Request, q: str = "") -> Response:
    query = q.strip()[: library.MAX_QUERY_LENGTH]
    context = {"query": query, "sections": library.by_section(), "results": library.search(query) if query else None}
    return render(request, "support/index.html", context)


@router.get("/help/{slug}")
@shared_when_anonymous(area=None)
async def help_article(request: Request, slug: str) -> Response:
    article = library.articles().get(slug)
    if article is None:
        raise NotFound("We have no help page by that name. Search the help centre instead.")
    return render(request, "support/article.html", {"article": article, "sections": library.by_section()})


def _contact_page(request: Request, form: dict[str, str], refusal: Refusal | None = None) -> Response:
    context = {"topics": [(topic.value, topic.label) for topic in ContactTopic], "max_message": MAX_MESSAGE}
    return render_form(request, "support/contact.html", context, form, refusal)


@router.get("/contact")
async def contact_page(request: Request, topic: str = "") -> Response:
    chosen = topic if topic in ContactTopic._value2member_map_ else ""
    return _contact_page(request, {"topic": chosen, "message": "", "email": ""})


@router.post("/contact")
async def contact_submit(
    request: Request, db: DbSession, runtime: AppRuntime, settings: AppSettings, auth: OptionalAuth
) -> Response:
    submitted = await request.form()
    # Taken as sent, not cleaned as other forms are: a message is read by a person, who should
    # be told of an invisible character rather than get a text changed behind their back.
    form = {
        name: value if isinstance(value := submitted.get(name), str) else "" for name in ("topic", "message", "email")
    }
    sender = auth.user if auth is not None else None
    try:
        data = ContactIn.model_validate(
            {"topic": form["topic"], "message": form["message"], "email": None if sender else form["email"] or None}
        )
        # Counted once the request is valid: a mistyped form does not use up the allowance.
        await runtime.limiter.hit(LimitScope.SUPPORT, "ip", request_ip(request))
        if sender is not None:
            await runtime.limiter.hit(LimitScope.SUPPORT, "user", str(sender.id))
        await send_support_request(db, settings, sender, data)
    except RateLimited as exc:
        refusal = await refused_form(request, db, exc)
        return _contact_page(request, form, refusal._replace(message=RATE_LIMITED))
    except (ValidationError, AppError) as exc:
        return _contact_page(request, form, await refused_form(request, db, exc))
    return redirect(request, "/contact/sent", flash=("success", "Thank you: your message was sent."))


@router.get("/contact/sent")
async def contact_sent(request: Request) -> Response:
    return render(request, "support/sent.html", {})
