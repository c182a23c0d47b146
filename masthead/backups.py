"""`masthead backup DIR` and `masthead restore DIR`: the database and the media, checked.

A backup is a folder:

- ``database.sqlite3`` — SQLite's **online backup API** (``sqlite3.Connection.backup``):
  a consistent copy of a live database, whatever the server writes meanwhile
  (a plain file copy of a WAL database can be torn); or ``database.pgdump`` —
  ``pg_dump --format=custom`` of PostgreSQL, one consistent snapshot;
- ``media/`` — every file under ``MEDIA_ROOT``, copied after the database
  snapshot, so every file a backed-up row names is there (a file uploaded
  meanwhile may be there too, unnamed: harmless);
- ``secret_key`` — the data folder's ``SECRET_KEY`` (when it is not set in the
  environment), so sessions and signed links survive a restore on a new machine;
- ``manifest.json`` — each file's size and SHA-256, the database vendor, the
  last migration of each app and when it was made.

The folder (readable by its owner only: it holds password hashes, tokens and
the key) is written as ``DIR.partial`` and renamed when complete: a backup
that stopped half way is never taken for one.

``restore`` checks every checksum **before** changing anything; a backup with
one changed byte, a missing file or another database vendor is refused with
what is wrong, and nothing is touched. It then replaces the database (SQLite
through the backup API into the live file; PostgreSQL with ``pg_restore
--clean --if-exists --single-transaction``) and copies the media back,
checking each file after the copy. A database that already holds a newsroom
is replaced only when asked (``--replace``). Media stored in S3-compatible
storage (``MEDIA_STORAGE=s3``, docs/media-storage.md) is the bucket's to back up (versioning,
replication); the manifest says so and only the database is copied.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

FORMAT = 1
MANIFEST = "manifest.json"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, as settings.load_secret_key has it
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What is wrong, in a sentence for the operator; nothing was changed."""


@dataclass
class Summary:
    folder: Path
    vendor: str
    database_bytes: int
    media_files: int
    media_bytes: int


def _digest(path: Path) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    return size, hasher.hexdigest()


def _database():
    connection = connections[DEFAULT_DB_ALIAS]
    return connection, connection.settings_dict


def _pg_environment(config: dict) -> dict:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if config.get(key):
            env[name] = str(config[key])
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return env


def _run(argv: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{argv[0]} is not installed; {what} needs PostgreSQL's client tools"
        ) from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else f'exit {done.returncode}'}")


def _media_is_local() -> bool:
    return settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        latest[app] = name
    return latest


def backup(target: Path) -> Summary:
    """Write a backup of the database and the media to the new folder ``target``."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not empty: choose a new folder")
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    connection, config = _database()
    vendor = connection.vendor
    if vendor == "sqlite":
        database = partial / "database.sqlite3"
        source = sqlite3.connect(str(config["NAME"]))
        copy = sqlite3.connect(str(database))
        try:
            source.backup(copy)  # page by page, consistent however the server writes
        finally:
            copy.close()
            source.close()
    elif vendor == "postgresql":
        database = partial / "database.pgdump"
        argv = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
        _run([*argv, f"--file={database}", str(config["NAME"])], _pg_environment(config), "pg_dump")
    else:
        raise BackupError(f"backing up a {vendor} database is not supported")
    size, digest = _digest(database)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "file": database.name, "bytes": size, "sha256": digest},
        "migrations": _migrations(),
        "media": {"stored": "local" if _media_is_local() else "s3", "files": []},
    }
    media_bytes = 0
    if _media_is_local():
        root = Path(settings.MEDIA_ROOT)
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if not path.is_file() or path.is_symlink():
                continue
            relative = path.relative_to(root).as_posix()
            copied = partial / "media" / relative
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copied)
            file_size, file_digest = _digest(copied)
            manifest["media"]["files"].append(
                {"path": relative, "bytes": file_size, "sha256": file_digest}
            )
            media_bytes += file_size
    key_file = Path(settings.DATA_DIR) / SECRET_KEY_FILE
    if key_file.is_file():
        # Sessions, signed cursors and readers' report hashes use it: a restore keeps them.
        shutil.copy2(key_file, partial / SECRET_KEY_FILE)
        os.chmod(partial / SECRET_KEY_FILE, 0o600)
        key_size, key_digest = _digest(partial / SECRET_KEY_FILE)
        manifest["secret_key"] = {"bytes": key_size, "sha256": key_digest}
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    os.chmod(partial, 0o700)  # password hashes, tokens and the key: the operator's alone
    if target.exists():
        target.rmdir()
    partial.rename(target)
    return Summary(target, vendor, size, len(manifest["media"]["files"]), media_bytes)


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a Masthead backup: it has no {MANIFEST}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup this version of Masthead can read")
    return manifest


def _inside(folder: Path, relative: str) -> Path:
    """``folder/relative``, refused if ``relative`` climbs out (a forged manifest)."""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or relative.startswith("/"):
        raise BackupError(f"the manifest names a file outside the backup: {relative!r}")
    return path


def verify(folder: Path) -> dict:
    """The manifest, once every file it names is there with its size and checksum."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    try:
        database = manifest["database"]
        entries = [(database["file"], database["bytes"], database["sha256"])]
        entries += [
            (f"media/{item['path']}", item["bytes"], item["sha256"])
            for item in manifest["media"]["files"]
        ]
        if "secret_key" in manifest:
            key = manifest["secret_key"]
            entries.append((SECRET_KEY_FILE, key["bytes"], key["sha256"]))
    except (KeyError, TypeError):
        raise BackupError("the manifest lacks the files' names, sizes or checksums") from None
    wrong = []
    for relative, size, digest in entries:
        path = _inside(folder, str(relative))
        if not path.is_file():
            wrong.append(f"{relative} is missing")
        elif _digest(path) != (size, digest):
            wrong.append(f"{relative} does not match its checksum")
    if wrong:
        more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
        raise BackupError("the backup is damaged: " + "; ".join(wrong[:3]) + more)
    return manifest


def _holds_a_newsroom() -> bool:
    connection, _ = _database()
    tables = connection.introspection.table_names()
    if "stories_story" not in tables:
        return False
    from django.contrib.auth import get_user_model

    from masthead.newsroom.models import Author, Desk
    from masthead.stories.models import Story, Tag

    # Anything an outlet made: a freshly migrated database holds none of these.
    made = (Story, Tag, Desk, Author, get_user_model())
    return any(model.objects.exists() for model in made)


def restore(folder: Path, replace: bool = False) -> Summary:
    """Put the backup in ``folder`` in place of the database and the media."""
    folder = Path(folder)
    manifest = verify(folder)
    connection, config = _database()
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"this is a {vendor} backup and the database is {connection.vendor}: "
            "restore it into the kind of database it came from"
        )
    if not replace and _holds_a_newsroom():
        raise BackupError(
            "the database already holds a newsroom (stories, tags, desks, authors or "
            "accounts); add --replace to overwrite it with the backup"
        )
    database = _inside(folder, manifest["database"]["file"])
    connection.close()
    if vendor == "sqlite":
        source = sqlite3.connect(str(database))
        live = sqlite3.connect(str(config["NAME"]), timeout=30)
        try:
            source.backup(live)
        finally:
            live.close()
            source.close()
    else:
        argv = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        argv += ["--single-transaction", f"--dbname={config['NAME']}", str(database)]
        _run(argv, _pg_environment(config), "pg_restore")
    files = manifest["media"]["files"]
    media_bytes = 0
    if files and not _media_is_local():
        raise BackupError("the backup holds media files and MEDIA_STORAGE is s3: copy them by hand")
    root = Path(settings.MEDIA_ROOT)
    for item in files:
        source_file = _inside(folder, f"media/{item['path']}")
        destination = _inside(root, item["path"])
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_file, destination)
        if _digest(destination) != (item["bytes"], item["sha256"]):
            raise BackupError(f"copying {item['path']} into {root} changed it: check the disk")
        media_bytes += item["bytes"]
    if "secret_key" in manifest and not os.environ.get("SECRET_KEY", "").strip():
        # The data folder's key, as the backed-up server had it (settings.load_secret_key).
        key_file = Path(settings.DATA_DIR) / SECRET_KEY_FILE
        shutil.copy2(folder / SECRET_KEY_FILE, key_file)
        os.chmod(key_file, 0o600)
    return Summary(folder, vendor, manifest["database"]["bytes"], len(files), media_bytes)
