"""Deployment settings and dependency floors (masthead/deploy_checks.py; RELIABILITY E10, V1, V2).

The deploy checks run as an operator runs them: the `masthead` command in a
process of its own, configured by environment variables only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.checks import run_checks
from packaging.requirements import Requirement
from packaging.version import Version

from masthead import cli, deploy_checks

ROOT = Path(__file__).resolve().parents[2]
# Not a secret: a stand-in of the length and variety Django's W009 asks of a real one.
DUMMY_SECRET = "dummy-deploy-check-" + "".join(chr(ord("a") + n % 26) for n in range(7, 200, 3))


def masthead(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "MASTHEAD_DATA_DIR": str(tmp_path), **env}
    for name in ("HTTPS", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "masthead", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {"HTTPS": "true", "SECRET_KEY": DUMMY_SECRET, "ALLOWED_HOSTS": "news.example"}


def warning_ids(output: str) -> set[str]:
    return set(re.findall(r"\(((?:security|masthead)\.[EW]\d{3})\)", output))


def test_production_settings_pass_djangos_deploy_check_with_no_warning(tmp_path):
    result = masthead(
        "manage", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # The one silenced check is the HSTS-preload reminder an operator opts into.
    assert "(1 silenced)" in result.stdout


def test_embedded_mode_warns_of_exactly_the_silence_list(tmp_path):
    """Without TLS, Django's own deploy check finds the TLS warnings and nothing else."""
    result = masthead("manage", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)

    assert result.returncode == 1
    assert warning_ids(result.stdout + result.stderr) == set(deploy_checks.EMBEDDED_SILENCES)


@pytest.mark.parametrize(
    ("env", "silenced"),
    [pytest.param(PRODUCTION, 1, id="production"), pytest.param({}, 4, id="embedded")],
)
def test_masthead_check_is_clean(tmp_path, env, silenced):
    result = masthead("check", tmp_path=tmp_path, **env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"no issues ({silenced} silenced)" in result.stdout
    listed = all(check_id in result.stdout for check_id in deploy_checks.EMBEDDED_SILENCES)
    assert listed is (env == {})


def test_the_silence_list_is_documented():
    operations = (ROOT / "docs" / "operations.md").read_text()

    for check_id in deploy_checks.EMBEDDED_SILENCES:
        assert check_id in operations, check_id


# Dependency floors ----------------------------------------------------------------------


def test_the_installed_libraries_are_at_or_above_their_floors():
    assert deploy_checks.dependency_problems() == []
    assert not [message for message in run_checks() if message.id == "masthead.E001"]


def test_pyproject_asks_for_at_least_the_floors():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lowest = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        if floors:
            lowest[requirement.name.lower()] = max(floors)

    for distribution, (floor, _) in deploy_checks.FLOORS.items():
        assert lowest[distribution.lower()] >= Version(floor), distribution


def test_a_library_below_its_floor_fails_the_check_and_stops_serve(monkeypatch, capsys):
    installed = deploy_checks.installed_version("lxml")
    monkeypatch.setitem(deploy_checks.FLOORS, "lxml", ("999.0", "a test floor"))

    errors = [message for message in run_checks() if message.id == "masthead.E001"]
    assert len(errors) == 1
    assert f"lxml {installed} is older than 999.0" in errors[0].msg
    assert "pip install 'lxml>=999.0'" in errors[0].msg

    assert cli._serve(options=None) == 2
    assert "lxml" in capsys.readouterr().err


def test_a_missing_library_is_a_problem(monkeypatch):
    monkeypatch.setitem(deploy_checks.FLOORS, "not-a-real-distribution", ("1.0", "a test"))

    assert deploy_checks.dependency_problems() == [
        "not-a-real-distribution is not installed (Masthead needs 1.0 or newer)"
    ]
