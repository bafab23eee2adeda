"""Pictures people upload: recognised by their bytes, decoded with limits, re-encoded clean.

Re-encoding from pixels is what strips EXIF (GPS position, camera serial numbers) and anything
else riding along in the file; the orientation EXIF carried is applied to the pixels first so
photos still stand the right way up.
"""

from __future__ import annotations

import io
import struct
import threading
from dataclasses import dataclass

from PIL import Image, ImageOps

# Decoding is CPU- and memory-heavy (a 40-megapixel RGBA image is 160 MB): at most this many
# at once per process, whatever the number of worker threads.
_DECODE_SLOTS = threading.BoundedSemaphore(2)
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError)
THUMBNAIL_CONTENT_TYPE = "image/webp"


@dataclass(frozen=True)
class ImageKind:
    pillow_format: str
    content_type: str
    extension: str


JPEG = ImageKind("JPEG", "image/jpeg", "jpg")
PNG = ImageKind("PNG", "image/png", "png")
WEBP = ImageKind("WEBP", "image/webp", "webp")


class ImageRejected(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CleanImage:
    kind: ImageKind
    data: bytes
    width: int
    height: int
    thumbnail: bytes


def sniff_image(data: bytes) -> ImageKind | None:
    """The image type the bytes really are (whatever the file name says), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def clean_image(data: bytes, *, max_pixels: int, max_edge: int, thumbnail_edge: int) -> CleanImage:
    """Decode, check, re-encode (at most `max_edge` pixels a side) and make a WebP thumbnail.

    Blocking and CPU-bound: run it in a worker thread.
    """
    kind = sniff_image(data)
    if kind is None:
        raise ImageRejected("Only JPEG, PNG or WebP images are accepted.")
    with _DECODE_SLOTS:
        image = _decode(data, kind, max_pixels)
        image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
        encoded = _encode(image, kind)
        thumbnail = image.copy()
        thumbnail.thumbnail((thumbnail_edge, thumbnail_edge), Image.Resampling.LANCZOS)
        thumbnail_data = _save(thumbnail, "WEBP", quality=80, method=4)
    return CleanImage(kind=kind, data=encoded, width=image.width, height=image.height, thumbnail=thumbnail_data)


def _too_large(max_pixels: int) -> ImageRejected:
    return ImageRejected(f"This image is larger than {megapixels(max_pixels)} megapixels. Please use a smaller one.")


def _decode(data: bytes, kind: ImageKind, max_pixels: int) -> Image.Image:
    try:
        # Only the decoder the bytes announced: no other Pillow plugin gets a say.
        source = Image.open(io.BytesIO(data), formats=[kind.pillow_format])
        # The header gives the size before any pixel is decoded: a bomb stops here.
        if source.width * source.height > max_pixels:
            raise _too_large(max_pixels)
        source.load()  # the first frame only; animations become still pictures
        upright = ImageOps.exif_transpose(source)
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except _DECODE_ERRORS as exc:
        raise ImageRejected("This image could not be read; the file may be damaged.") from exc
    return _pixels_only(upright)


def _pixels_only(image: Image.Image) -> Image.Image:
    """A fresh image with the same pixels and nothing else (no EXIF, XMP, text chunks)."""
    icc_profile = image.info.get("icc_profile")
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if image.mode not in ("RGB", "RGBA", "L"):
        try:
            image = image.convert("RGBA" if has_alpha else "L" if image.mode == "1" else "RGB")
        except ValueError as exc:
            raise ImageRejected("This image uses a colour format we cannot read.") from exc
        icc_profile = None  # a profile describes the old colour space, not the converted one
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    if isinstance(icc_profile, bytes):
        # Colour calibration, not personal data: keeps photos from looking washed out.
        clean.info["icc_profile"] = icc_profile
    return clean


def _encode(image: Image.Image, kind: ImageKind) -> bytes:
    if kind is JPEG:
        return _save(image, "JPEG", quality=85, optimize=True, progressive=True)
    if kind is PNG:
        return _save(image, "PNG", compress_level=6)
    return _save(image, "WEBP", quality=85, method=4)


def _save(image: Image.Image, pillow_format: str, **options: object) -> bytes:
    if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    icc_profile = image.info.get("icc_profile")
    if isinstance(icc_profile, bytes):
        options["icc_profile"] = icc_profile
    output = io.BytesIO()
    image.save(output, pillow_format, **options)
    return output.getvalue()
