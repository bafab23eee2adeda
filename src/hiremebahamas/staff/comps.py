"""Comps: an admin gives someone a paid tier for a number of months, or ends it early. A comp
is a `TierGrant`, which the entitlements count like a subscription of that tier until it ends
(billing/entitlements.py); it is never a subscription or an invoice, so revenue never counts it.
Admins only: what someone pays for is the admins' business."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing.entitlements import Plan, live_grants, plan_of
from hiremebahamas.billing.tiers import tier_by_code
from hiremebahamas.core import audit
from hiremebahamas.core.errors import Conflict, Forbidden, NotFound
from hiremebahamas.core.times import day_text, months_after
from hiremebahamas.models import StaffRole, TierCode, TierGrant, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.notifications.service import notify
from hiremebahamas.notifications.types import TIER_COMP_ENDED, TIER_COMPED
from hiremebahamas.staff.service import check_may_act_on, check_not_deleted, find_user

MAX_MONTHS = 24


def _state(plan: Plan) -> dict[str, object]:
    """What the audit log keeps of someone's plan before and after a comp."""
    grant = plan.grant
    return {
        "tier": plan.tier.code.value,
        "comp": {"tier": grant.tier.value, "ends_at": grant.ends_at.isoformat()} if grant else None,
    }


def _check_admin(actor: User) -> None:
    if actor.staff_role is not StaffRole.ADMIN:
        raise Forbidden("Only an admin can give or end a complimentary plan.")


async def comp_tier(
    session: AsyncSession, actor: User, username: str, tier: TierCode, months: int, reason: str,
    now: datetime | None = None,
) -> TierGrant:  # fmt: skip
    """Give `tier` for `months` calendar months from now. One comp at a time: a second while one
    is live is refused (end it first), so an end date never moves without a trace."""
    _check_admin(actor)
    user = await find_user(session, username)
    check_may_act_on(actor, user)
    check_not_deleted(user)
    now = now or utcnow()
    plan = await plan_of(session, user.id, now)
    spec = tier_by_code(plan.tiers, tier)
    if plan.grant is not None:
        until = day_text(plan.grant.ends_at)
        raise Conflict(f"@{user.username} has a complimentary {plan.tier.name} plan until {until}; end it first.")
    if plan.tier.rank >= spec.rank:
        raise Conflict(f"@{user.username} already pays for {plan.tier.name}.")
    grant = TierGrant(
        user_id=user.id, tier=tier, starts_at=now, ends_at=months_after(now, months), granted_by_id=actor.id,
        reason=reason,
    )  # fmt: skip
    session.add(grant)
    after = Plan(spec, plan.tiers, None, grant)
    audit.record(
        session, actor, "user.comp_tier", "user", user.id, reason=reason, before=_state(plan), after=_state(after)
    )
    data = {"tier": tier.value, "tier_name": spec.name, "until": day_text(grant.ends_at)}
    await notify(session, user.id, TIER_COMPED, data={**data, "ends_at": grant.ends_at.isoformat()})
    await session.flush()
    return grant


async def end_comp(
    session: AsyncSession, actor: User, username: str, reason: str, now: datetime | None = None
) -> TierGrant:
    """End the live comp now; the person is back on what they pay for (or Free)."""
    _check_admin(actor)
    user = await find_user(session, username)
    check_may_act_on(actor, user)
    now = now or utcnow()
    live = await live_grants(session, [user.id], now)
    if not live:
        raise NotFound(f"@{user.username} has no complimentary plan to end.")
    before = await plan_of(session, user.id, now)
    for grant in live:
        grant.ended_at = now
    await session.flush()
    after = await plan_of(session, user.id, now)
    audit.record(
        session, actor, "user.end_comp", "user", user.id, reason=reason, before=_state(before), after=_state(after)
    )
    name = tier_by_code(before.tiers, live[-1].tier).name
    await notify(session, user.id, TIER_COMP_ENDED, data={"tier": live[-1].tier.value, "tier_name": name})
    await session.flush()
    return live[-1]
