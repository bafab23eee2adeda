"""Text as it may enter the system: the rules, once, at the input boundary, and stated in the
API's schema so a client can check them before sending.

PostgreSQL cannot store NUL in a text column (a NUL reaching a query is a server error), and no
one types the other C0/C1 controls; bidi overrides and isolates (U+202A to U+202E, U+2066 to U+2069)
let a name or title display as something other than what it is ("Trojan Source"). So:

- a request body carrying one of those is refused (422, naming the field), never silently
  changed: what a client sent is what it gets back, and length limits count the text as sent.
  HTML forms clean instead (`clean_text`, web/forms.py): a person who pasted one cannot see it;
- a text with nothing visible in it is empty, so a name made of zero-width characters fails
  "required" like an empty one;
- single-line text (names, titles, headlines, e-mail addresses, search words: the default),
  once valid, has its line breaks and tabs turned into spaces and its surrounding spaces
  removed (`clean_line`);
- multi-line text (a post, a bio, a description) keeps its line breaks, with "\\r\\n" stored as
  "\\n", and loses its surrounding blank lines and spaces: mark it `MultiLine`.

`InputModel` applies this to every string field (and the strings inside lists and dicts) of the
request bodies and forms that derive from it, and writes it into each field's JSON schema as a
`pattern`: no control character, and at least one visible one where the text is required. A URL
whose path or query carries a control character is refused outright (`url_has_controls`): no
link or form of ours makes one. Passwords are never stored as text and are taken as typed: mark
them `Verbatim`.
"""

from __future__ import annotations

import functools
import re
import typing
from typing import Any, Final, get_args

from pydantic import BaseModel, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

# C0 controls but tab and line breaks, DEL, C1 controls, bidi embeddings/overrides/isolates.
# Written as a character class that both Python and ECMA-262 (JSON Schema's patterns) read alike.
_CONTROL_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069"
# The same with tab and line breaks (what a URL may not carry).
_URL_CONTROL_CLASS = "\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069"
# Spaces, line breaks and the characters that take no space: a text of only these shows as nothing.
_BLANK_CLASS = (
    "\\t\\n\\r \\xa0\\xad\\u034f\\u1680\\u180e\\u2000-\\u200f\\u2028\\u2029\\u202f\\u205f\\u2060-\\u2064\\u3000\\ufeff"
)
_CONTROLS = re.compile(f"[{_CONTROL_CLASS}]")
_BLANK = re.compile(f"[{_BLANK_CLASS}]*")
_LINE_BREAKS = re.compile("\r\n?")
_LINE_SPACE = re.compile("[\t\n\u2028\u2029]")
# The schema's statement of the same rules.
TEXT_PATTERN: Final = f"^[^{_CONTROL_CLASS}]*$"
# The same text in a URL's path or query, where line breaks and tabs are refused too (web/deps.py
# `refuse_url_controls`): the pattern the API document gives such a parameter.
TEXT_IN_URL_PATTERN: Final = f"^[^{_URL_CONTROL_CLASS}]*$"
REQUIRED_TEXT_PATTERN: Final = f"^[^{_CONTROL_CLASS}]*[^{_CONTROL_CLASS}{_BLANK_CLASS}][^{_CONTROL_CLASS}]*$"
# In a URL: a C0 control or DEL in the path (which arrives decoded), or one percent-encoded in
# the query string (which does not).
_PATH_CONTROL = re.compile("[\x00-\x1f\x7f]")
_QUERY_CONTROL = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF])|[\x00-\x1f\x7f]")


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MULTILINE: Final = _Marker("MultiLine")
VERBATIM: Final = _Marker("Verbatim")

MultiLine = typing.Annotated[str, MULTILINE]
Verbatim = typing.Annotated[str, VERBATIM]


def clean_text(value: str) -> str:
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))


def clean_line(value: str) -> str:
    line = _LINE_SPACE.sub(" ", clean_text(value)).strip()
    return "" if _BLANK.fullmatch(line) else line


def _checked(value: Any) -> Any:
    """`value` as validation should see it: refused when it carries a control character, and
    empty when nothing in it is visible."""
    if isinstance(value, str):
        control = _CONTROLS.search(value)
        if control:
            raise PydanticCustomError(
                "control_character",
                "Remove the invisible control character (U+{code}): it cannot be stored.",
                {"code": f"{ord(control.group()):04X}"},
            )
        return "" if _BLANK.fullmatch(value) else value
    if isinstance(value, list):
        return [_checked(item) for item in value]
    if isinstance(value, dict):
        return {_checked(key): _checked(item) for key, item in value.items()}
    return value


def _tidied(value: Any, line: bool) -> Any:
    """A valid value as it is kept. Only plain strings: an enum member is a str too."""
    if type(value) is str:
        return clean_line(value) if line else clean_text(value).strip()
    if type(value) is list:
        return [_tidied(item, line) for item in value]
    if type(value) is dict:
        return {_tidied(key, True): _tidied(item, line) for key, item in value.items()}
    return value


def _named(annotation: Any) -> set[Any]:
    """The types and markers anywhere in a type: `int | None` names int and NoneType,
    `list[MultiLine]` names list, str and MULTILINE."""
    return {annotation} | {named for argument in get_args(annotation) for named in _named(argument)}


@functools.cache
def _field_types(model: type[BaseModel], name: str) -> frozenset[Any]:
    field = model.model_fields.get(name)
    return frozenset(_named(field.annotation) if field is not None else {Any})


def _misread_number(value: Any, types: frozenset[Any]) -> bool:
    """Pydantic would read true as 1 and 0 as false: neither is sent as the other."""
    if isinstance(value, bool):
        return bool({int, float} & types) and bool not in types
    return isinstance(value, int | float) and bool in types and not {int, float} & types


def _holds_models(types: frozenset[Any]) -> bool:
    return any(isinstance(named, type) and issubclass(named, BaseModel) for named in types)


@functools.cache
def _field_markers(model: type[BaseModel], name: str) -> frozenset[_Marker]:
    field = model.model_fields.get(name)
    if field is None:
        return frozenset()
    found = [*field.metadata, *_field_types(model, name)]
    return frozenset(item for item in found if isinstance(item, _Marker))


def _state_text_rules(schema: JsonSchemaValue) -> None:
    """Write the text rules into each free-text string schema inside one field's schema."""
    if "$ref" in schema:
        return  # a model (which states its own) or an enum
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            _state_text_rules(option)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _state_text_rules(schema[key])
    free_text = schema.get("type") == "string" and not {"enum", "const", "format", "pattern"} & schema.keys()
    if free_text:
        schema["pattern"] = REQUIRED_TEXT_PATTERN if schema.get("minLength", 0) > 0 else TEXT_PATTERN


class InputModel(BaseModel):
    """Base of every request body and form: its text is checked before any other validation,
    tidied after it, and its schema says so. A boolean is refused where a number is expected,
    and a number where a boolean is."""

    @field_validator("*", mode="before")
    @classmethod
    def _check_text(cls, value: Any, info: ValidationInfo) -> Any:
        types = _field_types(cls, info.field_name or "")
        if _misread_number(value, types):
            raise PydanticCustomError("number_or_boolean", "Send a number as a number and a boolean as true or false")
        # A nested input model checks its own fields (and ignores what it does not know).
        if VERBATIM in _field_markers(cls, info.field_name or "") or _holds_models(types):
            return value
        return _checked(value)

    @field_validator("*", mode="after")
    @classmethod
    def _tidy_text(cls, value: Any, info: ValidationInfo) -> Any:
        markers = _field_markers(cls, info.field_name or "")
        if VERBATIM in markers or _holds_models(_field_types(cls, info.field_name or "")):
            return value
        return _tidied(value, line=MULTILINE not in markers)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for name, field_schema in target.get("properties", {}).items():
            if VERBATIM not in _field_markers(cls, name):
                _state_text_rules(field_schema)
        return schema


def url_has_controls(path: str, query_string: bytes) -> bool:
    return bool(_PATH_CONTROL.search(path) or _QUERY_CONTROL.search(query_string))
