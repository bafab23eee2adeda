"""Pages: the feed on the home page, writing, editing and deleting posts, likes (htmx-enhanced
forms that also work without JavaScript), a post with its comments."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile

from hiremebahamas.accounts.deps import Auth, CurrentAuth, OptionalAuth, optional_auth
from hiremebahamas.billing.views import upgrade_context
from hiremebahamas.core.errors import AppError, UpgradeRequired, ValidationFailed
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.core.pagination import DEFAULT_LIMIT, PageParams
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.jobs.dashboard.service import dashboard as employer_dashboard
from hiremebahamas.jobs.postings.featured import featured_jobs
from hiremebahamas.jobs.postings.for_you import jobs_for_you
from hiremebahamas.jobs.postings.landing import latest_jobs, open_job_counts
from hiremebahamas.models import AccountType, Comment, UploadPurpose
from hiremebahamas.posts import feed, service
from hiremebahamas.posts.schemas import MAX_COMMENT_LENGTH, MAX_POST_LENGTH, CommentIn, PostIn, PostUpdateIn
from hiremebahamas.posts.timelines import timelines_of
from hiremebahamas.social.views import load_suggestions
from hiremebahamas.uploads.forms import upload_from_form
from hiremebahamas.web.deps import AppRuntime, DbSession, request_ip
from hiremebahamas.web.forms import FormStr, Refusal, refused_form, render_form
from hiremebahamas.web.pagination import page_cursor
from hiremebahamas.web.rendering import is_htmx, redirect, render, safe_next

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)

COMMENTS_PAGE = 50


def _limits() -> dict[str, int]:
    return {"max_post": MAX_POST_LENGTH, "max_comment": MAX_COMMENT_LENGTH}


async def home_feed(
    request: Request,
    auth: Auth,
    db: DbSession,
    runtime: Runtime,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    upgrade: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The signed-in home page: the composer and the feed."""
    timelines = timelines_of(runtime.store, runtime.settings.cache_feed_ttl)
    page = await feed.feed_page(db, timelines, auth.user, PageParams(page_cursor(request), DEFAULT_LIMIT))
    context: dict[str, Any] = {
        "feed": page,
        "form": form or {},
        "errors": errors or {},
        "error": error,
        "upgrade": upgrade,
        "limits": _limits(),
        "next_url": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        **await load_suggestions(db, runtime.memory, auth.user),
        "featured_jobs": await featured_jobs(db, runtime.memory),
        # Job seekers also see open jobs matching their skills and island.
        "jobs_for_you": (
            await jobs_for_you(db, runtime.memory, auth.user, limit=5)
            if auth.user.account_type == AccountType.JOB_SEEKER
            else None
        ),
        # An employer's home leads with their hiring: new applicants and open jobs.
        "employer_dashboard": (
            await employer_dashboard(db, auth.user) if auth.user.account_type == AccountType.EMPLOYER else None
        ),
    }
    return render(request, "pages/home.html", context, status_code=status_code)


@router.get("/")
@shared_when_anonymous(area="jobs")
async def home(request: Request, auth: OptionalAuth, db: DbSession, runtime: AppRuntime) -> Response:
    """The feed for a member; the landing page, the same for every visitor, for anyone else."""
    if auth is not None:
        return await home_feed(request, auth, db, runtime)
    context = {
        "counts": await open_job_counts(db, runtime.memory),
        "latest_jobs": await latest_jobs(db),
        "featured_jobs": await featured_jobs(db, runtime.memory),
    }
    return render(request, "pages/home.html", context)


@router.post("/posts")
async def create_post(
    request: Request,
    db: DbSession,
    runtime: AppRuntime,
    auth: CurrentAuth,
    body: FormStr = "",
    image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        # Check the text first: a post refused for its text must not leave a stored image behind.
        text = service.check_can_post(auth.user, body)
        upload = await upload_from_form(
            db, runtime, auth.user, UploadPurpose.POST_IMAGE, image, field="image", ip=request_ip(request)
        )
        data = PostIn(body=text, image_upload_id=upload.id if upload else None)
        post = await service.create_post(db, auth.user, data)
    except AppError as exc:
        fields, message, _status = await refused_form(request, db, exc)
        return await home_feed(
            request,
            auth,
            db,
            runtime,
            form={"body": body},
            errors=fields,
            error=message,
            # Over the plan's limit: the composer keeps the text and offers the upgrade.
            upgrade=await upgrade_context(request, exc) if isinstance(exc, UpgradeRequired) else None,
            status_code=exc.status_code,
        )
    return redirect(request, f"/#post-{post.id}", flash=("success", "Your post is live."))


async def _detail(
    request: Request,
    db: DbSession,
    auth: Auth,
    post_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> Response:
    view = await service.get_post(db, auth.user, post_id)
    comments = await service.list_comments(db, auth.user, post_id, PageParams(page_cursor(request), COMMENTS_PAGE))
    context: dict[str, Any] = {"view": view, "comments": comments, "limits": _limits(), "next_url": f"/posts/{post_id}"}
    return render_form(request, "posts/detail.html", context, form or {}, refusal)


@router.get("/posts/{post_id}")
async def post_page(request: Request, db: DbSession, auth: CurrentAuth, post_id: uuid.UUID) -> Response:
    return await _detail(request, db, auth, post_id)


@router.get("/posts/{post_id}/edit")
async def edit_page(request: Request, db: DbSession, auth: CurrentAuth, post_id: uuid.UUID) -> Response:
    view = await service.get_post(db, auth.user, post_id)
    service.check_can_edit(auth.user, view.card.post)
    return render_form(request, "posts/edit.html", {"view": view, "limits": _limits()}, {"body": view.card.post.body})


@router.post("/posts/{post_id}/edit")
async def edit_submit(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    post_id: uuid.UUID,
    body: FormStr = "",
    remove_image: FormStr = "",
) -> Response:
    # The text is checked here first, so the page says what the service would (the input model
    # would refuse it with its generic words).
    try:
        changes: dict[str, Any] = {"body": service.clean_body(body, MAX_POST_LENGTH, "post")}
        if remove_image:
            changes["image_upload_id"] = None
        await service.update_post(db, auth.user, post_id, PostUpdateIn.model_validate(changes))
    except ValidationFailed as exc:
        refusal = await refused_form(request, db, exc)
        view = await service.get_post(db, auth.user, post_id)
        return render_form(request, "posts/edit.html", {"view": view, "limits": _limits()}, {"body": body}, refusal)
    return redirect(request, f"/posts/{post_id}", flash=("success", "Your post was updated."))


@router.post("/posts/{post_id}/delete")
async def delete_submit(request: Request, db: DbSession, auth: CurrentAuth, post_id: uuid.UUID) -> Response:
    await service.delete_post(db, auth.user, post_id)
    return redirect(request, "/", flash=("success", "The post was deleted."))


def _like_answer(request: Request, post_id: uuid.UUID, result: service.LikeResult, next_url: str) -> Response:
    """The like button again for htmx (swapped in place); a redirect back for plain forms."""
    if is_htmx(request):
        context = {"post_id": post_id, "liked": result.liked, "like_count": result.like_count, "next_url": next_url}
        return render(request, "posts/_like.html", context)
    return redirect(request, f"{safe_next(next_url)}#post-{post_id}")


@router.post("/posts/{post_id}/like")
async def like_submit(
    request: Request, db: DbSession, auth: CurrentAuth, post_id: uuid.UUID, next: FormStr = "/"
) -> Response:
    result = await service.like_post(db, auth.user, post_id)
    return _like_answer(request, post_id, result, next)


@router.post("/posts/{post_id}/unlike")
async def unlike_submit(
    request: Request, db: DbSession, auth: CurrentAuth, post_id: uuid.UUID, next: FormStr = "/"
) -> Response:
    result = await service.unlike_post(db, auth.user, post_id)
    return _like_answer(request, post_id, result, next)


@router.post("/posts/{post_id}/comments")
async def comment_submit(
    request: Request, db: DbSession, auth: CurrentAuth, post_id: uuid.UUID, body: FormStr = ""
) -> Response:
    """From the post's page, or from its card in the feed (htmx: the card's comment box again)."""
    try:
        text = service.clean_body(body, MAX_COMMENT_LENGTH, "comment")  # in its own words, as above
        comment = await service.add_comment(db, auth.user, post_id, CommentIn(body=text))
    except ValidationFailed as exc:
        refusal = await refused_form(request, db, exc)
        if is_htmx(request):
            response = _quick_comment(
                request, post_id, body=body, error=refusal.errors.get("body", refusal.message), status_code=422
            )
            response.headers.update({"HX-Retarget": f"#quick-comment-{post_id}", "HX-Reswap": "outerHTML"})
            return response
        return await _detail(request, db, auth, post_id, form={"body": body}, refusal=refusal)
    if is_htmx(request):
        return _quick_comment(request, post_id, added=comment)
    return redirect(request, f"/posts/{post_id}#comment-{comment.id}", flash=("success", "Your comment was added."))


def _quick_comment(
    request: Request,
    post_id: uuid.UUID,
    *,
    body: str = "",
    error: str | None = None,
    added: Comment | None = None,
    status_code: int = 200,
) -> Response:
    context = {"post_id": post_id, "body": body, "error": error, "added": added, "limits": _limits()}
    return render(request, "posts/_quick_comment.html", context, status_code=status_code)


@router.post("/comments/{comment_id}/delete")
async def comment_delete_submit(
    request: Request, db: DbSession, auth: CurrentAuth, comment_id: uuid.UUID, next: FormStr = "/"
) -> Response:
    await service.delete_comment(db, auth.user, comment_id)
    return redirect(request, safe_next(next) + "#comments", flash=("success", "The comment was deleted."))
