"""Helpers for HTML form handling: read the submitted fields, turn validation errors into
per-field messages, and show a form again, refused or not."""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from fastapi import Form, Request, Response
from pydantic import AfterValidator, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import AppError, UpgradeRequired, ValidationFailed
from hiremebahamas.core.text import clean_text
from hiremebahamas.web.deps import discard_attempt
from hiremebahamas.web.rendering import render

# A form field as the handler receives it: free of control characters (see core/text.py).
# Single-line cleaning happens in the input model the handler builds from it.
FormStr = Annotated[str, Form(), AfterValidator(clean_text)]
# Taken as typed: a password is hashed, never stored or shown.
FormPassword = Annotated[str, Form()]


async def form_text(request: Request, *names: str) -> dict[str, str]:
    """The named text fields of the submitted form, cleaned as `FormStr` cleans them and blank
    when missing: for a handler that shows the form again as it was filled in."""
    submitted = await request.form()
    return {name: clean_text(value) if isinstance(value := submitted.get(name), str) else "" for name in names}


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


def render_form(
    request: Request, template: str, context: dict[str, Any], form: dict[str, Any], refusal: Refusal | None = None
) -> Response:
    """A page with a form filled in with `form`; when it was refused, with the messages and the
    status that say why."""
    if refusal is None:
        return render(request, template, {**context, "form": form, "errors": {}, "error": None})
    shown = {**context, "form": form, "errors": refusal.errors, "error": refusal.message}
    return render(request, template, shown, status_code=refusal.status_code)
