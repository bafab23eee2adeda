"""Profile input and output shapes for the JSON API (the pages reuse the input models)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, JsonValue
from pydantic_core import PydanticCustomError

from hiremebahamas.accounts.schemas import Name, UserOut
from hiremebahamas.accounts.usernames import MAX_LENGTH as USERNAME_MAX
from hiremebahamas.accounts.usernames import MIN_LENGTH as USERNAME_MIN
from hiremebahamas.accounts.usernames import PATTERN as USERNAME_PATTERN
from hiremebahamas.core.text import InputModel, MultiLine, Verbatim
from hiremebahamas.models import Island, MessagesFrom, ProfileVisibility


def _not_a_number(value: Any) -> Any:
    if isinstance(value, int | float):
        raise PydanticCustomError("date_type", "Input should be a date like 2024-05-01")
    return value


MAX_SKILLS = 30
MAX_SKILL_LENGTH = 60
MAX_LINKS = 5

Headline = Annotated[str, Field(max_length=160)]
Bio = Annotated[MultiLine, Field(max_length=2000)]
ShortText = Annotated[str, Field(max_length=150)]
RequiredText = Annotated[str, Field(min_length=1, max_length=150)]
Description = Annotated[MultiLine, Field(max_length=2000)]
# Counted as sent; the service counts again once each skill is tidied and repeats are dropped.
SkillText = Annotated[str, Field(max_length=MAX_SKILL_LENGTH)]
Year = Annotated[int, Field(ge=1900, le=2100)]
# A date is an ISO 8601 text ("2024-05-01"): a number is not read as seconds since 1970.
Date = Annotated[date, BeforeValidator(_not_a_number)]
USERNAME_RULE: dict[str, JsonValue] = {
    "minLength": USERNAME_MIN,
    "maxLength": USERNAME_MAX,
    "pattern": USERNAME_PATTERN,
}


# An absolute http(s) URL in ASCII (browsers copy addresses percent-encoded) with a host: a
# `javascript:` link on a profile would run in visitors' browsers. No brackets or backslash
# before the host: Python cannot read such an address, and browsers read a backslash as a slash.
# ASCII classes only, so Python and the JSON Schema's ECMA-262 regular expressions read it alike.
LINK_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://(?:[!-\"$-.0->@-Z^-~]*@)?[A-Za-z0-9._~%!$&'()*+,;=-]+(?::[0-9]*)?(?:[/?#][!-~]*)?$"
)
_LINK = re.compile(LINK_PATTERN)
LINK_MESSAGE = "Links must start with http:// or https://."


def _link(value: str) -> str:
    if not _LINK.match(value):
        raise PydanticCustomError("link_url", LINK_MESSAGE)
    return value


class LinkIn(InputModel):
    label: Annotated[str, Field(max_length=60)] = ""
    url: Annotated[str, Field(max_length=500, json_schema_extra={"pattern": LINK_PATTERN}), AfterValidator(_link)]


class LinkOut(BaseModel):
    label: str
    url: str


class ProfileUpdateIn(InputModel):
    """PATCH /api/users/me: any subset of the account's names, username and profile fields."""

    first_name: Name | None = None
    last_name: Name | None = None
    # Checked by the service (with its own words); the schema states the same rule.
    username: Annotated[Verbatim, Field(json_schema_extra=USERNAME_RULE)] | None = None
    headline: Headline | None = None
    bio: Bio | None = None
    island: Island | None = None
    skills: Annotated[list[SkillText], Field(max_length=MAX_SKILLS)] | None = None
    links: Annotated[list[LinkIn], Field(max_length=MAX_LINKS)] | None = None
    avatar_upload_id: uuid.UUID | None = None
    cv_upload_id: uuid.UUID | None = None
    """Your CV (an upload with purpose "cv"), offered when you apply; null removes it."""
    available_for_hire: bool | None = None
    """Also the privacy control "show me in the talent directory"."""
    visibility: ProfileVisibility | None = None
    messages_from: MessagesFrom | None = None
    """Who may message you: "everyone", "following" (people you follow) or "nobody"; employers
    with an open application of yours on their jobs always can."""
    search_engine_indexing: bool | None = None
    """False: your profile page asks search engines not to index it and is left out of the sitemap."""
    read_receipts: bool | None = None
    """False: the people you write with do not see when you read their messages."""


class ExperienceIn(InputModel):
    title: RequiredText
    company_name: RequiredText
    island: Island | None = None
    start_date: Date
    end_date: Date | None = None
    description: Description = ""


class ExperienceUpdateIn(InputModel):
    title: RequiredText | None = None
    company_name: RequiredText | None = None
    island: Island | None = None
    start_date: Date | None = None
    end_date: Date | None = None
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
    cv_upload_id: uuid.UUID | None
    messages_from: MessagesFrom
    search_engine_indexing: bool
    read_receipts: bool


class MeOut(BaseModel):
    user: UserOut
    profile: OwnProfileOut
    terms_acceptance_required: bool = False
    """A newer Terms of Service is in force than the one this member accepted: show it
    (GET /api/legal/documents) and send POST /api/legal/terms/accept. Nothing is refused meanwhile."""


TalentSort = Literal["newest", "best"]
