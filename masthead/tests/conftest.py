from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What points a `masthead` process at the suite's database, cache and settings: a
# process started here gets its own from its data folder instead.
CONFIGURATION = frozenset({"DATABASE_URL", "CACHE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"})


def _environment_without(names: frozenset[str]) -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in names}


@pytest.fixture
def run_masthead(tmp_path):
    """Run the real `masthead` command in a fresh process with a clean environment."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: int = 120):
        clean = _environment_without(CONFIGURATION | {"DEBUG"})
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


def _served_env(data: Path) -> dict[str, str]:
    env = _environment_without(CONFIGURATION)
    env.update(MASTHEAD_DATA_DIR=str(data), STATIC_COMPRESS="false")
    return env


@pytest.fixture(scope="session")
def migrated_data_folder(tmp_path_factory) -> Path:
    """A data folder `masthead manage migrate` made, once per test process.

    ``server_env`` hands each test a copy of it. Each test used to migrate a new
    folder in a subprocess, about 10 s on a loaded 2-core machine, and more
    than a dozen live-server tests did so.
    """
    data = tmp_path_factory.mktemp("migrated") / "data"
    migrate = [sys.executable, "-m", "masthead", "manage", "migrate", "-v", "0"]
    subprocess.run(migrate, env=_served_env(data), cwd=data.parent, check=True, timeout=300)
    return data


@pytest.fixture
def server_env(tmp_path, migrated_data_folder) -> dict[str, str]:
    """The environment of a real `masthead serve` on SQLite in a migrated data folder of
    the test's own (``tmp_path / "data"``, a copy: the migration left no open database)."""
    data = tmp_path / "data"
    shutil.copytree(migrated_data_folder, data)
    return _served_env(data)
