from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from hiremebahamas.core.text import InputModel


class LegalDocumentOut(BaseModel):
    slug: str
    """"terms", "privacy", "cookies" or "refunds"."""
    title: str
    version: str
    effective: date
    url: str
    """The page that shows it."""


class LegalDocumentsOut(BaseModel):
    items: list[LegalDocumentOut]


class AcceptTermsIn(InputModel):
    version: Annotated[str, Field(min_length=1, max_length=40)]
    """The version the member was shown: it must be the current one (409 otherwise)."""


class TermsAcceptanceOut(BaseModel):
    terms_accepted_version: str | None
    terms_accepted_at: datetime | None
    terms_acceptance_required: bool
