"""The OpenAPI document, as client generators need it: readable unique operation ids, the error
responses every operation can give (one shared `ErrorBody`), and the bearer scheme (declared by
`accounts.deps.BEARER` on the operations that accept it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from hiremebahamas.core.text import TEXT_IN_URL_PATTERN, TEXT_PATTERN

_SAFE_METHODS = frozenset({"get", "head", "options"})
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str = Field(description="snake_case, stable: branch on it", examples=["not_found"])
    message: str = Field(description="for people; may change")
    fields: dict[str, str] | None = Field(default=None, description="422: field → what is wrong with it")
    required_tier: str | None = Field(default=None, description="402: the plan that allows the action")


class ErrorBody(BaseModel):
    """Every non-2xx answer of the API."""

    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


UPGRADE_REQUIRED: dict[int | str, dict[str, Any]] = {
    402: {"model": ErrorBody, "description": "upgrade_required: the plan's limit is reached (see required_tier)"}
}
"""`responses=` for the operations that ask billing's entitlements."""
CREDENTIALS_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "unauthenticated: the password or refresh token is not accepted"}
}
"""`responses=` for the operations that sign in without a bearer token."""
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "not_found: something the request names (in its body) does not exist"}
}
"""`responses=` for the operations without a path parameter that look up what their body names."""
NO_PLAN: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "not_found: you have no billing account or plan for this yet"}
}
"""`responses=` for the billing operations that need a plan or a billing account."""

_EVERY_API_OPERATION = {
    "400": _error("bad_request: the address (path or query) contains control characters"),
    "422": _error("validation_error: a parameter or the body is invalid (see fields)"),
    "429": _error("rate_limited: too many requests; retry after Retry-After seconds"),
}
_SIGNED_IN = {
    "401": _error("unauthenticated: no valid access token or session"),
    "403": _error("forbidden, email_unverified or csrf_failed"),
}
_WRITES = {
    "400": _error(
        "the request cannot be carried out as sent (for example invalid_token, or control characters in the address)"
    ),
    "403": _error("forbidden, email_unverified or csrf_failed (cookie sessions without X-CSRF-Token)"),
    "409": _error("conflict: the current state does not allow it"),
}
_NAMED_RESOURCE = {"404": _error("not_found")}


def operation_id(route: APIRoute) -> str:
    """`<tag>-<route name>` ("auth-login", "job_alerts-unsubscribe_one_click"): stable and readable
    in generated clients. A function serving two methods gets a route `name` per method."""
    tag = re.sub(r"\W+", "_", str(route.tags[0])) if route.tags else "api"
    return f"{tag}-{route.name}"


# What web/deps.py `refuse_url_controls` lets through in a path or query value: no C0 control, no DEL.
URL_TEXT_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"


def _url_text_patterns(operation: dict[str, Any]) -> None:
    """Give each free-text path and query parameter the pattern the URL guard enforces, so a
    value the document calls valid is one the API accepts (and one it refuses is invalid)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") not in ("path", "query"):
            continue
        schema = parameter.get("schema", {})
        for option in schema.get("anyOf", [schema]):
            if option.get("type") == "string" and "enum" not in option and "const" not in option:
                # Free text keeps its own rules, minus the tab and line breaks a URL may not carry.
                text = option.get("pattern") == TEXT_PATTERN
                option["pattern"] = TEXT_IN_URL_PATTERN if text else option.get("pattern", URL_TEXT_PATTERN)


def _declare_errors(schema: dict[str, Any]) -> None:
    models: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, model in _model_schemas().items():
        models.setdefault(name, model)
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            _url_text_patterns(operation)
            responses: dict[str, Any] = operation.setdefault("responses", {})
            declared = dict(_EVERY_API_OPERATION)
            if operation.get("security"):
                declared |= _SIGNED_IN
            if method not in _SAFE_METHODS:
                declared |= _WRITES
            if "{" in path:
                declared |= _NAMED_RESOURCE
            for status, response in declared.items():
                if status == "422" or status not in responses:  # FastAPI's own 422 has another shape
                    responses[status] = response
                else:  # a route's own description, with the shared body
                    responses[status].setdefault("content", response["content"])
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 models, now unused
        models.pop(name, None)


def _short_model_names(schema: dict[str, Any]) -> None:
    """FastAPI names two models of one class name by module path
    ("hiremebahamas__notifications__schemas__UnsubscribeOut"), and client generators then
    derive the same class from both titles; name them by domain ("NotificationsUnsubscribeOut")."""
    models: dict[str, Any] = schema["components"]["schemas"]
    renames = {}
    for key in [key for key in models if "__" in key]:
        parts = key.split("__")
        new = parts[1].title().replace("_", "") + parts[-1]
        renames[f"#/components/schemas/{key}"] = f"#/components/schemas/{new}"
        models[new] = {**models.pop(key), "title": new}
    if renames:
        _replace_refs(schema, renames)


def _replace_refs(node: Any, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        if isinstance(ref := node.get("$ref"), str) and ref in renames:
            node["$ref"] = renames[ref]
        for value in node.values():
            _replace_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            _replace_refs(value, renames)


def install_openapi(app: FastAPI) -> None:
    """Complete FastAPI's document, which it caches and rebuilds when routes change; the
    changes are idempotent, so a cached document is simply completed again."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        _declare_errors(schema)
        _short_model_names(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _model_schemas() -> dict[str, Any]:
    """ErrorBody and ErrorDetail, as references inside the document."""
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = body.pop("$defs", {})
    return {**definitions, "ErrorBody": body}
