"""The job search's shape: the filters of GET /api/jobs and the search pages, which a saved
search stores too."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from hiremebahamas.core.text import InputModel
from hiremebahamas.jobs.postings.schemas import CompanySlug, Money
from hiremebahamas.models import EmploymentType, Island, JobCategory

SortOrder = Literal["relevance", "newest", "salary"]


class JobSearch(InputModel):
    """GET /api/jobs filters; a saved search stores the same keys (without `sort`)."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, Field(max_length=200)] = ""
    island: Island | None = None
    employment_type: EmploymentType | None = None
    remote: bool | None = None
    # Compared with the top of a job's salary range as a yearly amount.
    salary_min: Money | None = None
    category: JobCategory | None = None
    company: CompanySlug | None = None
    posted_within_days: Annotated[int, Field(ge=1, le=365)] | None = None
    sort: SortOrder = "relevance"

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        # HTML forms send "" for an untouched select or number box (the schema says so, below).
        if value == "":
            return {"q": "", "sort": "relevance"}.get(info.field_name or "")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = super().__get_pydantic_json_schema__(core_schema, handler)
        for name, field_schema in handler.resolve_ref_schema(schema)["properties"].items():
            if name == "q":
                continue
            kept = {key: field_schema.pop(key) for key in ("title", "default", "description") if key in field_schema}
            options = field_schema.pop("anyOf", None) or [dict(field_schema)]
            field_schema.clear()
            field_schema.update(kept, anyOf=[*options, {"const": ""}])
        return schema

    def filters(self) -> dict[str, Any]:
        """The set filters, JSON-ready (what a saved search stores and what links carry)."""
        values = self.model_dump(mode="json", exclude={"sort"}, exclude_none=True)
        return {key: value for key, value in values.items() if value != ""}
