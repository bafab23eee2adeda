"""JSON API: the legal documents' versions, and accepting the current Terms of Service. An app
learns that a member must accept from `terms_acceptance_required` in GET /api/users/me; the API
never refuses other calls for it."""

from __future__ import annotations

from fastapi import APIRouter

from hiremebahamas.accounts.deps import CurrentUser
from hiremebahamas.core.http_cache import shared_when_anonymous
from hiremebahamas.legal import service
from hiremebahamas.legal.documents import SLUGS, document
from hiremebahamas.legal.schemas import AcceptTermsIn, LegalDocumentOut, LegalDocumentsOut, TermsAcceptanceOut
from hiremebahamas.models import User
from hiremebahamas.web.deps import AppSettings, DbSession

router = APIRouter(prefix="/legal", tags=["legal"])


def acceptance_out(settings: AppSettings, user: User) -> TermsAcceptanceOut:
    return TermsAcceptanceOut(
        terms_accepted_version=user.terms_accepted_version,
        terms_accepted_at=user.terms_accepted_at,
        terms_acceptance_required=service.acceptance_required(settings, user),
    )


@router.get("/documents")
@shared_when_anonymous(area=None)
async def list_documents(settings: AppSettings) -> LegalDocumentsOut:
    """The Terms of Service, Privacy, Cookie and Refund policies in force, with their versions."""
    items = []
    for slug in SLUGS:
        found = document(settings, slug)
        url = f"{settings.base_url}/{slug}"
        items.append(
            LegalDocumentOut(slug=slug, title=found.title, version=found.version, effective=found.effective, url=url)
        )
    return LegalDocumentsOut(items=items)


@router.post("/terms/accept")
async def accept_terms(
    body: AcceptTermsIn, user: CurrentUser, db: DbSession, settings: AppSettings
) -> TermsAcceptanceOut:
    """Accept the current Terms of Service (`version` from GET /api/legal/documents); again: no change."""
    await service.accept_terms(db, settings, user, body.version)
    return acceptance_out(settings, user)
