"""Helpers for HTML form handling: turn validation errors into per-field messages."""

from __future__ import annotations

from pydantic import ValidationError

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
