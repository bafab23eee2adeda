"""What checking a picture costs in memory: the growth of a fresh process's peak resident set.

Not `ru_maxrss`: Linux carries it over from the process that started ours (the test runner,
hundreds of MB), which hides any smaller growth. The kernel's own high-water mark (VmHWM) can
be reset to the current size first (`/proc/self/clear_refs`, Linux 4.0+).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hiremebahamas.config import Settings
from tests.uploads.files import smooth_photo, transparent_png

MB = 1024 * 1024
_MEASURE = """
import io, json, sys
from PIL import Image
from hiremebahamas.uploads import images

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

def warm_up(pillow_format):  # loads the codecs' libraries, so they are not counted below
    sample = io.BytesIO()
    Image.new("RGBA" if pillow_format == "PNG" else "RGB", (64, 64)).save(sample, pillow_format)
    images.clean_image(sample.getvalue(), max_pixels=10**6, max_edge=32, thumbnail_edge=16)

data = open(sys.argv[1], "rb").read()
warm_up("JPEG")
warm_up("PNG")
with open("/proc/self/clear_refs", "w") as clear_refs:
    clear_refs.write("5")  # the high-water mark starts again from the current size
before = peak()
try:
    clean = images.clean_image(data, max_pixels=int(sys.argv[2]), max_edge=int(sys.argv[3]), thumbnail_edge=640)
    result = {"size": [clean.width, clean.height]}
except images.ImageRejected as error:
    result = {"refused": error.message}
result["growth"] = peak() - before
print(json.dumps(result))
"""


def checked_in_a_fresh_process(data: bytes, tmp_path: Path, *, max_pixels: int, max_edge: int) -> dict[str, Any]:
    path = tmp_path / "picture"
    path.write_bytes(data)
    command = [sys.executable, "-c", _MEASURE, str(path), str(max_pixels), str(max_edge)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_tiny_png_of_40_megapixels_is_refused_without_decoding_it(tmp_path: Path) -> None:
    bomb = transparent_png(6300, 6300)  # 150 KB that decode to 160 MB of pixels
    assert len(bomb) < 200 * 1024
    result = checked_in_a_fresh_process(bomb, tmp_path, max_pixels=Settings().upload_max_pixels, max_edge=2048)
    assert result["refused"] == "This image is larger than 25 megapixels. Please use a smaller one."
    assert result["growth"] < 10 * MB


def test_a_24_megapixel_jpeg_is_decoded_at_a_reduced_scale(tmp_path: Path) -> None:
    photo = smooth_photo((5712, 4284))  # what a 24-megapixel phone camera takes
    result = checked_in_a_fresh_process(photo, tmp_path, max_pixels=Settings().upload_max_pixels, max_edge=2048)
    assert result["size"] == [2048, 1536]
    # Decoded at half scale (a quarter of the pixels): less than the full-size decode alone
    # would take (Pillow keeps 4 bytes a pixel), which was 300 MB with the copies after it.
    assert result["growth"] < 5712 * 4284 * 4
