"""What staff send to compose a newsletter or announcement."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from hiremebahamas.core.text import InputModel, MultiLine
from hiremebahamas.models import Audience, Island, TierCode
from hiremebahamas.models.email import CampaignKind

NEWSLETTER_KINDS = (CampaignKind.NEWSLETTER, CampaignKind.ANNOUNCEMENT)


class NewsletterIn(InputModel):
    kind: CampaignKind = CampaignKind.NEWSLETTER
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[MultiLine, Field(min_length=1, max_length=20_000)]
    """Markdown."""
    audience: Audience = Audience.ALL
    audience_value: Annotated[str, Field(max_length=30)] | None = Field(default=None, validate_default=True)
    """The tier code (`free`, `pro`, `business`) for `tier`, the island for `island`."""

    @field_validator("kind")
    @classmethod
    def _a_newsletter(cls, kind: CampaignKind) -> CampaignKind:
        if kind not in NEWSLETTER_KINDS:
            raise PydanticCustomError("newsletter_kind", "Choose a newsletter or an announcement.")
        return kind

    @field_validator("audience_value")
    @classmethod
    def _named(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A tier for the tier audience, an island for the island audience, nothing otherwise."""
        allowed = {Audience.TIER: {t.value for t in TierCode}, Audience.ISLAND: {i.value for i in Island}}
        audience = info.data.get("audience")
        if audience not in allowed:
            return None
        if value not in allowed[audience]:
            choices = ", ".join(sorted(allowed[audience]))
            raise PydanticCustomError("audience_value", "Choose one of: {choices}.", {"choices": choices})
        return value


class ScheduleIn(InputModel):
    send_at: datetime | None = None
    """When to start sending (UTC); unset or past: at once."""
