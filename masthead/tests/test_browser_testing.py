"""Where the browser tests put their screenshots (issue 9, item 31).

A test run must not change the pictures the README and docs/ show; those are
refreshed on purpose with ``bin/screenshots``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from masthead.browser_testing import screenshot_path

REPOSITORY = Path(__file__).resolve().parents[2]
DOCS_SCREENSHOTS = REPOSITORY / "docs" / "screenshots"


def _ignored_by_git(path: Path) -> bool:
    git = shutil.which("git")
    if git is None or not (REPOSITORY / ".git").exists():
        pytest.fail("these tests read the checkout's .gitignore through git")
    check = subprocess.run(
        [git, "check-ignore", "-q", str(path)], cwd=REPOSITORY, check=False, timeout=30
    )
    return check.returncode == 0


def test_a_test_run_writes_screenshots_to_an_ignored_folder(monkeypatch):
    monkeypatch.delenv("MASTHEAD_SCREENSHOTS", raising=False)

    path = screenshot_path("home.png")

    assert DOCS_SCREENSHOTS not in path.parents
    assert path.parent.is_dir()
    assert _ignored_by_git(path)


def test_the_docs_pictures_are_kept_in_git():
    pictures = list(DOCS_SCREENSHOTS.glob("*.png"))

    assert pictures
    assert not any(_ignored_by_git(picture) for picture in pictures)


def test_screenshots_go_where_masthead_screenshots_says(monkeypatch, tmp_path):
    monkeypatch.setenv("MASTHEAD_SCREENSHOTS", str(tmp_path / "shots"))

    assert screenshot_path("desk.png") == tmp_path / "shots" / "desk.png"
    assert (tmp_path / "shots").is_dir()


def test_bin_screenshots_refreshes_the_docs_pictures():
    script = REPOSITORY / "bin" / "screenshots"

    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert 'MASTHEAD_SCREENSHOTS="$PWD/docs/screenshots"' in text
    assert "-m browser" in text
