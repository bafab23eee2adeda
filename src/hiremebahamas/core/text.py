"""Text as it may enter the system: control characters out, once, at the input boundary.

PostgreSQL cannot store NUL in a text column (a NUL reaching a query is a server error), and no
one types the other C0/C1 controls; bidi overrides and isolates (U+202A to U+202E, U+2066 to U+2069)
let a name or title display as something other than what it is ("Trojan Source"). So:

- every text is cleaned of those (`clean_text`); line breaks become "\\n";
- single-line text (names, titles, headlines, e-mail addresses, search words: the default) also
  turns tabs and line breaks into spaces, and is empty when nothing visible is left, so a name
  made of zero-width characters fails "required" like an empty one (`clean_line`);
- multi-line text (a post, a bio, a description) keeps its line breaks: mark it `MultiLine`.

`InputModel` applies this to every string field (and the strings inside lists and dicts) of the
request bodies and forms that derive from it; form fields read one by one use the `clean_*`
functions (web/forms.py). A URL whose path or query carries a control character is refused
outright (`url_has_controls`): no link or form of ours makes one. Passwords are never stored
as text and are taken as typed: mark them `Verbatim`.
"""

from __future__ import annotations

import functools
import re
import typing
from typing import Any, Final, get_args

from pydantic import BaseModel, ValidationInfo, field_validator

# C0 controls but tab and line breaks, DEL, C1 controls, bidi embeddings/overrides/isolates.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n?")
_LINE_SPACE = re.compile("[\t\n\u2028\u2029]")
# Characters that take no space: a text of only these (and spaces) shows as nothing.
_INVISIBLE = re.compile("[\\s\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u034f\u180e]*")
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
    line = _LINE_SPACE.sub(" ", clean_text(value))
    return "" if _INVISIBLE.fullmatch(line) else line


def _clean(value: Any, line: bool) -> Any:
    if isinstance(value, str):
        return clean_line(value) if line else clean_text(value)
    if isinstance(value, list):
        return [_clean(item, line) for item in value]
    if isinstance(value, dict):
        return {_clean(key, True): _clean(item, line) for key, item in value.items()}
    return value


def _markers(annotation: Any) -> set[_Marker]:
    """The markers anywhere in a type: `Bio | None`, `list[MultiLine]`, `Annotated[...]`."""
    found: set[_Marker] = set()
    for argument in get_args(annotation):
        found |= {argument} if isinstance(argument, _Marker) else _markers(argument)
    return found


@functools.cache
def _field_markers(model: type[BaseModel], name: str) -> frozenset[_Marker]:
    field = model.model_fields.get(name)
    if field is None:
        return frozenset()
    return frozenset({item for item in field.metadata if isinstance(item, _Marker)} | _markers(field.annotation))


class InputModel(BaseModel):
    """Base of every request body and form: its text is cleaned before any other validation."""

    @field_validator("*", mode="before")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        markers = _field_markers(cls, info.field_name or "")
        if VERBATIM in markers:
            return value
        return _clean(value, line=MULTILINE not in markers)


def url_has_controls(path: str, query_string: bytes) -> bool:
    return bool(_PATH_CONTROL.search(path) or _QUERY_CONTROL.search(query_string))
