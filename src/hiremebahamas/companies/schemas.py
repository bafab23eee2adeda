"""Company input and output shapes (the pages reuse the input models)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.models import CompanyRole, Island

CompanyName = Annotated[str, Field(min_length=2, max_length=120)]
Slug = Annotated[str, StringConstraints(to_lower=True, max_length=60)]
Website = Annotated[str, Field(max_length=300)]
About = Annotated[MultiLine, Field(max_length=5000)]


class CompanyIn(InputModel):
    name: CompanyName
    # Made from the name when not given; checked (and kept unique) by the service.
    slug: Slug | None = None
    website: Website = ""
    island: Island | None = None
    about: About = ""
    logo_upload_id: uuid.UUID | None = None


class CompanyUpdateIn(InputModel):
    """PATCH: any subset. The slug is the company's address and does not change."""

    name: CompanyName | None = None
    website: Website | None = None
    island: Island | None = None
    about: About | None = None
    logo_upload_id: uuid.UUID | None = None
    remove_logo: bool = False


class TeamMemberIn(InputModel):
    username: Annotated[str, StringConstraints(to_lower=True, min_length=1, max_length=100)]
    role: CompanyRole = CompanyRole.MEMBER


class CompanyMemberOut(BaseModel):
    username: str
    name: str
    role: CompanyRole


class CompanyOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    url: str
    logo_url: str | None
    website: str
    island: Island | None
    island_label: str | None
    about: str
    verified: bool = False
    """Checked by the site's staff."""
    created_at: datetime
    members: list[CompanyMemberOut] = Field(default_factory=list)


class CompanyEnvelope(BaseModel):
    company: CompanyOut
