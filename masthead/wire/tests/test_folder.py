"""Drop folders: complete files read once, moved; links, oversize and partial files refused."""

from __future__ import annotations

import os
import time
import tracemalloc
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.wire import folder, tasks
from masthead.wire.models import Source, WireItem
from masthead.wire.tests.pipeline_support import make_source, ninjs

pytestmark = pytest.mark.django_db


@pytest.fixture
def drop(settings, tmp_path):
    settings.WIRE_DROP_ROOT = tmp_path / "drop"
    settings.WIRE_FOLDER_SETTLE_SECONDS = 5
    path = settings.WIRE_DROP_ROOT / "agency"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def source(drop):
    return make_source(kind=Source.Kind.FOLDER, folder="agency")


def put(path, body: bytes, age: float = 60):
    path.write_bytes(body)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_complete_files_are_read_oldest_first_and_moved_to_processed(drop, source):
    put(drop / "b.json", ninjs({"uri": "urn:b"}), age=30)
    put(drop / "a.json", ninjs({"uri": "urn:a"}), age=90)

    report = folder.poll_folder(source)

    assert report.created == ["urn:a", "urn:b"]
    assert sorted(os.listdir(drop / "processed")) == ["a.json", "b.json"]
    assert sorted(os.listdir(drop)) == ["processed"]
    assert folder.poll_folder(source).created == []  # read once


def test_the_format_is_sniffed(drop, source):
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><guid>rss-1</guid><title>From RSS</title>
    <description>Words enough here.</description></item>
    </channel></rss>"""
    put(drop / "feed.xml", rss)
    put(drop / "item.ninjs", ninjs({"uri": "urn:n"}))
    folder.poll_folder(source)
    assert sorted(WireItem.objects.values_list("provider_id", flat=True)) == ["rss-1", "urn:n"]


def test_a_refused_file_goes_to_failed_with_the_reason_and_others_go_on(drop, source):
    put(drop / "broken.json", b'[{"uri": "urn:x", ')
    put(drop / "evil.xml", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>')
    put(drop / "good.json", ninjs({"uri": "urn:good"}))

    report = folder.poll_folder(source)

    assert report.created == ["urn:good"]
    assert sorted(os.listdir(drop / "failed")) == [
        "broken.json",
        "broken.json.error.txt",
        "evil.xml",
        "evil.xml.error.txt",
    ]
    reason = (drop / "failed" / "evil.xml.error.txt").read_text()
    assert "not allowed" in reason.lower()
    assert len(report.refused) == 2 and all("failed/" in line for line in report.refused)


def test_a_2_gb_file_is_refused_without_being_read(drop, source):
    huge = drop / "huge.xml"
    with open(huge, "wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: no disk used
    old = time.time() - 60
    os.utime(huge, (old, old))

    tracemalloc.start()
    started = time.monotonic()
    report = folder.poll_folder(source)
    took = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert took < 2 and peak < 5 * 1024 * 1024
    assert "2,147,483,648 bytes" in report.refused[0]
    assert (drop / "failed" / "huge.xml").stat().st_size == 2 * 1024**3
    assert "more than" in (drop / "failed" / "huge.xml.error.txt").read_text()


def test_symbolic_links_are_refused_and_their_targets_untouched(drop, source, tmp_path):
    secret = put(tmp_path / "outside.json", ninjs({"uri": "urn:outside"}))
    (drop / "link.json").symlink_to(secret)

    report = folder.poll_folder(source)

    assert not WireItem.objects.exists()
    assert "symbolic links" in report.refused[0]
    assert (drop / "failed" / "link.json").is_symlink()
    assert secret.exists() and secret.read_bytes() == ninjs({"uri": "urn:outside"})


def test_hard_links_to_files_elsewhere_are_refused(drop, source, tmp_path):
    elsewhere = put(tmp_path / "elsewhere.json", ninjs({"uri": "urn:elsewhere"}))
    os.link(elsewhere, drop / "hard.json")
    report = folder.poll_folder(source)
    assert not WireItem.objects.exists()
    assert "hard links" in report.refused[0]


def test_files_being_written_are_left_until_complete(drop, source):
    put(drop / "coming.json.tmp", ninjs({"uri": "urn:tmp"}))
    put(drop / ".rsync-partial.json", ninjs({"uri": "urn:dot"}))
    put(drop / "fresh.json", ninjs({"uri": "urn:fresh"}), age=0)

    assert folder.poll_folder(source).created == []
    assert sorted(os.listdir(drop)) == [".rsync-partial.json", "coming.json.tmp", "fresh.json"]

    os.rename(drop / "coming.json.tmp", drop / "coming.json")
    put(drop / "coming.json", (drop / "coming.json").read_bytes())
    assert folder.poll_folder(source).created == ["urn:tmp"]


def test_a_name_taken_in_processed_is_never_overwritten(drop, source):
    put(drop / "same.json", ninjs({"uri": "urn:1"}))
    folder.poll_folder(source)
    put(drop / "same.json", ninjs({"uri": "urn:2"}))
    folder.poll_folder(source)
    names = os.listdir(drop / "processed")
    assert len(names) == 2 and "same.json" in names


@pytest.mark.parametrize("name", ["../outside", "/etc", "agency/../../.."])
def test_a_folder_outside_the_drop_root_is_refused(drop, name, tmp_path):
    (tmp_path / "outside").mkdir(exist_ok=True)
    source = make_source(kind=Source.Kind.FOLDER, folder=name)
    with pytest.raises(folder.FolderError, match="outside the drop root"):
        folder.poll_folder(source)


def test_a_folder_that_is_a_link_out_of_the_root_is_refused(drop, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (drop.parent / "sneaky").symlink_to(tmp_path / "elsewhere")
    source = make_source(kind=Source.Kind.FOLDER, folder="sneaky")
    with pytest.raises(folder.FolderError, match="outside the drop root"):
        folder.poll_folder(source)


def test_the_scheduler_polls_folders_and_records_a_missing_one(
    settings, drop, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    past = timezone.now() - timedelta(seconds=1)
    good = make_source(kind=Source.Kind.FOLDER, folder="agency", next_poll_at=past)
    gone = make_source(kind=Source.Kind.FOLDER, folder="nowhere", next_poll_at=past)
    put(drop / "a.json", ninjs({"uri": "urn:a"}))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_due_sources() == 2

    good.refresh_from_db()
    gone.refresh_from_db()
    assert (good.items_received, good.failures, good.last_error) == (1, 0, "")
    assert gone.failures == 1 and "does not exist" in gone.last_error
