"""Checking files by their content: pictures decoded and re-encoded clean, CVs recognised."""

from __future__ import annotations

import pytest

from hiremebahamas.uploads import documents, images
from tests.uploads.files import decoded, docx, has_gps, pdf, photo_with_gps, picture, png_claiming

LIMITS = {"max_pixels": 40_000_000, "max_edge": 1024, "thumbnail_edge": 256}


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (picture("JPEG", (8, 8)), images.JPEG),
        (picture("PNG", (8, 8)), images.PNG),
        (picture("WEBP", (8, 8)), images.WEBP),
        (pdf(), None),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"just some text", None),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
    ],
)
def test_sniff_image_goes_by_the_bytes(data: bytes, kind: images.ImageKind | None) -> None:
    assert images.sniff_image(data) == kind


@pytest.mark.parametrize(("pillow_format", "mode"), [("JPEG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB")])
def test_pictures_keep_their_format_and_get_a_smaller_webp_thumbnail(pillow_format: str, mode: str) -> None:
    clean = images.clean_image(picture(pillow_format, (800, 600), mode), **LIMITS)
    stored, thumbnail = decoded(clean.data), decoded(clean.thumbnail)
    assert stored.format == pillow_format
    assert stored.mode == mode
    assert (clean.width, clean.height) == stored.size == (800, 600)
    assert thumbnail.format == "WEBP"
    assert thumbnail.size == (256, 192)
    assert len(clean.thumbnail) < len(clean.data)


def test_gps_and_all_exif_are_stripped_after_turning_the_photo_upright() -> None:
    original = photo_with_gps(size=(40, 20), orientation=6)
    assert has_gps(original)  # the test photo really carries a position
    clean = images.clean_image(original, **LIMITS)
    stored = decoded(clean.data)
    assert not has_gps(clean.data)
    assert not stored.getexif()
    assert b"Exif" not in clean.data
    assert stored.size == (clean.width, clean.height) == (20, 40)  # orientation 6 applied to the pixels
    assert not decoded(clean.thumbnail).getexif()


def test_large_pictures_are_scaled_down_to_the_longest_side() -> None:
    clean = images.clean_image(picture("JPEG", (3000, 1500)), max_pixels=40_000_000, max_edge=2048, thumbnail_edge=640)
    assert (clean.width, clean.height) == (2048, 1024)
    assert decoded(clean.thumbnail).size == (640, 320)


@pytest.mark.parametrize(("mode", "expected"), [("CMYK", "RGB"), ("P", "RGB"), ("1", "L"), ("LA", "RGBA")])
def test_unusual_colour_modes_are_converted(mode: str, expected: str) -> None:
    pillow_format = "JPEG" if mode == "CMYK" else "PNG"
    clean = images.clean_image(picture(pillow_format, (16, 16), mode), **LIMITS)
    assert decoded(clean.data).mode == expected


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (40_000, 40_000), (1, 40_000_001)])
def test_decompression_bombs_are_refused_before_decoding(width: int, height: int) -> None:
    bomb = png_claiming(width, height)
    assert len(bomb) < 1000
    with pytest.raises(images.ImageRejected, match="larger than 40 megapixels"):
        images.clean_image(bomb, **LIMITS)


def test_pixel_limit_follows_the_setting() -> None:
    with pytest.raises(images.ImageRejected, match=r"larger than 0\.01 megapixels"):
        images.clean_image(picture("PNG", (101, 100)), max_pixels=10_000, max_edge=1024, thumbnail_edge=256)
    assert images.clean_image(picture("PNG", (100, 100)), max_pixels=10_000, max_edge=1024, thumbnail_edge=256)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pdf(), "Only JPEG, PNG or WebP"),
        (b"hello, this is text", "Only JPEG, PNG or WebP"),
        (picture("JPEG")[:300], "could not be read"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "could not be read"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 garbage", "could not be read"),
    ],
)
def test_files_that_are_not_readable_pictures_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(images.ImageRejected, match=message):
        images.clean_image(data, **LIMITS)


def test_cv_documents_are_recognised_by_content() -> None:
    assert documents.check_document(pdf()) is documents.PDF
    assert documents.check_document(docx()) is documents.DOCX


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (docx(with_document=False), "must be PDF or Word"),
        (docx(with_macros=True), "macros are not accepted"),
        (b"PK\x03\x04" + b"\x00" * 100, "could not be read"),
        (picture("JPEG"), "must be PDF or Word"),
        (b"%PD", "must be PDF or Word"),
        (b"Dear employer, hire me.", "must be PDF or Word"),
    ],
)
def test_other_documents_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(documents.DocumentRejected, match=message):
        documents.check_document(data)
