"""Reading an upload from a request body without ever holding more than the size limit.

A stock form parser spools the whole body (to disk above 1 MB) before the handler can look at
it. Here the body is parsed as it arrives and reading stops at the first byte past the limit,
so a 2 GB upload costs 5 MB of memory and a 413, not 2 GB of disk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import UploadFile

from hiremebahamas.core.errors import BadRequest, PayloadTooLarge, ValidationFailed

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
# Room for the part headers and the other (short) fields around the file.
_FORM_OVERHEAD = 16 * 1024
_MAX_FIELD_BYTES = 1024
_MAX_PARTS = 10
_READ_CHUNK = 64 * 1024


@dataclass
class UploadForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: bytes | None = None
    filename: str = ""


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


class _BoundedParser:
    """Callbacks for python-multipart that keep the `file` part and short fields, within limits."""

    def __init__(self, max_file_bytes: int, too_large: PayloadTooLarge) -> None:
        self.max_file_bytes = max_file_bytes
        self.too_large = too_large
        self.form = UploadForm()
        self.parts = 0
        self.part = _Part()
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.disposition = b""

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > _MAX_PARTS:
            raise BadRequest("Too many form fields.")
        self.part = _Part()
        self.disposition = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if bytes(self.header_name).lower() == b"content-disposition":
            self.disposition = bytes(self.header_value)
        self.header_name.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            self.part.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        part.data += data[start:end]
        if part.filename is not None:
            if part.name == FILE_FIELD and len(part.data) > self.max_file_bytes:
                raise self.too_large
            if part.name != FILE_FIELD:
                part.data.clear()  # files we did not ask for are skipped, not kept
        elif len(part.data) > _MAX_FIELD_BYTES:
            raise BadRequest(f'The form field "{part.name}" is too long.')

    def on_part_end(self) -> None:
        part = self.part
        if part.filename is not None:
            if part.name == FILE_FIELD and self.form.file is None:
                self.form.file = bytes(part.data)
                self.form.filename = part.filename
        else:
            self.form.fields.setdefault(part.name, part.data.decode("utf-8", "replace"))


def _boundary(headers: Mapping[str, str]) -> bytes:
    content_type, options = parse_options_header(headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        message = "Send the file as multipart/form-data in a field named file."
        raise ValidationFailed(message, fields={FILE_FIELD: message})
    return options[b"boundary"]


async def read_upload_form(
    headers: Mapping[str, str], body: AsyncIterator[bytes], *, max_file_bytes: int, too_large: PayloadTooLarge
) -> UploadForm:
    """Parse a multipart body as it streams in; raise `too_large` as soon as it is too large."""
    boundary = _boundary(headers)
    limit = max_file_bytes + _FORM_OVERHEAD
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large  # refused before a single byte is read
    callbacks = _BoundedParser(max_file_bytes, too_large)
    parser = MultipartParser(boundary, _callbacks(callbacks))
    received = 0
    try:
        async for chunk in body:
            received += len(chunk)
            if received > limit:
                raise too_large
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise BadRequest("The upload is not valid multipart form data.") from exc
    return callbacks.form


def _callbacks(parser: _BoundedParser) -> MultipartCallbacks:
    return {
        "on_part_begin": parser.on_part_begin,
        "on_part_data": parser.on_part_data,
        "on_part_end": parser.on_part_end,
        "on_header_field": parser.on_header_field,
        "on_header_value": parser.on_header_value,
        "on_header_end": parser.on_header_end,
        "on_headers_finished": parser.on_headers_finished,
    }


async def read_upload_file(file: UploadFile, *, max_file_bytes: int, too_large: PayloadTooLarge) -> bytes:
    """The bytes of an already-parsed form file (page forms), read in chunks and refused at the
    first byte past the limit."""
    data = bytearray()
    while chunk := await file.read(_READ_CHUNK):
        data += chunk
        if len(data) > max_file_bytes:
            raise too_large
    return bytes(data)
