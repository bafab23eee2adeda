"""Company rules: an employer creates its company and becomes its owner; owners edit the
company and its team; every team member manages the company's jobs and applicants."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing import entitlements
from hiremebahamas.companies.schemas import CompanyIn, CompanyUpdateIn
from hiremebahamas.companies.slugs import slugify
from hiremebahamas.core import response_areas
from hiremebahamas.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.urls import web_host
from hiremebahamas.jobs.postings.indexing import reindex_company_jobs
from hiremebahamas.models import AccountType, Company, CompanyMember, CompanyRole, UploadPurpose, User
from hiremebahamas.uploads.service import owned_upload

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths under /companies/ that are pages, not companies.
RESERVED_SLUGS = frozenset({"new", "edit", "mine"})


@dataclass(frozen=True)
class TeamMember:
    user: User
    role: CompanyRole


async def get_company(session: AsyncSession, slug: str) -> Company:
    company = (await session.execute(select(Company).where(Company.slug == slug.lower()))).scalar_one_or_none()
    if company is None:
        raise NotFound("We could not find that company.")
    return company


async def membership(session: AsyncSession, company_id: uuid.UUID, user_id: uuid.UUID) -> CompanyMember | None:
    query = select(CompanyMember).where(CompanyMember.company_id == company_id, CompanyMember.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none()


async def require_member(session: AsyncSession, company: Company, user: User) -> CompanyMember:
    member = await membership(session, company.id, user.id)
    if member is None:
        raise Forbidden(f"Only the team of {company.name} can do that.")
    return member


async def require_owner(session: AsyncSession, company: Company, user: User) -> CompanyMember:
    member = await require_member(session, company, user)
    if member.role != CompanyRole.OWNER:
        raise Forbidden(f"Only an owner of {company.name} can do that.")
    return member


async def team(session: AsyncSession, company_id: uuid.UUID) -> list[TeamMember]:
    query = (
        select(User, CompanyMember.role)
        .join(CompanyMember, CompanyMember.user_id == User.id)
        .where(CompanyMember.company_id == company_id)
        .order_by(CompanyMember.created_at, User.id)
    )
    return [TeamMember(user, role) for user, role in (await session.execute(query))]


async def companies_of(session: AsyncSession, user_id: uuid.UUID) -> list[Company]:
    """The companies whose team `user_id` is on, by name."""
    query = (
        select(Company)
        .join(CompanyMember, CompanyMember.company_id == Company.id)
        .where(CompanyMember.user_id == user_id)
        .order_by(Company.name, Company.id)
    )
    return list((await session.execute(query)).scalars())


def _normalise_website(website: str) -> str:
    if not website:
        return ""
    if "://" not in website:
        website = f"https://{website}"
    host = web_host(website)
    if host is None or "." not in host:
        message = "Enter the web address of the company's site, like https://example.com."
        raise ValidationFailed(message, fields={"website": message})
    return website


async def _unique_slug(session: AsyncSession, wanted: str | None, name: str) -> str:
    if wanted:
        if not _SLUG.match(wanted) or wanted in RESERVED_SLUGS:
            message = "Use lower-case letters, digits and single hyphens for the address."
            raise ValidationFailed(message, fields={"slug": message})
        if (await session.execute(select(Company.id).where(Company.slug == wanted))).first() is not None:
            message = "Another company already uses that address."
            raise Conflict(message, fields={"slug": message})
        return wanted
    base = slugify(name, max_length=50, fallback="company")
    if base in RESERVED_SLUGS:
        base = f"{base}-company"
    taken = set((await session.execute(select(Company.slug).where(Company.slug.like(f"{base}%")))).scalars())
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


async def create_company(session: AsyncSession, actor: User, data: CompanyIn) -> Company:
    if actor.account_type != AccountType.EMPLOYER:
        raise Forbidden("Only employer accounts can create a company page.")
    owned = select(func.count()).where(CompanyMember.user_id == actor.id, CompanyMember.role == CompanyRole.OWNER)
    if (await session.execute(owned)).scalar_one() > 0:
        raise Conflict("You already own a company page. Manage it, or ask its owner to add you to another team.")
    company = Company(
        slug=await _unique_slug(session, data.slug, data.name),
        name=data.name,
        website=_normalise_website(data.website),
        island=data.island,
        about=data.about,
    )
    if data.logo_upload_id is not None:
        logo = await owned_upload(session, {actor.id}, data.logo_upload_id, UploadPurpose.COMPANY_LOGO, "logo")
        company.logo_upload_id = logo.id
    session.add(company)
    await session.flush()
    session.add(CompanyMember(company_id=company.id, user_id=actor.id, role=CompanyRole.OWNER))
    await session.flush()
    response_areas.invalidate_after_commit(session, "jobs")
    return company


async def update_company(session: AsyncSession, actor: User, company: Company, data: CompanyUpdateIn) -> Company:
    await require_owner(session, company, actor)
    if data.name is not None and data.name != company.name:
        company.name = data.name
        await reindex_company_jobs(session, company.id, company.name)
    if data.website is not None:
        company.website = _normalise_website(data.website)
    if "island" in data.model_fields_set:
        company.island = data.island
    if data.about is not None:
        company.about = data.about
    if data.remove_logo:
        company.logo_upload_id = None
    elif data.logo_upload_id is not None:
        # Any team member's upload will do: the logo belongs to the company, not to one person.
        team_ids = {member.user.id for member in await team(session, company.id)}
        logo = await owned_upload(session, team_ids, data.logo_upload_id, UploadPurpose.COMPANY_LOGO, "logo")
        company.logo_upload_id = logo.id
    await session.flush()
    response_areas.invalidate_after_commit(session, "jobs")  # company pages, and the name and logo on its jobs
    return company


async def _user_by_username(session: AsyncSession, username: str) -> User:
    user = (await session.execute(select(User).where(User.username == username.lower()))).scalar_one_or_none()
    if user is None or not user.is_active:
        message = "No one has that username."
        raise ValidationFailed(message, fields={"username": message})
    return user


async def add_member(
    session: AsyncSession, actor: User, company: Company, username: str, role: CompanyRole
) -> TeamMember:
    await require_owner(session, company, actor)
    user = await _user_by_username(session, username)
    if user.account_type != AccountType.EMPLOYER:
        message = f"@{user.username} has a job seeker account; only employer accounts can join a company team."
        raise ValidationFailed(message, fields={"username": message})
    if await membership(session, company.id, user.id) is not None:
        raise Conflict(f"@{user.username} is already on the team.")
    await entitlements.ensure_can_add_team_member(session, actor, company)
    session.add(CompanyMember(company_id=company.id, user_id=user.id, role=role))
    await session.flush()
    response_areas.invalidate_after_commit(session, "jobs")  # the team on the company page
    return TeamMember(user, role)


async def remove_member(session: AsyncSession, actor: User, company: Company, username: str) -> None:
    """Owners remove anyone; anyone may leave. The last owner cannot go: the page would be orphaned."""
    user = await _user_by_username(session, username)
    if user.id != actor.id:
        await require_owner(session, company, actor)
    member = await membership(session, company.id, user.id)
    if member is None:
        raise NotFound(f"@{user.username} is not on the team.")
    if member.role == CompanyRole.OWNER:
        owners = select(func.count()).where(
            CompanyMember.company_id == company.id, CompanyMember.role == CompanyRole.OWNER
        )
        if (await session.execute(owners)).scalar_one() <= 1:
            raise Conflict("A company needs at least one owner. Add another owner first.")
    await session.delete(member)
    await session.flush()
    response_areas.invalidate_after_commit(session, "jobs")
