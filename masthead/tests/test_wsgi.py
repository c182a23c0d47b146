"""The WSGI entry point ``masthead serve`` loads (masthead/wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = """
import gc, time
import masthead.wsgi
frozen = gc.get_freeze_count()
started = time.perf_counter()
gc.collect()
print(frozen, len(gc.get_objects()), round((time.perf_counter() - started) * 1000, 1))
"""


def test_what_the_start_loaded_is_left_out_of_garbage_collections(tmp_path):
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": ""}
    env.pop("DJANGO_SETTINGS_MODULE")
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    frozen, tracked, _milliseconds = done.stdout.split()

    # Django, Masthead and their libraries: far more than a collection need walk.
    assert int(frozen) > 50_000
    assert int(tracked) < int(frozen) // 10
