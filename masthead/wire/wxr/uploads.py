"""Files from a WordPress uploads folder, and nothing outside it (RELIABILITY.md C6).

An export names each attachment's file relative to ``wp-content/uploads``
(``_wp_attached_file``: ``2024/05/photo.jpg``), or only by its old URL. The
export is outside input: a name such as ``../../etc/passwd``, an absolute
path, or a symlink in the folder that points elsewhere must not make the
import read a file the operator did not hand over. Every name is checked as
a path first, then resolved with symlinks followed and required to stay
inside the folder, then opened and checked to be a regular file (a FIFO
would block, a device would never end) of at most ``MAX_IMAGE_BYTES``.
Nothing is ever fetched from the internet.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from django.conf import settings


class FileRefused(Exception):
    """The export names a file the import must not read; the message says why."""


class FileMissing(Exception):
    """The file is not in the uploads folder."""


def relative_name(attached_file: str, attachment_url: str) -> str:
    """The file's name inside the uploads folder, from the export (may be hostile)."""
    if attached_file:
        return attached_file
    path = unquote(urlsplit(attachment_url).path)
    marker = "/uploads/"
    if marker in path:
        return path.split(marker, 1)[1]
    return ""


def checked_path(root: Path, name: str) -> Path:
    """``name`` inside ``root`` (resolved), or ``FileRefused`` / ``FileMissing``."""
    if not name:
        raise FileRefused("the export names no file for it")
    if "\x00" in name or "\\" in name or len(name) > 1000:
        raise FileRefused(f"refused file name {name[:80]!r}")
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise FileRefused(f"{name[:200]!r} leaves the uploads folder")
    root = root.resolve()
    candidate = (root / pure).resolve()
    if not candidate.is_relative_to(root):
        raise FileRefused(f"{name[:200]!r} is a link to a file outside the uploads folder")
    if not candidate.exists():
        raise FileMissing(f"{name[:200]} is not in the uploads folder")
    return candidate


def open_upload(path: Path) -> BinaryIO:
    """Open a checked path for reading: a regular file within the image size limit."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise FileRefused(f"{path.name} cannot be read ({error.strerror})") from None
    info = os.fstat(descriptor)  # of what was opened, not of what the name says now
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise FileRefused(f"{path.name} is not a regular file")
    if info.st_size > settings.MAX_IMAGE_BYTES:
        os.close(descriptor)
        limit = settings.MAX_IMAGE_BYTES // (1024 * 1024)
        raise FileRefused(f"{path.name} is larger than {limit} MB")
    return os.fdopen(descriptor, "rb")
