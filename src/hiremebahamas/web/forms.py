"""Helpers for HTML form handling: turn validation errors into per-field messages, and re-show
a refused form."""

from __future__ import annotations

from typing import Annotated, NamedTuple

from fastapi import Form, Request
from pydantic import AfterValidator, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import AppError, UpgradeRequired, ValidationFailed
from hiremebahamas.core.text import clean_text
from hiremebahamas.web.deps import discard_attempt

# A form field as the handler receives it: free of control characters (see core/text.py).
# Single-line cleaning happens in the input model the handler builds from it.
FormStr = Annotated[str, Form(), AfterValidator(clean_text)]
# Taken as typed: a password is hashed, never stored or shown.
FormPassword = Annotated[str, Form()]

_FRIENDLY = {
    "missing": "This field is required.",
    "string_too_short": "This field is required.",
    "value_error": "Enter a valid value.",
    "enum": "Choose one of the options.",
}


def field_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "form"
        message = _FRIENDLY.get(item["type"], item["msg"])
        limits = item.get("ctx", {})
        if item["type"] == "string_too_short" and limits.get("min_length", 1) > 1:
            message = f"Use at least {limits['min_length']} characters."
        elif item["type"] == "string_too_long":
            message = f"Use at most {limits['max_length']} characters."
        elif item["type"] == "too_long":
            message = f"Choose at most {limits['max_length']}."
        if name == "email" and item["type"] == "value_error":
            message = "Enter a valid email address, like name@example.com."
        errors.setdefault(name, message)
    return errors


class Refusal(NamedTuple):
    """What a form shows when it is refused: per-field messages, the summary, the status."""

    errors: dict[str, str]
    message: str
    status_code: int


def form_problems(error: AppError | ValidationError) -> Refusal:
    if isinstance(error, ValidationError):
        return Refusal(field_errors(error), "Some fields need your attention.", 422)
    fields = error.fields if isinstance(error, ValidationFailed) else dict(error.extra.get("fields", {}))
    return Refusal(dict(fields), error.message, error.status_code)


async def refused_form(
    request: Request, db: AsyncSession, error: AppError | ValidationError, *, upgrade_page: bool = False
) -> Refusal:
    """Drop what the refused attempt staged and say what the form shows again. With
    upgrade_page, a plan's limit (UpgradeRequired) goes on instead to the shared error page,
    which shows the plan that lifts it, with its checkout."""
    if upgrade_page and isinstance(error, UpgradeRequired):
        raise error
    await discard_attempt(request, db)
    return form_problems(error)
