"""A WordPress export of any size through `masthead import wordpress`, in bounded memory.

Writes a synthetic export of SIZE_MB (default 1024) into a temporary folder
(``masthead/wire/tests/wordpress_files.write_synthetic_export``: posts of a
dozen English and Persian paragraphs, eight comments and a page builder's
meta each, every fifth with a featured image), then runs, each in its own
process so that its peak RSS (``ru_maxrss``) is its own:

1. the reader alone (both passes' parsing cost, no database);
2. the whole import into a fresh SQLite data folder (``--quiet --json``);
3. the same import again: every post unchanged (the idempotent re-run).

and prints time, posts per second and peak RSS of each, next to the same for
an export of 1/16 the size, so the memory growth is visible. Nothing is left
behind (the temporary folder is removed). docs/wire-wordpress.md records a run.

Usage: .venv/bin/python bench/wordpress_import.py [SIZE_MB] [--reader-only]
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE_MB = int(next((arg for arg in sys.argv[1:] if arg.isdigit()), "1024"))
READER_ONLY = "--reader-only" in sys.argv

READER = """
import json, resource, sys, time
from pathlib import Path
from masthead.wire.wxr.reader import Item, open_export, read_export
started, posts = time.monotonic(), 0
for _ in range(2):  # the importer reads the file twice
    with open_export(Path(sys.argv[1])) as handle:
        for record in read_export(handle):
            posts += isinstance(record, Item) and record.post_type == "post"
print(json.dumps({"posts": posts // 2, "seconds": time.monotonic() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(arguments: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, the child's peak RSS in MB, and its standard output."""
    started = time.monotonic()
    wrapped = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys, json;"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "sys.stderr.write(done.stderr[-2000:]);"
        "print(json.dumps({'code': done.returncode, 'out': done.stdout[-20000:],"
        " 'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))",
        *arguments,
    ]
    done = subprocess.run(wrapped, capture_output=True, text=True, env=env, check=True)
    result = json.loads(done.stdout)
    if result["code"] not in (0, 1):
        raise SystemExit(f"{arguments[:3]} failed ({result['code']}): {done.stderr}")
    return time.monotonic() - started, result["peak_mb"], result["out"]


def _export(folder: Path, size_mb: int) -> tuple[Path, int]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    from masthead.wire.tests.wordpress_files import write_synthetic_export

    path = folder / f"export-{size_mb}mb.xml"
    posts = write_synthetic_export(path, size_mb * 1024 * 1024)
    return path, posts


def _import(path: Path, data: Path, label: str) -> dict:
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(data), "PAGE_CACHE": "false"}
    env.pop("DATABASE_URL", None)
    masthead = str(ROOT / ".venv" / "bin" / "masthead")
    subprocess.run([masthead, "manage", "migrate", "-v0"], env=env, check=True)
    seconds, peak, out = _run(
        [masthead, "import", "wordpress", str(path), "--json", "--quiet"], env
    )
    summary = json.loads(out.strip().splitlines()[-1])
    posts = sum(summary["posts"].values())
    return {
        "run": label,
        "seconds": seconds,
        "peak_mb": peak,
        "posts": summary["posts"],
        "n": posts,
    }


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="masthead-bench-wxr-"))
    try:
        rows = []
        for size in (max(1, SIZE_MB // 16), SIZE_MB):
            path, posts = _export(folder, size)
            megabytes = path.stat().st_size / 1024 / 1024
            _, peak, out = _run([sys.executable, "-c", READER, str(path)])
            reader = json.loads(out)
            rows.append(
                f"{megabytes:7.0f} MB  {posts:7d} posts  reader (2 passes): "
                f"{reader['seconds']:7.1f} s  {posts / reader['seconds']:7.0f} posts/s  "
                f"peak RSS {peak:5.0f} MB"
            )
            print(rows[-1], flush=True)
            if READER_ONLY:
                path.unlink()
                continue
            data = folder / f"data-{size}"
            data.mkdir()
            for label in ("import", "re-run"):
                result = _import(path, data, label)
                rows.append(
                    f"{megabytes:7.0f} MB  {posts:7d} posts  {label:<17}: "
                    f"{result['seconds']:7.1f} s  {result['n'] / result['seconds']:7.0f} posts/s  "
                    f"peak RSS {result['peak_mb']:5.0f} MB  {result['posts']}"
                )
                print(rows[-1], flush=True)
            shutil.rmtree(data)
            path.unlink()
        print("\n".join(["", "Summary:", *rows]))
        print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
