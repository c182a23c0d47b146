"""Memory of the image checks on hostile files (RELIABILITY.md D1: worker RSS < 300 MB).

    .venv/bin/python bench/hostile_images.py

Each input of D1's list — headers claiming 10k × 10k and 50k × 50k pixels
in PNG, GIF, JPEG and WebP, a PNG with a 100 MB zTXt chunk, a GIF of 10,000
frames, an animated WebP, a truncated JPEG, FITS, PSD, TGA and ICO files named
``.jpg`` — and, for scale, a real 12-megapixel photo go through
``prepare_image`` (what an upload goes through before anything is stored:
``masthead/media/image_safety.py``) in a fresh Python process with Django
set up. The process reports what the check said and its peak resident
memory (``VmHWM``); the row passes when the peak is under 300 MB. What
the check says to each file is tested in ``masthead/media/tests``; this
measures the memory, which tests do not.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 300

CHILD = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
import django
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from masthead.media.image_safety import prepare_image
def high_water_kb():
    # The peak of this process's own memory (VmHWM). Not ru_maxrss: Linux folds the
    # parent's peak at exec into the child's, and the parent holds every input.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = high_water_kb()
data = open(sys.argv[1], "rb").read()
upload = SimpleUploadedFile(sys.argv[2], data, content_type="image/jpeg")
del data
try:
    prepared = prepare_image(upload)
    outcome = f"accepted ({prepared.width} x {prepared.height})"
except ValidationError as error:
    outcome = "refused: " + " ".join(error.messages)
peak = high_water_kb()
print(json.dumps({"outcome": outcome, "before_kb": before, "peak_kb": peak}))
"""


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))


def png_with_ztxt(megabytes: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 18), (200, 30, 30)).save(out, "PNG")
    png = out.getvalue()
    compressor = zlib.compressobj(9)
    zero = bytes(1024 * 1024)
    text = b"".join(compressor.compress(zero) for _ in range(megabytes)) + compressor.flush()
    ztxt = chunk(b"zTXt", b"Comment\0\0" + text)
    return png[:33] + ztxt + png[33:]  # after IHDR


def gif_declaring(width: int, height: int) -> bytes:
    screen = struct.pack("<HH", width, height) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHH", 0, 0, width, height) + b"\x00" + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + frame + b"\x3b"


def gif_of_frames(count: int) -> bytes:
    screen = struct.pack("<HH", 1, 1) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x21\xf9\x04\x00\x01\x00\x00\x00" + b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1)
    frame += b"\x00\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + frame * count + b"\x3b"


def photo(width: int, height: int, quality: int = 90) -> bytes:
    from PIL import Image

    # A gradient with noise: a JPEG about the size of a camera's (not a flat test card).
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 48)
    picture = Image.merge(
        "RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    )
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims ``width`` x ``height``."""
    data = bytearray(photo(64, 48))
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    """An extended WebP (VP8X) whose canvas claims ``width`` x ``height`` (at most 16384)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 200)).save(out, "WEBP", lossless=True)
    body = out.getvalue()[12:]  # the VP8L chunk
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    riff = b"WEBP" + vp8x + body
    return b"RIFF" + struct.pack("<I", len(riff)) + riff


def animated_webp(frames: int) -> bytes:
    from PIL import Image

    pictures = [Image.new("RGB", (64, 64), (n * 2 % 256, 80, 160)) for n in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "WEBP", save_all=True, append_images=pictures[1:], duration=40)
    return out.getvalue()


def pillow_file(image_format: str, size=(64, 64)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (90, 90, 90)).save(out, image_format)
    return out.getvalue()


def fits() -> bytes:
    cards = ["SIMPLE  = T", "BITPIX  = 8", "NAXIS   = 2", "NAXIS1  = 64", "NAXIS2  = 64", "END"]
    header = "".join(card.ljust(80) for card in cards).ljust(2880).encode()
    return header + bytes(64 * 64).ljust(2880, b"\0")


def psd() -> bytes:
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 64, 64, 8, 3)
    return header + struct.pack(">I", 0) * 3 + struct.pack(">H", 0) + bytes(64 * 64 * 3)


def inputs() -> list[tuple[str, str, bytes]]:
    twelve_mp = photo(4000, 3000)
    return [
        ("a real 12-megapixel photo (4000 × 3000 JPEG)", "photo.jpg", twelve_mp),
        (
            "a real 39.9-megapixel photo (7300 × 5460 JPEG, under the pixel limit)",
            "max.jpg",
            photo(7300, 5460, quality=50),
        ),
        ("PNG claiming 10k × 10k", "big.png", png_declaring(10_000, 10_000)),
        ("PNG claiming 50k × 50k", "big.png", png_declaring(50_000, 50_000)),
        ("GIF claiming 10k × 10k", "big.gif", gif_declaring(10_000, 10_000)),
        ("GIF claiming 50k × 50k", "big.gif", gif_declaring(50_000, 50_000)),
        ("JPEG claiming 10k × 10k", "big.jpg", jpeg_declaring(10_000, 10_000)),
        ("JPEG claiming 50k × 50k", "big.jpg", jpeg_declaring(50_000, 50_000)),
        ("WebP claiming 10k × 10k", "big.webp", webp_declaring(10_000, 10_000)),
        ("WebP claiming 16k × 16k (its format's most)", "big.webp", webp_declaring(16384, 16384)),
        ("PNG with a 100 MB zTXt chunk", "text.png", png_with_ztxt(100)),
        ("GIF of 10,000 frames", "frames.gif", gif_of_frames(10_000)),
        ("animated WebP, 60 frames", "moving.webp", animated_webp(60)),
        ("truncated JPEG (half of the 12 MP photo)", "cut.jpg", twelve_mp[: len(twelve_mp) // 2]),
        ("FITS named .jpg", "space.jpg", fits()),
        ("PSD named .jpg", "layers.jpg", psd()),
        ("TGA named .jpg", "old.jpg", pillow_file("TGA")),
        ("ICO named .jpg", "icon.jpg", pillow_file("ICO", (48, 48))),
    ]


def main() -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.setdefault("MASTHEAD_DATA_DIR", tempfile.mkdtemp(prefix="masthead-hostile-images-"))
    env.pop("DATABASE_URL", None)
    print("| input | bytes | the check's answer | peak RSS | after Django's start | < 300 MB |")
    print("|---|---|---|---|---|---|")
    failed = 0
    with tempfile.TemporaryDirectory() as folder:
        for label, name, data in inputs():
            path = Path(folder) / name
            path.write_bytes(data)
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), name],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0:
                failed += 1
                last = (done.stderr.strip().splitlines() or ["?"])[-1]
                print(f"| {label} | {len(data):,} | **crashed**: {last} | – | – | no |")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            peak, before = result["peak_kb"] / 1024, result["before_kb"] / 1024
            ok = peak < LIMIT_MB
            failed += not ok
            answer = result["outcome"].replace("|", "/")
            print(
                f"| {label} | {len(data):,} | {answer} | {peak:.0f} MB | {before:.0f} MB "
                f"| {'yes' if ok else '**no**'} |"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
