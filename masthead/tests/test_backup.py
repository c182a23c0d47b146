"""`masthead backup` and `masthead restore` (masthead/backups.py), run as an operator runs them.

SQLite: real data folders and the real command, a backup taken while a writer
keeps writing (RELIABILITY.md L10's drill, small); damaged and forged backups
refused with nothing changed. PostgreSQL: pg_dump and pg_restore against a
database of the test server's own.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from masthead import backups

TIMEOUT = 120


def masthead(data: Path, *args: str) -> subprocess.CompletedProcess:
    """The `masthead` command on the embedded default (SQLite), as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
    env.pop("SECRET_KEY", None)
    env["MASTHEAD_DATA_DIR"] = str(data)
    argv = [sys.executable, "-m", "masthead", "--data", str(data), *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory) -> Path:
    """A migrated data folder with an account, a tag and a media file."""
    data = tmp_path_factory.mktemp("newsroom")
    assert masthead(data, "manage", "migrate", "-v0").returncode == 0
    with sqlite3.connect(data / "masthead.sqlite3") as db:
        db.execute("INSERT INTO stories_tag (name, slug) VALUES ('Iran', 'iran')")
    (data / "media" / "images").mkdir(parents=True)
    (data / "media" / "images" / "lead.jpg").write_bytes(b"\xff\xd8" + os.urandom(4096))
    return data


def tags(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT slug FROM stories_tag ORDER BY id")]


def test_a_backup_taken_while_writes_go_on_restores_a_consistent_newsroom(newsroom, tmp_path):
    stop, written = threading.Event(), []

    def keep_writing():
        # A writer that commits a tag after another while the backup runs.
        db = sqlite3.connect(newsroom / "masthead.sqlite3", timeout=30)
        number = 0
        while not stop.is_set():
            number += 1
            with db:
                db.execute(
                    "INSERT INTO stories_tag (name, slug) VALUES (?, ?)",
                    (f"Load {number}", f"load-{number}"),
                )
            written.append(number)
        db.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = masthead(newsroom, "backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    assert "Backed up the sqlite database" in made.stdout and "1 media files" in made.stdout
    assert written, "the writer wrote nothing while the backup ran"

    restored = tmp_path / "restored"
    done = masthead(restored, "restore", str(tmp_path / "backup"))

    assert done.returncode == 0, done.stderr
    database = restored / "masthead.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    slugs = tags(database)
    # One moment's database: every tag written before it, in order, none after a gap.
    loads = [int(slug.removeprefix("load-")) for slug in slugs if slug.startswith("load-")]
    assert slugs[0] == "iran" and loads == list(range(1, len(loads) + 1))
    assert len(loads) <= len(written)
    image = restored / "media" / "images" / "lead.jpg"
    assert image.read_bytes() == (newsroom / "media" / "images" / "lead.jpg").read_bytes()
    assert (restored / "secret_key").read_text() == (newsroom / "secret_key").read_text()
    assert oct((tmp_path / "backup").stat().st_mode & 0o777) == "0o700"


@pytest.fixture(scope="module")
def backup_folder(newsroom, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("backups") / "nightly"
    assert masthead(newsroom, "backup", str(folder)).returncode == 0
    return folder


def copy_of(folder: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    return copy


DAMAGE = {
    "one changed byte": "damaged: media/images/lead.jpg does not match its checksum",
    "a missing file": "damaged: media/images/lead.jpg is missing",
    "a forged path": "outside the backup",
    "no manifest": "has no manifest.json",
    "garbled manifest": "is not valid JSON",
}


def damaged(folder: Path, damage: str) -> Path:
    manifest = json.loads((folder / "manifest.json").read_text())
    image = folder / "media" / "images" / "lead.jpg"
    if damage == "one changed byte":
        data = bytearray(image.read_bytes())
        data[100] ^= 1
        image.write_bytes(bytes(data))
    elif damage == "a missing file":
        image.unlink()
    elif damage == "a forged path":
        manifest["media"]["files"][0]["path"] = "../../../etc/passwd"
        (folder / "manifest.json").write_text(json.dumps(manifest))
    elif damage == "no manifest":
        (folder / "manifest.json").unlink()
    else:
        (folder / "manifest.json").write_text("{not json")
    return folder


@pytest.mark.parametrize("damage", DAMAGE)
def test_every_kind_of_damage_is_found_before_anything_is_touched(backup_folder, tmp_path, damage):
    folder = damaged(copy_of(backup_folder, tmp_path), damage)

    with pytest.raises(backups.BackupError) as refused:
        backups.verify(folder)

    assert DAMAGE[damage] in str(refused.value)


def test_the_command_refuses_a_damaged_backup_and_changes_nothing(backup_folder, tmp_path):
    folder = damaged(copy_of(backup_folder, tmp_path), "one changed byte")
    target = tmp_path / "target"

    done = masthead(target, "restore", str(folder))

    assert done.returncode != 0
    assert DAMAGE["one changed byte"] in done.stderr and "Traceback" not in done.stderr
    assert not (target / "media").exists()
    assert not (target / "masthead.sqlite3").exists() or tags(target / "masthead.sqlite3") == []


def test_a_newsroom_is_replaced_only_when_asked(newsroom, backup_folder):
    refused = masthead(newsroom, "restore", str(backup_folder))
    assert refused.returncode != 0
    assert "already holds a newsroom" in refused.stderr and "add --replace" in refused.stderr

    replaced = masthead(newsroom, "restore", str(backup_folder), "--replace")
    assert replaced.returncode == 0, replaced.stderr


def test_a_backup_never_writes_into_a_folder_that_holds_something(newsroom, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("keep me")

    done = masthead(newsroom, "backup", str(tmp_path / "taken"))

    assert done.returncode != 0 and "is not empty" in done.stderr
    assert (tmp_path / "taken" / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "taken.partial").exists() or not any(
        (tmp_path / "taken.partial").iterdir()
    )


@pytest.mark.postgres(reason="pg_dump and pg_restore need a PostgreSQL server")
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_through_pg_dump_and_pg_restore(tmp_path, settings):
    import psycopg
    from django.db import connection

    from masthead.factories import make_desk, make_story
    from masthead.stories.models import Story

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DATA_DIR = tmp_path
    make_story("Talks resume in Vienna", desk=make_desk("Politics"))
    summary = backups.backup(tmp_path / "backup")
    assert summary.vendor == "postgresql" and summary.database_bytes > 0

    config = connection.settings_dict
    scratch = f"masthead_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'CREATE DATABASE "{scratch}"')
    saved = config["NAME"]
    try:
        connection.close()
        config["NAME"] = scratch
        backups.restore(tmp_path / "backup")
        assert list(Story.objects.values_list("headline", flat=True)) == ["Talks resume in Vienna"]
        with pytest.raises(backups.BackupError, match="add --replace"):
            backups.restore(tmp_path / "backup")
    finally:
        connection.close()
        config["NAME"] = saved
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()


def test_a_backup_of_one_vendor_is_not_restored_into_another(backup_folder, tmp_path):
    folder = copy_of(backup_folder, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["database"]["vendor"] = "postgresql"
    (folder / "manifest.json").write_text(json.dumps(manifest))

    done = masthead(tmp_path / "target", "restore", str(folder))

    assert done.returncode != 0 and "this is a postgresql backup" in done.stderr
