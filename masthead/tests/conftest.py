from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_masthead(tmp_path):
    """Run the real `masthead` command in a fresh process with a clean environment."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: int = 120):
        clean = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {"DATABASE_URL", "CACHE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DEBUG"}
        }
        clean["MASTHEAD_DATA_DIR"] = str(tmp_path / "data")
        clean.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "masthead", *args],
            capture_output=True,
            text=True,
            env=clean,
            cwd=tmp_path,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def read_setting(run_masthead):
    """The value of settings.NAME as a fresh process with ``env`` sees it."""

    def read(expression: str, env: dict[str, str] | None = None):
        code = f"from django.conf import settings; print(repr({expression}))"
        result = run_masthead("manage", "shell", "--no-imports", "-c", code, env=env)
        return result

    return read
