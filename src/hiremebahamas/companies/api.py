"""JSON API: /api/companies."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from hiremebahamas.accounts.deps import VerifiedAuth
from hiremebahamas.companies import service
from hiremebahamas.companies.logos import logo_url
from hiremebahamas.companies.schemas import (
    CompanyEnvelope,
    CompanyIn,
    CompanyMemberOut,
    CompanyOut,
    CompanyUpdateIn,
    TeamMemberIn,
)
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.models import Company
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.openapi import NOT_FOUND, UPGRADE_REQUIRED

router = APIRouter(prefix="/companies", tags=["companies"])


def company_out(company: Company, members: list[service.TeamMember]) -> CompanyOut:
    return CompanyOut(
        id=company.id,
        slug=company.slug,
        name=company.name,
        url=f"/companies/{company.slug}",
        logo_url=logo_url(company.logo_upload_id),
        website=company.website,
        island=company.island,
        island_label=company.island.label if company.island else None,
        about=company.about,
        verified=company.verified,
        created_at=company.created_at,
        members=[CompanyMemberOut(username=m.user.username, name=m.user.full_name, role=m.role) for m in members],
    )


async def _envelope(db: DbSession, company: Company) -> CompanyEnvelope:
    return CompanyEnvelope(company=company_out(company, await service.team(db, company.id)))


@router.post("", status_code=status.HTTP_201_CREATED, responses=NOT_FOUND)
async def create_company(body: CompanyIn, auth: VerifiedAuth, db: DbSession) -> CompanyEnvelope:
    company = await service.create_company(db, auth.user, body)
    return await _envelope(db, company)


@router.get("/{slug}")
@shared_when_anonymous(area="jobs")
async def get_company(slug: str, db: DbSession) -> CompanyEnvelope:
    return await _envelope(db, await service.get_company(db, slug))


@router.patch("/{slug}")
async def update_company(slug: str, body: CompanyUpdateIn, auth: VerifiedAuth, db: DbSession) -> CompanyEnvelope:
    company = await service.update_company(db, auth.user, await service.get_company(db, slug), body)
    return await _envelope(db, company)


@router.post("/{slug}/members", status_code=status.HTTP_201_CREATED, responses=UPGRADE_REQUIRED)
async def add_member(slug: str, body: TeamMemberIn, auth: VerifiedAuth, db: DbSession) -> CompanyEnvelope:
    company = await service.get_company(db, slug)
    await service.add_member(db, auth.user, company, body.username, body.role)
    return await _envelope(db, company)


@router.delete("/{slug}/members/{username}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(slug: str, username: str, auth: VerifiedAuth, db: DbSession) -> Response:
    await service.remove_member(db, auth.user, await service.get_company(db, slug), username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
