"""Profile input and output shapes for the JSON API (the pages reuse the input models)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hiremebahamas.accounts.schemas import Name, UserOut
from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.models import Island, ProfileVisibility

MAX_SKILLS = 30
MAX_SKILL_LENGTH = 60
MAX_LINKS = 5

Headline = Annotated[str, StringConstraints(strip_whitespace=True, max_length=160)]
Bio = Annotated[MultiLine, StringConstraints(strip_whitespace=True, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=150)]
RequiredText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
Description = Annotated[MultiLine, StringConstraints(strip_whitespace=True, max_length=2000)]
# Rules beyond type and length (how many skills, how long each one) live in the service so the
# API and the pages give the same answer; these bounds only stop absurd payloads early.
SkillText = Annotated[str, Field(max_length=200)]
Year = Annotated[int, Field(ge=1900, le=2100)]


class LinkIn(InputModel):
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] = ""
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class LinkOut(BaseModel):
    label: str
    url: str


class ProfileUpdateIn(InputModel):
    """PATCH /api/users/me: any subset of the account's names, username and profile fields."""

    first_name: Name | None = None
    last_name: Name | None = None
    username: Annotated[str, Field(max_length=100)] | None = None
    headline: Headline | None = None
    bio: Bio | None = None
    island: Island | None = None
    skills: Annotated[list[SkillText], Field(max_length=200)] | None = None
    links: Annotated[list[LinkIn], Field(max_length=50)] | None = None
    avatar_upload_id: uuid.UUID | None = None
    available_for_hire: bool | None = None
    visibility: ProfileVisibility | None = None


class ExperienceIn(InputModel):
    title: RequiredText
    company_name: RequiredText
    island: Island | None = None
    start_date: date
    end_date: date | None = None
    description: Description = ""


class ExperienceUpdateIn(InputModel):
    title: RequiredText | None = None
    company_name: RequiredText | None = None
    island: Island | None = None
    start_date: date | None = None
    end_date: date | None = None
    description: Description | None = None


class EducationIn(InputModel):
    school: RequiredText
    degree: ShortText = ""
    field_of_study: ShortText = ""
    start_year: Year | None = None
    end_year: Year | None = None


class EducationUpdateIn(InputModel):
    school: RequiredText | None = None
    degree: ShortText | None = None
    field_of_study: ShortText | None = None
    start_year: Year | None = None
    end_year: Year | None = None


class ExperienceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    company_name: str
    island: Island | None
    start_date: date
    end_date: date | None
    description: str


class EducationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    school: str
    degree: str
    field_of_study: str
    start_year: int | None
    end_year: int | None


class ExperienceEnvelope(BaseModel):
    experience: ExperienceOut


class EducationEnvelope(BaseModel):
    education: EducationOut


class PersonOut(BaseModel):
    """Someone in a list: enough for a card with a link to /u/<username>."""

    id: uuid.UUID
    username: str
    first_name: str
    last_name: str
    headline: str
    island: Island | None
    island_label: str | None
    avatar_url: str | None
    available_for_hire: bool


class TalentOut(PersonOut):
    skills: list[str]


class PublicProfileOut(PersonOut):
    bio: str
    skills: list[str]
    links: list[LinkOut]
    experience: list[ExperienceOut]
    education: list[EducationOut]
    followers_count: int
    following_count: int
    # None for anonymous visitors and for yourself.
    followed_by_me: bool | None
    joined_at: datetime


class PublicProfileEnvelope(BaseModel):
    profile: PublicProfileOut


class OwnProfileOut(PublicProfileOut):
    visibility: ProfileVisibility
    avatar_upload_id: uuid.UUID | None


class MeOut(BaseModel):
    user: UserOut
    profile: OwnProfileOut


TalentSort = Literal["newest", "best"]
