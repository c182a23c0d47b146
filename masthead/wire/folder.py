"""Drop folders: agency files copied into a folder on the server, read once each.

A folder source names a folder under ``WIRE_DROP_ROOT`` (a relative name is
taken inside it; anything resolving outside it is refused, so a source can
never read or move the server's own files). Each poll reads the files that
are complete, oldest first: the format is sniffed from the first bytes
(``parsers.sniff``), the document parsed and stored (``ingest.store``), and
the file moved to ``processed/``, or to ``failed/`` beside a
``<name>.error.txt`` saying why. A file whose items could not all be stored
through a fault of ours stays where it is and is read again next time
(storing is idempotent).

Refused without being read: symbolic links (the link itself is moved to
``failed/``, its target untouched), files with other hard links (a link to a
file elsewhere), anything but regular files, and files larger than
``WIRE_MAX_BYTES``: the size is checked from the directory entry and again
on the open descriptor, before a byte is read. Skipped until complete: names
starting with a dot or ending in ``.tmp``/``.part``/``.partial``/
``.crdownload``/``.filepart`` (how copy tools write), and files changed in the
last ``WIRE_FOLDER_SETTLE_SECONDS``.

Moves are ``os.rename`` within the folder (atomic on one file system); a name
already taken in ``processed/`` or ``failed/`` gets a time prefix, never
overwriting anything. The standard library does all of it; no package adds
anything here.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from masthead.wire import ingest, parsers
from masthead.wire.items import ParseError
from masthead.wire.models import Source

PROCESSED, FAILED = "processed", "failed"
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".error.txt")
MAX_FILES_PER_POLL = 200


class FolderError(Exception):
    """The folder itself cannot be read: the poll fails with this reason."""


def drop_root() -> Path:
    return Path(settings.WIRE_DROP_ROOT).resolve()


def folder_of(source: Source) -> Path:
    """The source's folder, resolved, inside ``WIRE_DROP_ROOT``; FolderError otherwise."""
    if not source.folder.strip():
        raise FolderError("The source names no folder.")
    root = drop_root()
    folder = (root / source.folder.strip()).resolve()
    if folder != root and root not in folder.parents:
        raise FolderError(f"The folder {source.folder!r} is outside the drop root ({root}).")
    if not folder.is_dir():
        raise FolderError(f"The folder {folder} does not exist.")
    return folder


def _is_partial(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES)


def _unique(target_dir: Path, name: str) -> Path:
    target = target_dir / name
    if not target.exists() and not target.is_symlink():
        return target
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    for number in range(1, 1000):
        target = target_dir / f"{stamp}-{number}-{name}"
        if not target.exists() and not target.is_symlink():
            return target
    raise FolderError(f"No free name for {name} in {target_dir}.")


def _move(folder: Path, name: str, where: str, error: str = "") -> None:
    target_dir = folder / where
    target_dir.mkdir(exist_ok=True)
    target = _unique(target_dir, name)
    os.rename(folder / name, target)
    if error:
        note = target_dir / f".{target.name}.error.tmp"
        note.write_text(error + "\n", encoding="utf-8")
        os.rename(note, target_dir / f"{target.name}.error.txt")


class _Refused(Exception):
    """This file is not read: it goes to failed/ with the reason."""


def _checked(mode: int, links: int, size: int) -> None:
    if stat.S_ISLNK(mode):
        raise _Refused("symbolic links are not read")
    if not stat.S_ISREG(mode):
        raise _Refused("not a regular file")
    if links > 1:
        raise _Refused("the file has other hard links; copy it in instead")
    if size > settings.WIRE_MAX_BYTES:
        raise _Refused(
            f"the file is {size:,} bytes, more than the {settings.WIRE_MAX_BYTES:,} "
            "read from a drop folder (WIRE_MAX_MB)"
        )


def _read(path: Path) -> bytes:
    """The file's bytes, refusing links and oversize files on the open descriptor too."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        raise _Refused(f"cannot open: {error.strerror}") from error
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        _checked(info.st_mode, info.st_nlink, info.st_size)
        body = handle.read(settings.WIRE_MAX_BYTES + 1)
    if len(body) > settings.WIRE_MAX_BYTES:
        raise _Refused("the file grew past the size limit while being read")
    return body


def _ready_files(folder: Path) -> list[os.DirEntry]:
    settle = settings.WIRE_FOLDER_SETTLE_SECONDS
    now = time.time()
    ready = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _is_partial(entry.name) or entry.name in (PROCESSED, FAILED):
                continue
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISLNK(info.st_mode) and now - info.st_mtime < settle:
                continue  # still being written, perhaps
            ready.append((info.st_mtime, entry.name, entry))
    ready.sort(key=lambda row: (row[0], row[1]))
    return [entry for _, _, entry in ready[:MAX_FILES_PER_POLL]]


def _read_file(source: Source, folder: Path, entry: os.DirEntry) -> ingest.IngestReport:
    info = entry.stat(follow_symlinks=False)
    _checked(info.st_mode, info.st_nlink, info.st_size)
    body = _read(folder / entry.name)
    try:
        kind = parsers.sniff(body)
        parsed = parsers.parse(body, kind)
    except ParseError as error:
        raise _Refused(str(error)) from error
    return ingest.store(source, parsed)


def poll_folder(source: Source) -> ingest.IngestReport:
    """Read the folder's complete new files; what was stored, with each file's fate."""
    folder = folder_of(source)
    report = ingest.IngestReport()
    for entry in _ready_files(folder):
        name = entry.name
        try:
            stored = _read_file(source, folder, entry)
        except _Refused as refusal:
            report.refused.append(f"file {name}: {refusal} (moved to {FAILED}/)")
            _move_if_there(folder, name, FAILED, f"{name}: {refusal}")
            continue
        report.add(_prefixed(stored, name))
        if not stored.failed:
            _move_if_there(folder, name, PROCESSED)
    return report


def _move_if_there(folder: Path, name: str, where: str, error: str = "") -> None:
    # Moved away meanwhile (by an operator): nothing is left to move.
    with contextlib.suppress(FileNotFoundError):
        _move(folder, name, where, error)


def _prefixed(report: ingest.IngestReport, name: str) -> ingest.IngestReport:
    report.refused = [f"file {name}: {reason}" for reason in report.refused]
    report.failed = [f"file {name}: {reason}" for reason in report.failed]
    return report
