"""Screening job postings for the common job scams, each time a job is saved. What a rule finds
is kept on the job (`flags`) and puts it in the staff area's queue; moderators decide (take it
down, or clear the flags). Nothing here refuses a posting by itself: the rules are hints, and a
real employer may trip one.

The rules, after the scams seen on job boards: asking applicants to pay (a fee, a deposit, for
training or a visa); contact only through a messaging app (WhatsApp, Telegram links or numbers);
payment in crypto, by wire or gift cards; a salary far above what the job's category pays; the
same posting (title and text) under another company.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.models import Job
from hiremebahamas.models.base import utcnow

_FEE = re.compile(
    r"\b(?:registration|processing|application|training|placement|visa|onboarding|medical)\s+(?:fee|deposit)s?\b"
    r"|\bpay\s+(?:a|an|the)?\s*(?:small\s+|refundable\s+)?(?:fee|deposit)\b|\bupfront\s+(?:payment|fee)\b",
    re.IGNORECASE,
)
_MESSAGING_APP = re.compile(r"wa\.me/|whatsapp|t\.me/|telegram", re.IGNORECASE)
_PAYMENT = re.compile(
    r"\b(?:bitcoin|btc|usdt|crypto(?:currency)?|western\s+union|moneygram|wire\s+transfer|gift\s+cards?)\b",
    re.IGNORECASE,
)
# Yearly pay past which a posting in The Bahamas is very likely bait, whatever the category.
_BAIT_YEARLY = 400_000
# ... or past this multiple of the category's typical (median) yearly top among open jobs.
_ABOVE_TYPICAL = 4
_TYPICAL_SAMPLE = 20
_DUPLICATE_WINDOW = timedelta(days=60)

FEE = "asks applicants to pay (a fee or deposit)"
MESSAGING_APP = "contact through a messaging app (WhatsApp or Telegram)"
PAYMENT = "mentions crypto, wire transfers or gift cards"
SALARY = "salary far above what the category pays"
DUPLICATE = "the same posting under another company"


def text_signals(title: str, description: str) -> list[str]:
    text = f"{title}\n{description}"
    found = []
    if _FEE.search(text):
        found.append(FEE)
    if _MESSAGING_APP.search(text):
        found.append(MESSAGING_APP)
    if _PAYMENT.search(text):
        found.append(PAYMENT)
    return found


async def _typical_yearly_top(session: AsyncSession, job: Job) -> int | None:
    """The median yearly top of the category's newest open jobs with a salary (None: too few)."""
    recent = (
        select(Job.salary_annual_max)
        .where(Job.category == job.category, Job.salary_annual_max > 0, Job.id != job.id)
        .order_by(Job.created_at.desc())
        .limit(200)
    )
    values = sorted((await session.execute(recent)).scalars())
    return values[len(values) // 2] if len(values) >= _TYPICAL_SAMPLE else None


async def _salary_bait(session: AsyncSession, job: Job) -> bool:
    top = job.salary_annual_max
    if top > _BAIT_YEARLY:
        return True
    typical = await _typical_yearly_top(session, job) if top else None
    return typical is not None and top > _ABOVE_TYPICAL * typical


async def _posted_elsewhere(session: AsyncSession, job: Job) -> bool:
    query = select(Job.id).where(
        Job.company_id != job.company_id,
        func.lower(Job.title) == job.title.lower(),
        Job.description == job.description,
        Job.created_at > utcnow() - _DUPLICATE_WINDOW,
    )
    return (await session.execute(query.limit(1))).first() is not None


async def screen(session: AsyncSession, job: Job) -> None:
    """Flag `job` with what the rules find (or clear what they no longer find)."""
    found = text_signals(job.title, job.description)
    top = job.salary_annual_max
    if top > _BAIT_YEARLY or (
        top and (typical := await _typical_yearly_top(session, job)) and top > _ABOVE_TYPICAL * typical
    ):
        found.append(SALARY)
    if await _posted_elsewhere(session, job):
        found.append(DUPLICATE)
    if found != (job.flags or []):
        job.flags = found or None
        job.flagged_at = utcnow() if found else None
