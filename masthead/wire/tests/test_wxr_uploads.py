"""wxr/uploads.py: only regular files inside the uploads folder are read (RELIABILITY.md C6)."""

from __future__ import annotations

import os

import pytest

from masthead.wire.wxr.uploads import (
    FileMissing,
    FileRefused,
    checked_path,
    open_upload,
    relative_name,
)


@pytest.fixture
def folder(tmp_path):
    uploads = tmp_path / "uploads"
    (uploads / "2024" / "05").mkdir(parents=True)
    (uploads / "2024" / "05" / "photo.jpg").write_bytes(b"jpeg")
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    return uploads


def test_a_file_inside_the_folder_is_found(folder):
    path = checked_path(folder, "2024/05/photo.jpg")
    with open_upload(path) as handle:
        assert handle.read() == b"jpeg"


@pytest.mark.parametrize(
    "name",
    [
        "../secret.txt",
        "2024/../../secret.txt",
        "/etc/passwd",
        "2024/05/../../../secret.txt",
        "..",
        "2024\\..\\..\\secret.txt",
        "2024/05/photo.jpg\x00.png",
        "",
        "x" * 2000,
    ],
)
def test_names_that_leave_the_folder_are_refused_before_any_file_is_touched(folder, name):
    with pytest.raises(FileRefused):
        checked_path(folder, name)


def test_a_link_to_a_file_outside_the_folder_is_refused(folder, tmp_path):
    (folder / "2024" / "05" / "link.jpg").symlink_to(tmp_path / "secret.txt")
    (folder / "escape").symlink_to(tmp_path)
    for name in ("2024/05/link.jpg", "escape/secret.txt"):
        with pytest.raises(FileRefused, match="outside the uploads folder"):
            checked_path(folder, name)


def test_a_link_inside_the_folder_is_followed(folder):
    (folder / "latest.jpg").symlink_to(folder / "2024" / "05" / "photo.jpg")
    assert checked_path(folder, "latest.jpg") == (folder / "2024/05/photo.jpg").resolve()


def test_a_missing_file_is_reported_as_missing(folder):
    with pytest.raises(FileMissing, match="not in the uploads folder"):
        checked_path(folder, "2024/05/gone.jpg")


def test_a_fifo_or_a_folder_is_not_read(folder):
    fifo = folder / "2024" / "05" / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused, match="not a regular file"):
        open_upload(checked_path(folder, "2024/05/pipe.jpg"))  # and it does not block
    with pytest.raises(FileRefused, match="not a regular file"):
        open_upload(checked_path(folder, "2024"))


def test_a_file_over_the_image_size_limit_is_refused_unread(folder, settings):
    settings.MAX_IMAGE_BYTES = 1024 * 1024
    big = folder / "big.jpg"
    with big.open("wb") as handle:
        handle.truncate(settings.MAX_IMAGE_BYTES + 1)
    with pytest.raises(FileRefused, match="larger than 1 MB"):
        open_upload(checked_path(folder, "big.jpg"))


def test_the_name_comes_from_the_attached_file_or_else_the_old_url():
    assert relative_name("2024/05/a.jpg", "https://x.example/other.jpg") == "2024/05/a.jpg"
    assert (
        relative_name("", "https://x.example/wp-content/uploads/2024/05/%D8%B3.jpg")
        == "2024/05/س.jpg"
    )
    assert relative_name("", "https://x.example/images/a.jpg") == ""
