"""Plain CRUD for the plans (tiers) and the skills list, at /admin/data: sqladmin's pages,
admins only, behind the same check as every other staff page (staff/deps.py: the role, the
second factor when STAFF_REQUIRE_TOTP is on, the twelve-hour idle end of staff sessions).
Anonymous visitors go to the site's login, members get the site's 404; there is no second login.

sqladmin has no CSRF protection of its own, so every write must come from the site itself (its
Origin, or its Referer when a browser sends no Origin); the session cookie is SameSite=Lax too.
Every change goes to the audit log; a change to a plan drops the cached pricing pages, as
`seed-tiers` does. The audit entry is written by sqladmin's after-change hooks, in a unit of work
of its own right after sqladmin's commit (sqladmin commits its own session)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hiremebahamas.accounts.deps import optional_auth
from hiremebahamas.core import audit, response_areas
from hiremebahamas.core.errors import AppError, Conflict, Unauthenticated
from hiremebahamas.core.middleware import CONTENT_SECURITY_POLICY
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import JobSkill, ProfileSkill, Skill, StaffRole, Tier, User
from hiremebahamas.profiles.skills import normalise_skill
from hiremebahamas.staff.deps import page_check
from hiremebahamas.web.csrf import came_from_this_site
from hiremebahamas.web.errors import handle_app_error

BASE_URL = "/admin/data"
_ACTOR = "staff_data_actor_id"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# sqladmin's pages (select2, tabler) set style attributes from their scripts; scripts stay
# 'self' only, as on every other page, and only these pages allow inline styles.
DATA_ADMIN_CSP = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_check_admin = page_check(StaffRole.ADMIN)


class SameSiteWritesOnly:
    """Refuses a write whose Origin (or, without one, Referer) is not this site: a form on
    another site cannot post here with the admin's cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _SAFE_METHODS and not came_from_this_site(Request(scope)):
            await PlainTextResponse("Refused: this form was not sent from this site.", 403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ScopedPolicy:
    """The Content-Security-Policy of these pages (the app's own middleware keeps a policy a
    response already has)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = DATA_ADMIN_CSP
                headers["Cache-Control"] = "private, no-store"
            await send(message)

        await self.app(scope, receive, with_policy if scope["type"] == "http" else send)


class StaffCheck(AuthenticationBackend):
    """sqladmin's hook, answered by the site's own sign-in and staff check."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.middlewares = []  # no session or login of its own

    def _runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    async def login(self, request: Request) -> Response | bool:
        return False

    async def logout(self, request: Request) -> Response | bool:
        return True

    async def authenticate(self, request: Request) -> Response | bool:
        # The site's request: the app whose state (runtime, error pages) the checks read.
        site = Request({**request.scope, "app": self.app}, request.receive)
        runtime = self._runtime()
        try:
            async with runtime.database.unit_of_work(runtime.tasks) as db:  # keeps a session's last_seen_at
                auth = await optional_auth(site, db)
                if auth is None:
                    raise Unauthenticated()
                await _check_admin(auth, runtime.settings)
        except AppError as error:
            return await handle_app_error(site, error)
        setattr(request.state, _ACTOR, auth.user.id)
        return True

    async def get_user_id(self, request: Request) -> Any:
        return getattr(request.state, _ACTOR, None)


class _Audited(ModelView):
    """Writes every change to the audit log (`<target>.update`, `.create`, `.delete`)."""

    target = ""
    fields: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()

    def _state(self, model: Any) -> dict[str, Any]:
        return {name: getattr(model, name) for name in self.fields}

    async def _record(self, request: Request, action: str, model: Any, before: dict[str, Any] | None) -> None:
        runtime: Runtime = request.scope["data_admin_runtime"]
        after = None if action == "delete" else self._state(model)
        async with runtime.database.unit_of_work(runtime.tasks) as session:
            actor_id: uuid.UUID | None = getattr(request.state, _ACTOR, None)
            actor = await session.get(User, actor_id) if actor_id else None
            key = model.code.value if isinstance(model, Tier) else model.id
            audit.record(session, actor, f"{self.target}.{action}", self.target, key, before=before, after=after)
            if self.areas:
                response_areas.invalidate_after_commit(session, *self.areas)

    async def on_model_change(self, data: dict[str, Any], model: Any, is_created: bool, request: Request) -> None:
        request.state.data_admin_before = None if is_created else self._state(model)

    async def after_model_change(self, data: dict[str, Any], model: Any, is_created: bool, request: Request) -> None:
        before = getattr(request.state, "data_admin_before", None)
        await self._record(request, "create" if is_created else "update", model, before)

    async def after_model_delete(self, model: Any, request: Request) -> None:
        await self._record(request, "delete", model, self._state(model))


class TierAdmin(_Audited, model=Tier):
    """Prices and limits; the three plans themselves are fixed names (`seed-tiers` resets them)."""

    name, name_plural, icon = "Plan", "Plans", "fa-solid fa-tags"
    target, areas = "tier", ("billing",)
    fields = (
        "name", "rank", "monthly_price_cents", "annual_price_cents", "currency", "messages_per_month",
        "posts_per_month", "follows", "can_post_jobs", "featured_jobs_per_month", "team_seats",
    )  # fmt: skip
    can_create = can_delete = False
    column_list = [Tier.code, Tier.name, Tier.monthly_price_cents, Tier.annual_price_cents, Tier.updated_at]
    form_excluded_columns = [Tier.code, Tier.updated_at]


class SkillAdmin(_Audited, model=Skill):
    """The skill tags profiles and jobs share: rename (kept normalised), add, or delete one
    nobody uses; one in use is refused (deleting it would silently strip profiles and jobs)."""

    name, name_plural, icon = "Skill", "Skills", "fa-solid fa-list"
    target, fields = "skill", ("name",)
    column_list = [Skill.name, Skill.created_at]
    column_searchable_list = [Skill.name]
    column_default_sort = [(Skill.name, False)]
    form_columns = [Skill.name]

    async def on_model_change(self, data: dict[str, Any], model: Any, is_created: bool, request: Request) -> None:
        data["name"] = normalise_skill(str(data.get("name") or ""))
        if not data["name"]:
            raise Conflict("A skill needs a name.")
        await super().on_model_change(data, model, is_created, request)

    async def on_model_delete(self, model: Any, request: Request) -> None:
        used = or_(exists().where(ProfileSkill.skill_id == model.id), exists().where(JobSkill.skill_id == model.id))
        runtime: Runtime = request.scope["data_admin_runtime"]
        async with runtime.database.sessionmaker() as session:
            if (await session.execute(select(used))).scalar_one():
                raise Conflict(f"“{model.name}” is on profiles or jobs; rename it instead.")


def _own_sessions(runtime: Runtime) -> async_sessionmaker[AsyncSession]:
    """A session maker for sqladmin alone: it reconfigures the one it is given (autoflush off),
    which must not change the site's. On the primary: these pages write."""
    return async_sessionmaker(runtime.database.engine, expire_on_commit=False)


class _FollowRuntime:
    """Hands the views the site's runtime as it is at the request (sqladmin's views see only
    their own sub-application), and points sqladmin at its database when the runtime was
    replaced (the tests give each test its own)."""

    def __init__(self, app: ASGIApp, site: FastAPI) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime: Runtime = self.site.state.runtime
        admin: Admin = self.site.state.data_admin
        if admin.session_maker.kw.get("bind") is not runtime.database.engine:
            admin.session_maker = _own_sessions(runtime)
            for view in admin.views:
                if isinstance(view, ModelView):
                    type(view).session_maker = admin.session_maker
        scope["data_admin_runtime"] = runtime
        await self.app(scope, receive, send)


def mount_data_admin(app: FastAPI, runtime: Runtime) -> None:
    middlewares = [Middleware(ScopedPolicy), Middleware(SameSiteWritesOnly), Middleware(_FollowRuntime, site=app)]
    admin = Admin(
        app, session_maker=_own_sessions(runtime), base_url=BASE_URL, title="HireMeBahamas data",
        middlewares=middlewares, authentication_backend=StaffCheck(app),
    )  # fmt: skip
    admin.add_view(TierAdmin)
    admin.add_view(SkillAdmin)
    app.state.data_admin = admin
