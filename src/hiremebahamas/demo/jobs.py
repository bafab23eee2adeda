"""Job postings across islands, categories, types and pay: mostly open or expired, some closed,
a few drafts, a few dozen featured. Search text, HTML and yearly pay are computed by the jobs
domain's own functions, exactly as posting a job through the app would."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hiremebahamas.billing.entitlements import Metric
from hiremebahamas.companies.slugs import slugify
from hiremebahamas.demo.ids import at, uuid7_at
from hiremebahamas.demo.people import fill, island
from hiremebahamas.demo.words import (
    BIO_SENTENCES,
    CATEGORY_SKILLS,
    CATEGORY_TITLES,
    HOURLY_PAY,
    MONTHLY_PAY,
    YEARLY_PAY,
)
from hiremebahamas.demo.world import DAY, HISTORY, World, cumulative
from hiremebahamas.jobs.postings.indexing import search_keywords
from hiremebahamas.jobs.postings.markdown import plain_text, render_markdown
from hiremebahamas.jobs.postings.service import FEATURED_FOR, yearly_salary_top
from hiremebahamas.models import EmploymentType, Island, Job, JobCategory, JobSkill, JobStatus, SalaryPeriod

_COLUMNS = [
    "id", "company_id", "posted_by_id", "title", "slug", "description", "description_html", "island", "remote",
    "employment_type", "category", "salary_min", "salary_max", "salary_period", "currency", "salary_annual_max",
    "status", "valid_through", "published_at", "closed_at", "featured_until", "search_keywords",
    "description_text", "created_at", "updated_at",
]  # fmt: skip
_STATUSES = (JobStatus.OPEN, JobStatus.EXPIRED, JobStatus.CLOSED, JobStatus.DRAFT)
_STATUS_WEIGHTS = cumulative([55, 25, 15, 5])
_TYPES = list(EmploymentType)
_TYPE_WEIGHTS = cumulative([60, 15, 10, 5, 4, 6])
_HOURLY = {JobCategory.HOSPITALITY, JobCategory.RETAIL, JobCategory.CONSTRUCTION, JobCategory.TRANSPORT}
_DUTIES = (
    "Serve customers with a smile", "Keep accurate records", "Work closely with the team lead",
    "Open and close the shop or office", "Train new colleagues", "Report to the operations manager",
    "Handle cash and card payments", "Keep the work area safe and tidy", "Follow up with clients",
)  # fmt: skip


@dataclass(frozen=True)
class Description:
    markdown: str
    html: str
    text: str


# Rendering Markdown takes milliseconds: each title has a few descriptions, rendered once.
VARIANTS_PER_TITLE = 4


def _description(rng: random.Random, title: str, skills: tuple[str, ...]) -> Description:
    duties = "\n".join(f"- {duty}" for duty in rng.sample(_DUTIES, 3))
    wants = "\n".join(f"- Experience with **{skill}**" for skill in rng.sample(skills, min(3, len(skills))))
    markdown = (
        f"## About the role\n\nWe are hiring a **{title}**. {rng.choice(BIO_SENTENCES)}\n\n"
        f"## What you will do\n\n{duties}\n\n## What we are looking for\n\n{wants}\n- "
        f"{fill(rng, 'At least {years} years as a {title} is a plus')}\n\n"
        "Apply on HireMeBahamas with a short cover letter or your CV."
    )
    html = render_markdown(markdown)
    return Description(markdown, html, plain_text(html))


def _salary(rng: random.Random, category: JobCategory) -> tuple[int | None, int | None, SalaryPeriod | None]:
    if rng.random() < 0.2:
        return None, None, None
    if category in _HOURLY and rng.random() < 0.7:
        period, bounds = SalaryPeriod.HOUR, HOURLY_PAY
    else:
        period, bounds = (SalaryPeriod.MONTH, MONTHLY_PAY) if rng.random() < 0.5 else (SalaryPeriod.YEAR, YEARLY_PAY)
    low = rng.randint(*bounds)
    if period != SalaryPeriod.HOUR:
        low = round(low, -2)
    high = int(low * rng.uniform(1.1, 1.6)) if rng.random() < 0.75 else None
    return low, high, period


def _featured_count(open_jobs: int) -> int:
    return min(48, max(3, open_jobs // 10))


def _dates(
    world: World, status: JobStatus, poster: int, validity: float, *, may_feature: bool
) -> tuple[float | None, float, float | None, float | None]:
    """When a job of `status` was published, runs until, was closed and is featured until."""
    rng, now = world.rng, world.now
    earliest = max(world.people.joined[poster], now - HISTORY)
    if status == JobStatus.DRAFT:
        return None, now + validity, None, None
    if status != JobStatus.OPEN:
        published = rng.uniform(earliest, max(earliest, now - validity - DAY))
        # A poster who joined lately has had a shorter job: it still ended before today.
        valid_through = min(published + validity, now - 3600) if status == JobStatus.EXPIRED else published + validity
        closed = valid_through if status == JobStatus.EXPIRED else rng.uniform(published, min(valid_through, now))
        return published, valid_through, closed, None
    published = max(earliest, now - rng.uniform(0, validity * 0.95))
    valid_through = max(published + validity, now + DAY)
    featured = None
    if may_feature and rng.random() < 0.2:
        since = now - rng.uniform(0, min(now - published, FEATURED_FOR.total_seconds() - DAY))
        featured = min(since + FEATURED_FOR.total_seconds(), valid_through)
        world.count_usage(poster, Metric.FEATURED_JOBS.value, since)
    return published, valid_through, None, featured


async def load_jobs(world: World) -> None:
    rng, people, companies, now = world.rng, world.people, world.companies, world.now
    total = world.sizes.jobs
    # Bigger teams post more.
    company_weights = cumulative([len(team) * rng.paretovariate(1.5) for team in companies.teams])
    statuses = rng.choices(_STATUSES, cum_weights=_STATUS_WEIGHTS, k=total)
    featured_left = _featured_count(statuses.count(JobStatus.OPEN))
    jobs = world.writer.sink(Job, _COLUMNS, total)
    skills = world.writer.sink(JobSkill, ["job_id", "skill_id"], total * 4, parents=[jobs])
    descriptions: dict[tuple[str, int], Description] = {}
    for status in statuses:
        company = rng.choices(range(len(companies.ids)), cum_weights=company_weights)[0]
        team = companies.teams[company]
        poster = rng.choice(team)
        category = rng.choice(list(CATEGORY_TITLES))
        title = rng.choice(CATEGORY_TITLES[category])
        tags = sorted(rng.sample(CATEGORY_SKILLS[category], rng.randint(2, min(6, len(CATEGORY_SKILLS[category])))))
        remote = rng.random() < 0.05
        place = None if remote else (companies.islands[company] if rng.random() < 0.7 else island(rng))
        if place == Island.REMOTE:
            place, remote = None, True  # as the service stores "Remote"
        low, high, period = _salary(rng, category)
        validity = rng.choice((14, 30, 30, 30, 45, 60, 90)) * DAY
        published, valid_through, closed, featured = _dates(
            world, status, poster, validity, may_feature=featured_left > 0
        )
        if featured is not None:
            featured_left -= 1
        created = (published or now - rng.uniform(0, 10 * DAY)) - rng.uniform(0, DAY)
        job_id = uuid7_at(rng, created)
        name = companies.names[company]
        key = (title, rng.randrange(VARIANTS_PER_TITLE))
        if key not in descriptions:
            descriptions[key] = _description(rng, title, CATEGORY_SKILLS[category])
        description = descriptions[key]
        updated = closed or published or created
        employment_type = rng.choices(_TYPES, cum_weights=_TYPE_WEIGHTS)[0]
        await jobs.put(
            (
                job_id,
                companies.ids[company],
                people.ids[poster],
                title,
                slugify(title, max_length=80, fallback="job"),
                description.markdown,
                description.html,
                place.value if place else None,
                remote,
                employment_type.value,
                category.value,
                low,
                high,
                period.value if period else None,
                "BSD",
                yearly_salary_top(low, high, period),
                status.value,
                at(valid_through),
                at(published) if published else None,
                at(closed) if closed else None,
                at(featured) if featured else None,
                search_keywords(name, tags),
                description.text,
                at(created),
                at(updated),
            )
        )
        for tag in tags:
            await skills.put((job_id, world.skill_ids[tag]))
        if published is not None:
            world.jobs.ids.append(job_id)
            world.jobs.titles.append(title)
            world.jobs.companies.append(company)
            world.jobs.published.append(published)
            world.jobs.until.append(min(now, closed or valid_through))
            world.jobs.skills.append(tags)
    await jobs.close()
    await skills.close()
