"""The streaming multipart reader: keeps what it needs, stops reading at the first byte too many."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hiremebahamas.core.errors import BadRequest, PayloadTooLarge, ValidationFailed
from hiremebahamas.uploads.multipart import UploadForm, read_upload_form

BOUNDARY = "hmb-boundary"
HEADERS = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
TOO_LARGE = PayloadTooLarge("too large")


def form_body(*parts: tuple[str, str | None, bytes]) -> bytes:
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


class Body:
    """A request body arriving in chunks, counting how much was read."""

    def __init__(self, data: bytes, chunk: int = 1024) -> None:
        self.data, self.chunk, self.read = data, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            piece = self.data[start : start + self.chunk]
            self.read += len(piece)
            yield piece


async def read(body: Body, headers: dict[str, str] = HEADERS, limit: int = 10_000) -> UploadForm:
    return await read_upload_form(headers, body.__aiter__(), max_file_bytes=limit, too_large=TOO_LARGE)


async def test_reads_the_file_and_fields() -> None:
    body = Body(form_body(("purpose", None, b"avatar"), ("file", "me.png", b"\x89PNG-bytes")))
    form = await read(body)
    assert form.fields == {"purpose": "avatar"}
    assert form.file == b"\x89PNG-bytes"
    assert form.filename == "me.png"


async def test_a_file_of_exactly_the_limit_is_kept() -> None:
    form = await read(Body(form_body(("file", "a", b"x" * 10_000))))
    assert form.file == b"x" * 10_000


async def test_reading_stops_soon_after_the_limit_without_a_content_length() -> None:
    body = Body(form_body(("file", "big.jpg", b"x" * 1_000_000)), chunk=1000)
    with pytest.raises(PayloadTooLarge):
        await read(body)
    assert body.read <= 10_000 + 2000  # one chunk past the limit, plus the part headers


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    body = Body(form_body(("file", "big.jpg", b"x" * 100_000)))
    with pytest.raises(PayloadTooLarge):
        await read(body, {**HEADERS, "content-length": str(len(body.data))})
    assert body.read == 0


async def test_other_file_fields_are_skipped_not_kept() -> None:
    body = Body(form_body(("other", "x.bin", b"y" * 50_000), ("file", "a.png", b"z"), ("purpose", None, b"cv")))
    form = await read(body, limit=100_000)
    assert form.file == b"z"
    assert form.fields == {"purpose": "cv"}


async def test_long_text_fields_and_many_parts_are_refused() -> None:
    with pytest.raises(BadRequest, match="too long"):
        await read(Body(form_body(("purpose", None, b"a" * 5000))))
    with pytest.raises(BadRequest, match="Too many"):
        await read(Body(form_body(*[(f"f{i}", None, b"x") for i in range(11)])))


async def test_not_multipart_or_broken_multipart_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        await read(Body(b'{"purpose": "avatar"}'), {"content-type": "application/json"})
    assert "file" in caught.value.fields
    with pytest.raises(BadRequest, match="not valid multipart"):
        await read(Body(b"--nope\r\ngarbage without headers end"))
