"""`masthead import wordpress`: what an operator types, sees, and the exit status."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from masthead import cli
from masthead.factories import make_desk
from masthead.stories.models import Story
from masthead.wire.tests.wordpress_files import OUTLET, PROBLEMS, outlet_uploads

pytestmark = pytest.mark.django_db(transaction=True)


def command(*arguments) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_wordpress", *arguments, stdout=out, stderr=err)
        code = 0
    except SystemExit as stop:
        code = stop.code
    return code, out.getvalue(), err.getvalue()


def test_an_import_prints_each_post_and_a_summary(tmp_path):
    code, out, _ = command(str(OUTLET), "--uploads", str(outlet_uploads(tmp_path)))
    assert code == 0
    assert "created   post 101 “Caspian ports expect record grain shipments” → " in out
    assert "/economy/caspian-ports-record-grain/ (published)" in out
    assert "skipped   post 108 “Old test post”\n            in WordPress's trash" in out
    assert "8 created, 0 updated, 0 unchanged, 0 kept, 1 skipped, 0 failed." in out
    assert "Images stored: 1." in out
    code, out, _ = command(str(OUTLET), "--quiet")
    assert code == 0 and "0 created, 0 updated, 8 unchanged" in out
    assert "post 102" not in out  # unchanged and nothing to say: quiet


def test_json_lines_give_one_object_per_post_then_the_summary(tmp_path):
    code, out, _ = command(str(PROBLEMS), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    posts, summary = lines[:-1], lines[-1]
    assert {line["type"] for line in posts} == {"post"} and summary["type"] == "summary"
    assert summary["posts"] == {
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "kept": 0,
        "skipped": 4,
        "failed": 0,
    }
    untitled = next(line for line in posts if line["post_id"] == "15")
    assert untitled["action"] == "skipped" and "no title" in untitled["reasons"][0]
    flood = next(line for line in posts if line["title"].startswith("Flood"))
    assert flood["address"] == "/tag-desk/flood-warning/" and flood["status"] == "published"


def test_a_dry_run_says_so_and_stores_nothing(tmp_path):
    code, out, _ = command(str(OUTLET), "--dry-run")
    assert code == 0
    assert out.strip().endswith("Dry run: nothing was stored.")
    assert "Would import" in out
    assert not Story.objects.exists()


def test_a_refused_export_exits_2_with_one_readable_line(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<rss><channel><title>&b;</title></channel></rss>"
    )
    code, out, err = command(str(bomb))
    assert code == 2 and out == ""
    assert err.startswith(f"Refused {bomb}: DTD entity declarations are not allowed")
    assert err.strip().endswith("Nothing was imported.")


def test_failed_posts_exit_1(tmp_path, settings):
    def database_down() -> None:
        raise DatabaseError("database is locked")

    settings.FAILPOINTS = {"wire.wordpress.before_record": database_down}
    code, out, _ = command(str(OUTLET))
    assert code == 1
    assert "failed    post 101" in out and "database error: database is locked" in out
    assert "0 created" in out and "8 failed" in out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["missing.xml"], "There is no file missing.xml."),
        ([str(OUTLET), "--uploads", "/nonexistent/uploads"], "does not exist"),
        ([str(OUTLET), "--default-desk", "nowhere"], "no desk with the slug 'nowhere'"),
        ([str(OUTLET), "--desk", "economy"], "--desk takes CATEGORY=DESK"),
        ([str(OUTLET), "--desk", "economy=nowhere"], "no desk with the slug 'nowhere'"),
        ([str(OUTLET), "--timezone", "Mars/Olympus"], "Unknown time zone"),
    ],
)
def test_wrong_arguments_are_refused_before_anything_is_read(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_wordpress", *arguments)
    assert not Story.objects.exists()


def test_the_desk_option_puts_a_category_on_an_existing_desk():
    business = make_desk("Business")
    code, _, _ = command(str(OUTLET), "--desk", f"economy={business.slug}")
    assert code == 0
    assert Story.objects.filter(desk=business).count() == 4  # 101, 103, 105, 107


def test_masthead_import_wordpress_runs_the_command(tmp_path, capsys):
    assert cli.main(["import", "wordpress", str(OUTLET), "--dry-run", "--quiet"]) == 0
    assert "Dry run: nothing was stored." in capsys.readouterr().out
