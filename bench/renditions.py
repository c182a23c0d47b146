"""Renditions per library: time and peak memory for the full set of one 12-megapixel photo.

    .venv/bin/python bench/renditions.py --photos 3 --repeat 2

Makes ``--photos`` realistic 4000x3000 photographs once (smooth light,
shapes with soft edges, sensor noise, JPEG quality 90: what a news camera
gives, not a flat colour that compresses to nothing) and renders the full
set of ``media/renditions.py`` (every crop, width and format of its table,
46 files) from each, in a fresh Python process per library and photo, so
one run's caches and heap never count in another's:

- ``pillow``: Masthead's own code (``renditions.render``), as the worker runs it;
- ``vips``: the same plan with pyvips and the pyvips-binary wheel (libvips
  8.18): the photo decoded once, each size cropped and resized with
  Lanczos 3, saved with the same qualities and no metadata. AVIF is written
  by libheif with aom in both, at the same quality and speed (Pillow's speed
  8 is libvips' effort 1).

Per run: wall time, CPU time (user + system: both libraries use threads),
peak resident memory of the process (``ru_maxrss``) minus the resident memory
after the imports (so the interpreter and Django are not counted), and the
Python heap peak (``tracemalloc``; it does not see native pixel buffers, which
is why the RSS column is the one to read). The output sizes are summed per
format. Prints a Markdown table for docs/performance.md; ``--json`` the rows.
Needs the ``bench`` extra (``pip install -e ".[bench]"``) for pyvips.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZE = (4000, 3000)
LIBRARIES = ("pillow", "vips")


def make_photo(path: Path, seed: int) -> None:
    """A 12 MP picture with a photograph's statistics, as a camera JPEG (quality 90)."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = SIZE
    small = Image.new("RGB", (width // 8, height // 8))
    draw = ImageDraw.Draw(small)
    top = tuple(rng.randint(60, 200) for _ in range(3))
    bottom = tuple(rng.randint(10, 120) for _ in range(3))
    for y in range(small.height):  # sky-to-ground light
        t = y / small.height
        draw.line(
            [(0, y), (small.width, y)],
            tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(60):  # objects with soft edges
        x, y = rng.randrange(small.width), rng.randrange(small.height)
        r = rng.randint(5, 90)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.ellipse((x - r, y - r // 2, x + r, y + r), fill=colour)
    picture = small.resize(SIZE, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(3))
    for _ in range(400):  # fine detail: edges a camera resolves
        x, y = rng.randrange(width), rng.randrange(height)
        ImageDraw.Draw(picture).line(
            (x, y, x + rng.randint(-80, 80), y + rng.randint(-80, 80)),
            fill=tuple(rng.randint(0, 255) for _ in range(3)),
            width=rng.randint(1, 4),
        )
    noise = Image.effect_noise(SIZE, 18).convert("RGB")  # sensor noise
    picture = Image.blend(picture, noise, 0.12)
    picture.save(path, "JPEG", quality=90)


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _pillow(path: Path, planned) -> dict[str, int]:
    from masthead.media import renditions

    sizes: dict[str, int] = {}
    with open(path, "rb") as file:
        for item, data in renditions.render(file, planned, SIZE):
            sizes[item.format] = sizes.get(item.format, 0) + len(data)
    return sizes


def _vips(path: Path, planned) -> dict[str, int]:
    import pyvips

    options = {
        "avif": ".avif[Q=55,effort=1,keep=none]",
        "webp": ".webp[Q=78,effort=4,keep=none]",
        "jpeg": ".jpg[Q=82,optimize_coding=true,interlace=true,keep=none]",
    }
    source = pyvips.Image.new_from_file(str(path))
    if source.interpretation != "srgb":
        source = source.colourspace("srgb")
    by_size: dict[tuple[str, int], list] = {}
    for item in planned:
        by_size.setdefault((item.crop, item.width), []).append(item)
    sizes: dict[str, int] = {}
    for items in by_size.values():
        left, top, right, bottom = items[0].box
        box = source.crop(left, top, right - left, bottom - top)
        scale_x, scale_y = items[0].width / box.width, items[0].height / box.height
        resized = box.resize(scale_x, vscale=scale_y, kernel="lanczos3").copy_memory()
        for item in items:
            data = resized.write_to_buffer(options[item.format])
            sizes[item.format] = sizes.get(item.format, 0) + len(data)
    return sizes


def worker(library: str, path: Path) -> dict:
    """One full set in this (fresh) process; the measurements as a dict."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    os.environ.setdefault("MASTHEAD_DATA_DIR", tempfile.mkdtemp(prefix="bench-renditions-"))
    import django

    django.setup()
    from masthead.media.renditions import plan

    if library == "vips":
        import pyvips  # noqa: F401 - its import counts in the baseline, not the work
    planned = plan(*SIZE, 0.5, 0.5)
    baseline = _rss_kib()
    tracemalloc.start()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    sizes = (_pillow if library == "pillow" else _vips)(path, planned)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    _, python_peak = tracemalloc.get_traced_memory()
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {
        "library": library,
        "files": len(planned),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mib": round(cpu_after.ru_maxrss / 1024, 1),
        "peak_over_baseline_mib": round((cpu_after.ru_maxrss - baseline) / 1024, 1),
        "python_heap_peak_mib": round(python_peak / 1024 / 1024, 1),
        "bytes": sizes,
    }


def versions() -> dict[str, str]:
    from PIL import Image

    found = {"Pillow": Image.__version__}
    try:
        import pyvips

        found["pyvips"] = pyvips.__version__
        found["libvips"] = f"{pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}"
    except ImportError:
        found["pyvips"] = "not installed"
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2, help="runs per library and photo")
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("LIBRARY", "PHOTO"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        print(json.dumps(worker(options.worker[0], Path(options.worker[1]))))
        return 0
    folder = Path(tempfile.gettempdir()) / "masthead-bench-photos"
    folder.mkdir(exist_ok=True)
    photos = []
    for number in range(options.photos):
        path = folder / f"photo-{number}.jpg"
        if not path.exists():
            make_photo(path, number)
        photos.append(path)
    rows = []
    for _ in range(options.repeat):
        for photo in photos:
            for library in options.libraries.split(","):
                command = [sys.executable, __file__, "--worker", library, str(photo)]
                done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if options.json:
        print(json.dumps({"versions": versions(), "rows": rows}, indent=1))
        return 0
    sizes = [p.stat().st_size for p in photos]
    kib = f"{min(sizes) // 1024}–{max(sizes) // 1024} KiB"
    print(f"{len(photos)} photos 4000x3000, JPEG q90, {kib}; {options.repeat} runs each; "
          f"{versions()}; {os.cpu_count()} CPUs")  # fmt: skip
    print()
    print("| library | files | wall s (median) | CPU s | peak RSS MiB | over baseline MiB "
          "| Python heap MiB | AVIF / WebP / JPEG KiB |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for library in options.libraries.split(","):
        mine = [row for row in rows if row["library"] == library]
        median = lambda key, mine=mine: statistics.median(row[key] for row in mine)  # noqa: E731
        kib = "/".join(
            str(round(statistics.median(row["bytes"].get(f, 0) for row in mine) / 1024))
            for f in ("avif", "webp", "jpeg")
        )
        print(
            f"| {library} | {mine[0]['files']} | {median('wall_s'):.2f} | {median('cpu_s'):.2f} "
            f"| {median('peak_rss_mib'):.0f} | {median('peak_over_baseline_mib'):.0f} "
            f"| {median('python_heap_peak_mib'):.1f} | {kib} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
