"""Helpers for HTML form handling: turn validation errors into per-field messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from pydantic import AfterValidator, ValidationError

from hiremebahamas.core.errors import AppError, ValidationFailed
from hiremebahamas.core.text import clean_text

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
        if name == "email" and item["type"] == "value_error":
            message = "Enter a valid email address, like name@example.com."
        errors.setdefault(name, message)
    return errors


def form_problems(error: AppError | ValidationError) -> tuple[dict[str, str], str, int]:
    """What a form shows when it is refused: per-field messages, the summary, the status."""
    if isinstance(error, ValidationError):
        return field_errors(error), "Some fields need your attention.", 422
    fields = error.fields if isinstance(error, ValidationFailed) else dict(error.extra.get("fields", {}))
    return dict(fields), error.message, error.status_code
