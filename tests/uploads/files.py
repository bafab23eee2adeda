"""Files for upload tests, made on the spot: real pictures (Pillow), PDFs, Word documents, bombs."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

import httpx
from PIL import Image

from tests.factories import Member
from tests.helpers import Account

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# 25°3'36" N, 77°20'42" W: Nassau. What a phone writes into every photo it takes.
NASSAU_GPS = {1: "N", 2: (25.0, 3.0, 36.0), 3: "W", 4: (77.0, 20.0, 42.0)}


def picture(pillow_format: str = "JPEG", size: tuple[int, int] = (800, 600), mode: str = "RGB", **save: Any) -> bytes:
    """A noisy picture (noise does not compress away, so sizes are realistic)."""
    image = Image.effect_noise(size, 60).convert(mode)
    output = io.BytesIO()
    image.save(output, pillow_format, **save)
    return output.getvalue()


def photo_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG a phone would send: GPS position and an orientation (6 = turn 90° clockwise)."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = NASSAU_GPS
    return picture("JPEG", size, exif=exif.tobytes())


def has_gps(data: bytes) -> bool:
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (1-bit grey): a decompression bomb
    as far as any decoder that believes the header is concerned."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 4096)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def transparent_png(width: int, height: int) -> bytes:
    """A valid PNG of `width` x `height` fully transparent RGBA pixels: 6300 x 6300 compresses
    to about 150 KB and decodes to 160 MB. Compressed row by row, so making it costs no memory."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    row = b"\x00" * (1 + 4 * width)  # filter byte "none", then the pixels
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def smooth_photo(size: tuple[int, int]) -> bytes:
    """A JPEG of `size` that compresses well (a gradient), so a large one fits the 5 MB limit."""
    gradient = Image.radial_gradient("L").resize(size)
    output = io.BytesIO()
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient)).save(
        output, "JPEG", quality=85
    )
    return output.getvalue()


# The EICAR test file: every virus scanner reports it, and it harms nothing. Kept in two
# halves so that no scanner flags this source file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-" + b"STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "EICAR-Test"
# What the tests' clamd matches: the EICAR string anywhere in a file (tests/servers.py).
TEST_SIGNATURES = {EICAR_SIGNATURE: EICAR}
# clamd's name for a match of our own unsigned database.
EICAR_FOUND = f"{EICAR_SIGNATURE}.UNOFFICIAL"


def pdf(text: bytes = b"") -> bytes:
    """A valid PDF; `text` goes in a stream of its own, as a PDF carries a payload."""
    stream = b"3 0 obj << /Length %d >> stream\n%s\nendstream endobj\n" % (len(text), text) if text else b""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" + stream + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def docx(*, with_document: bool = True, with_macros: bool = False, text: str = "Ann Rolle") -> bytes:
    """A minimal Word document: the parts every .docx has, `text` its body (compressed, as Word
    writes it)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        if with_document:
            archive.writestr(
                "word/document.xml", '<?xml version="1.0"?><w:document><w:body>' + text + "</w:body></w:document>"
            )
        if with_macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    return output.getvalue()


async def upload(
    client: httpx.AsyncClient,
    account: Account | Member | None,
    data: bytes,
    purpose: str = "avatar",
    filename: str = "picture.jpg",
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    headers = account.headers if account else {}
    files = {"file": (filename, data, content_type)}
    return await client.post("/api/uploads", data={"purpose": purpose}, files=files, headers=headers)


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
