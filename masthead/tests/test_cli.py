"""The `masthead` command as an operator meets it."""

from __future__ import annotations

import pytest


def test_help_explains_each_command(run_masthead):
    result = run_masthead("--help")

    assert result.returncode == 0
    for command in ("demo", "serve", "manage"):
        assert command in result.stdout
    demo_help = run_masthead("demo", "--help").stdout
    assert "http://127.0.0.1:8000/" in demo_help and "--no-serve" in demo_help
    assert "granian" in run_masthead("serve", "--help").stdout


def test_no_command_prints_help(run_masthead):
    result = run_masthead()

    assert result.returncode == 0 and "usage: masthead" in result.stdout


def test_unknown_command_is_refused(run_masthead):
    result = run_masthead("publish-everything")

    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_demo_sets_up_a_data_folder_and_prints_url_and_logins(run_masthead, tmp_path):
    first = run_masthead("demo", "--no-serve")
    second = run_masthead("demo", "--no-serve")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    data = tmp_path / "data"
    assert (data / "masthead.sqlite3").exists() and (data / "static").is_dir()
    assert "Site:        http://127.0.0.1:8000/" in first.stdout
    assert "Site (فارسی): http://127.0.0.1:8000/fa/" in first.stdout
    assert "editor.politics" in first.stdout and "masthead-demo" in first.stdout
    assert "editor.siasat" in first.stdout and "writer.elham" in first.stdout
    assert "Demo outlet loaded: 335 stories." in second.stdout


def test_serve_refuses_to_start_on_an_unmigrated_database(run_masthead):
    result = run_masthead("serve", "--port", "1")

    assert result.returncode == 2
    assert "migration(s) pending" in result.stderr and "masthead manage migrate" in result.stderr


def test_manage_runs_any_django_command(run_masthead):
    result = run_masthead("manage", "check")

    assert result.returncode == 0 and "no issues" in result.stdout
    listed = run_masthead("manage", "help").stdout
    assert "load_demo" in listed and "migrate" in listed


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--stop-timeout", "0"], {}, "0 is outside 1 to 1800 seconds"),
        (["--stop-timeout", "1801"], {}, "1801 is outside 1 to 1800 seconds"),
        (["--stop-timeout", "-5"], {}, "-5 is outside 1 to 1800 seconds"),
        (["--stop-timeout", "ten"], {}, "not a whole number of seconds: 'ten'"),
        ([], {"WEB_STOP_TIMEOUT": "1.5"}, "not a whole number of seconds: '1.5'"),
    ],
)
def test_serve_refuses_a_stop_timeout_it_cannot_use(run_masthead, args, env, says):
    result = run_masthead("serve", "--port", "1", *args, env=env)

    assert result.returncode == 2
    assert f"argument --stop-timeout: {says}" in result.stderr
    assert "Traceback" not in result.stderr
