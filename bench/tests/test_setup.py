"""bench/setup: the benchmark sets up what it runs (issue 9, item 25).

On a fresh checkout after ``bin/demo`` (``.venv`` without the bench extras),
``bench/run`` failed for want of gunicorn. The set-up step is run here in a
copy of the checkout whose ``.venv/bin/python``, ``apt-get`` and ``sudo`` are
stand-ins that record what they are asked to do: no network, no install.
Run: .venv/bin/pytest -q bench/tests
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""
# The stand-in pip: installing the bench extras brings their programs, as pip would.
PYTHON = """#!/bin/sh
echo "python $*" >> "{log}"
case "$*" in *"-e .[bench]"*)
  for t in gunicorn py-spy; do printf '#!/bin/sh\\n' > "{bin}/$t"; chmod +x "{bin}/$t"; done ;;
esac
"""
DEMO_VENV = ["masthead", "granian"]  # what bin/demo's `ensure_venv ""` leaves besides python
SYSTEM = ["wrk", "nginx", "curl", "psql", "redis-cli"]
# The only programs on PATH besides the stand-ins: what the scripts themselves use.
BASICS = ["basename", "dirname", "tr", "chmod", "id", "cat"]


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path):
    """A copy of bin/ and bench/setup with a .venv as bin/demo leaves it, and stand-in tools."""
    repo = tmp_path / "repo"
    (repo / "bench").mkdir(parents=True)
    shutil.copytree(REPOSITORY / "bin", repo / "bin")
    shutil.copy2(REPOSITORY / "bench" / "setup", repo / "bench" / "setup")
    venv = repo / ".venv" / "bin"
    venv.mkdir(parents=True)
    log = tmp_path / "calls.log"
    log.touch()
    _script(venv / "python", PYTHON.format(log=log, bin=venv))
    for name in DEMO_VENV:
        _script(venv / name, "#!/bin/sh\n")
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in [*SYSTEM, "apt-get", "sudo"]:
        _script(tools / name, RECORDER.format(log=log))
    for name in BASICS:
        (tools / name).symlink_to(shutil.which(name))
    return repo, tools, log


def _run(repo: Path, tools: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": str(tools), "HOME": str(repo)}
    return subprocess.run(
        [shutil.which("bash"), str(repo / "bench" / "setup"), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_setup_installs_the_bench_extras_into_the_demo_s_venv(checkout):
    repo, tools, log = checkout

    done = _run(repo, tools)

    assert done.returncode == 0, done.stderr
    pip = "python -m pip install --quiet --disable-pip-version-check -e .[bench]"
    assert pip in log.read_text()
    assert _run(repo, tools, "--check").returncode == 0


def test_check_names_what_is_missing_and_installs_nothing(checkout):
    repo, tools, log = checkout
    (tools / "wrk").unlink()

    done = _run(repo, tools, "--check")

    assert done.returncode == 1
    assert ".venv/bin/gunicorn" in done.stderr and ".venv/bin/py-spy" in done.stderr
    assert "wrk" in done.stderr and "nginx" not in done.stderr
    assert log.read_text() == ""


def test_missing_debian_tools_are_installed_by_their_package(checkout):
    repo, tools, log = checkout
    (tools / "redis-cli").unlink()

    done = _run(repo, tools)

    # The stand-in apt-get installs nothing, so set-up says what is still missing.
    assert done.returncode == 1
    assert "still missing after set-up: redis-cli" in done.stderr
    assert "apt-get install -y -qq --no-install-recommends redis-tools" in log.read_text()


def test_bad_arguments_are_refused(checkout):
    repo, tools, log = checkout

    done = _run(repo, tools, "--cheque")

    assert done.returncode == 1 and "usage: bench/setup [--check]" in done.stderr
    assert log.read_text() == ""


def _setup_lists() -> tuple[set[str], set[str]]:
    text = (REPOSITORY / "bench" / "setup").read_text()
    venv = set(re.search(r"VENV_TOOLS=\(([^)]*)\)", text).group(1).split())
    system = re.search(r"SYSTEM_TOOLS=\(([^)]*)\)", text).group(1).split()
    return venv, {tool.split(":")[0] for tool in system}


@pytest.mark.parametrize("script", ["run", "mixed"])
def test_bench_scripts_set_up_first_and_check_every_program_they_run(script):
    lines = (REPOSITORY / "bench" / script).read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    venv_tools, system_tools = _setup_lists()

    first_use = min(i for i in (text.find("$VENV/bin/"), text.find("wrk ")) if i >= 0)
    assert 0 < text.find('bash "$BENCH_DIR/setup"') < first_use
    assert set(re.findall(r"\$VENV/bin/([\w.-]+)", text)) <= venv_tools
    for tool in ("wrk", "nginx", "curl", "psql", "redis-cli"):
        if re.search(rf"(^|[\s(]){re.escape(tool)}\s", text, re.MULTILINE):
            assert tool in system_tools, tool


def test_the_programs_setup_checks_come_from_masthead_or_its_bench_extras():
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    names = {
        re.split(r"[\[<>=~!; ]", requirement, maxsplit=1)[0].lower()
        for requirement in [*project["dependencies"], *project["optional-dependencies"]["bench"]]
    }
    venv_tools, _ = _setup_lists()

    for tool in venv_tools - {"python", "masthead"}:
        assert tool in names, f"{tool} is installed by no requirement of masthead[bench]"
