"""Pictures people upload: recognised by their bytes, decoded with limits, re-encoded clean.

Re-encoding from pixels is what strips EXIF (GPS position, camera serial numbers) and anything
else riding along in the file; the orientation EXIF carried is applied to the pixels first so
photos still stand the right way up.
"""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass

from PIL import Image, ImageOps

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

    Blocking, CPU-bound and holding up to one full-size copy of the pixels (4 bytes each):
    run it in a worker thread, a bounded number at a time.
    """
    kind = sniff_image(data)
    if kind is None:
        raise ImageRejected("Only JPEG, PNG or WebP images are accepted.")
    image = _decode(data, kind, max_pixels, max_edge)
    encoded = _encode(image, kind)
    thumbnail = image.copy()
    thumbnail.thumbnail((thumbnail_edge, thumbnail_edge), Image.Resampling.LANCZOS)
    thumbnail_data = _save(thumbnail, "WEBP", quality=80, method=4)
    return CleanImage(kind=kind, data=encoded, width=image.width, height=image.height, thumbnail=thumbnail_data)


def _too_large(max_pixels: int) -> ImageRejected:
    return ImageRejected(f"This image is larger than {megapixels(max_pixels)} megapixels. Please use a smaller one.")


def _decode(data: bytes, kind: ImageKind, max_pixels: int, max_edge: int) -> Image.Image:
    """The upright picture, at most `max_edge` pixels a side, with nothing but its pixels.

    Memory is what a hostile upload goes after (a 150 KB PNG can unfold into 160 MB of
    pixels), so: the size is checked from the header before any pixel is decoded, a JPEG is
    decoded straight at the smallest 1/2, 1/4 or 1/8 scale that still covers `max_edge`, and
    every step after the decode either works in place or on the scaled-down copy.
    """
    try:
        # Only the decoder the bytes announced: no other Pillow plugin gets a say.
        source = Image.open(io.BytesIO(data), formats=[kind.pillow_format])
        # The header gives the size before any pixel is decoded: a bomb stops here.
        if source.width * source.height > max_pixels:
            raise _too_large(max_pixels)
        if kind is JPEG:
            source.draft(None, _scaled_to_fit(source.size, max_edge))
        source.load()  # the first frame only; animations become still pictures
        icc_profile = source.info.get("icc_profile")
        image = _usable_mode(source)
        if image is not source:
            icc_profile = None  # a profile describes the old colour space, not the converted one
            source.close()
        ImageOps.exif_transpose(image, in_place=True)
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except _DECODE_ERRORS as exc:
        raise ImageRejected("This image could not be read; the file may be damaged.") from exc
    image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    return _pixels_only(image, icc_profile)


def _scaled_to_fit(size: tuple[int, int], max_edge: int) -> tuple[int, int]:
    """`size` shrunk, keeping its proportions, until its longer side is at most `max_edge`."""
    scale = min(1.0, max_edge / max(size))
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def _usable_mode(image: Image.Image) -> Image.Image:
    """`image` itself, or a copy converted to a mode we store; before any scaling, since
    palette and 1-bit images would otherwise be scaled by dropping pixels."""
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    try:
        return image.convert("RGBA" if has_alpha else "L" if image.mode == "1" else "RGB")
    except ValueError as exc:
        raise ImageRejected("This image uses a colour format we cannot read.") from exc


def _pixels_only(image: Image.Image, icc_profile: object) -> Image.Image:
    """A fresh image with the same pixels and nothing else (no EXIF, XMP, text chunks)."""
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
