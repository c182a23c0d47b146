"""Polling on schedule: claims and leases, health, backoff, and workers racing or dying."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from masthead.wire import tasks
from masthead.wire.models import Source, WireItem, WireItemVersion
from masthead.wire.tests.pipeline_support import JSON, FeedServer, make_source, ninjs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wire_settings(settings):
    settings.WIRE_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def due_source(server: FeedServer, **fields) -> Source:
    fields.setdefault("next_poll_at", timezone.now() - timedelta(seconds=1))
    return make_source(kind=Source.Kind.NINJS, url=server.url, interval_seconds=300, **fields)


def run_scheduler(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.schedule_due_sources()


TWO_ITEMS = ninjs({"uri": "urn:1"}, {"uri": "urn:2"})


def test_a_due_source_is_polled_stored_and_rescheduled(django_capture_on_commit_callbacks):
    with FeedServer((200, {**JSON, "ETag": '"v1"'}, TWO_ITEMS)) as server:
        source = due_source(server)
        assert run_scheduler(django_capture_on_commit_callbacks) == 1
        assert server.hits == 1

    source.refresh_from_db()
    assert sorted(WireItem.objects.values_list("provider_id", flat=True)) == ["urn:1", "urn:2"]
    assert (source.items_received, source.failures, source.etag) == (2, 0, '"v1"')
    assert (source.lease_token, source.lease_until) == ("", None)
    assert source.last_success_at == source.last_polled_at
    expected = source.last_polled_at + timedelta(seconds=300)
    assert source.next_poll_at == expected


def test_only_due_unpaused_unleased_pulled_sources_are_claimed(django_capture_on_commit_callbacks):
    with FeedServer((200, JSON, TWO_ITEMS)) as server:
        later = timezone.now() + timedelta(minutes=5)
        due_source(server, next_poll_at=later)
        due_source(server, paused=True)
        due_source(server, lease_token="x", lease_until=later)
        make_source(kind=Source.Kind.PUSH, next_poll_at=timezone.now() - timedelta(hours=1))
        assert run_scheduler(django_capture_on_commit_callbacks) == 0
        assert server.hits == 0


def test_the_next_poll_is_conditional_and_a_304_stores_nothing(
    django_capture_on_commit_callbacks,
):
    with FeedServer((200, {**JSON, "ETag": '"v1"'}, TWO_ITEMS)) as server:
        source = due_source(server)
        run_scheduler(django_capture_on_commit_callbacks)
        tasks.poll_now(source)
        run_scheduler(django_capture_on_commit_callbacks)
        assert (server.hits, server.conditional_hits) == (2, 1)
    assert WireItemVersion.objects.count() == 2
    source.refresh_from_db()
    assert source.failures == 0 and source.last_error == ""


def test_a_server_error_is_recorded_readably_and_backed_off(django_capture_on_commit_callbacks):
    with FeedServer((500, JSON, b"oops")) as server:
        source = due_source(server)
        run_scheduler(django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert "500" in source.last_error
    assert (source.failures, source.last_success_at) == (1, None)
    assert source.next_poll_at >= source.last_error_at + timedelta(seconds=300)
    assert source.lease_token == ""
    assert not WireItem.objects.exists()


def test_retry_after_is_honoured(django_capture_on_commit_callbacks):
    with FeedServer((503, {**JSON, "Retry-After": "7200"}, b"busy")) as server:
        source = due_source(server)
        run_scheduler(django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert source.next_poll_at >= source.last_error_at + timedelta(seconds=7200)


def test_a_document_refused_whole_stores_nothing_and_says_why(
    django_capture_on_commit_callbacks,
):
    with FeedServer(
        (200, {**JSON, "ETag": '"bad"'}, b'[{"uri": "urn:1", "headline": "x"')
    ) as server:
        source = due_source(server)
        run_scheduler(django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert source.last_error and source.failures == 1
    assert source.etag == ""  # the next poll fetches it whole again
    assert not WireItem.objects.exists()


def test_refused_items_are_shown_in_the_health_of_a_successful_poll(
    django_capture_on_commit_callbacks,
):
    document = ninjs({"uri": "urn:1"}, {"uri": "urn:2", "headline": "", "body_html": ""})
    with FeedServer((200, JSON, document)) as server:
        source = due_source(server)
        run_scheduler(django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert source.failures == 0 and source.last_success_at is not None
    assert "refused" in source.last_error


def test_a_task_whose_lease_was_taken_over_does_not_poll(django_capture_on_commit_callbacks):
    with FeedServer((200, JSON, TWO_ITEMS)) as server:
        source = due_source(server)
        with django_capture_on_commit_callbacks(execute=False):
            tasks.schedule_due_sources()
        Source.objects.filter(pk=source.pk).update(lease_token="someone-else")
        assert "not polled" in tasks.poll_source.call(source.pk, "the-old-token")
        assert server.hits == 0


def test_a_source_paused_after_it_was_claimed_is_not_polled(django_capture_on_commit_callbacks):
    with FeedServer((200, JSON, TWO_ITEMS)) as server:
        source = due_source(server)
        with django_capture_on_commit_callbacks(execute=False):
            tasks.schedule_due_sources()
        token = Source.objects.get(pk=source.pk).lease_token
        Source.objects.filter(pk=source.pk).update(paused=True)
        assert "paused" in tasks.poll_source.call(source.pk, token)
        assert server.hits == 0
    assert Source.objects.get(pk=source.pk).lease_token == ""


def test_poll_now_makes_the_source_due():
    source = make_source(next_poll_at=timezone.now() + timedelta(hours=1))
    tasks.poll_now(source)
    source.refresh_from_db()
    assert source.next_poll_at <= timezone.now()


class WorkerKilled(BaseException):
    """What a SIGKILL is to the code it interrupts: nothing after it runs."""


def test_a_worker_killed_mid_poll_leaves_whole_items_and_the_next_finishes(
    settings, django_capture_on_commit_callbacks
):
    document = ninjs(*({"uri": f"urn:{n}"} for n in range(4)))
    with FeedServer((200, JSON, document)) as server:
        source = due_source(server)
        with django_capture_on_commit_callbacks(execute=False):
            assert tasks.schedule_due_sources() == 1
        token = Source.objects.get(pk=source.pk).lease_token
        stored = []

        def die_on_third():
            stored.append(1)
            if len(stored) == 3:
                raise WorkerKilled

        settings.FAILPOINTS = {"wire.store.item": die_on_third}
        with pytest.raises(WorkerKilled):
            tasks.poll_source.call(source.pk, token)
        settings.FAILPOINTS = {}

        assert WireItem.objects.count() == WireItemVersion.objects.count() == 2
        # Nobody may claim it while the lease lasts; once it has run out, the next does.
        assert tasks.schedule_due_sources() == 0
        later = timezone.now() + timedelta(seconds=settings.WIRE_LEASE_SECONDS + 1)
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.schedule_due_sources(now=later) == 1

    assert WireItem.objects.count() == WireItemVersion.objects.count() == 4
    assert Source.objects.get(pk=source.pk).items_received == 4


@pytest.mark.postgres(
    reason="threads share SQLite's in-memory test database, which locks tables between "
    "connections instead of waiting; workers as processes run on both below"
)
@pytest.mark.django_db(transaction=True)
def test_two_worker_threads_on_one_due_source_poll_it_once():
    """Each worker runs the scheduler at the same moment, as `masthead worker` does."""
    with FeedServer((200, JSON, TWO_ITEMS), delay=0.3) as server:
        source = due_source(server)
        start = threading.Barrier(2)
        claims, errors = [], []

        def worker():
            try:
                start.wait(timeout=10)
                for _ in range(3):
                    claims.append(tasks.schedule_due_sources())
            except Exception as error:  # the test reports it
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert server.hits == 1
        assert sum(claims) == 1
    assert WireItem.objects.count() == 2
    source.refresh_from_db()
    assert source.lease_token == "" and source.failures == 0


# Workers as processes on an SQLite file in WAL mode, as `masthead worker` runs them.

WORKER = """
import json, os, signal, sys, time
import django
django.setup()
from django.conf import settings
from django.test import override_settings
# Polls run in this process as soon as they are claimed (the worker's loop is
# not under test here); override_settings also resets the loaded task backend.
immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
override_settings(TASKS=immediate).enable()
if os.environ.get("DIE_ON_ITEM"):
    calls = []
    def die():
        calls.append(1)
        if len(calls) == int(os.environ["DIE_ON_ITEM"]):
            os.kill(os.getpid(), signal.SIGKILL)
    settings.FAILPOINTS = {"wire.store.item": die}
from masthead.wire import tasks
folder, me, others = sys.argv[1], sys.argv[2], sys.argv[3:]
open(os.path.join(folder, "ready-" + me), "w").close()
deadline = time.time() + 30
while not all(os.path.exists(os.path.join(folder, "ready-" + o)) for o in others):
    if time.time() > deadline:
        sys.exit("the other worker never started")
    time.sleep(0.005)
print(json.dumps([tasks.schedule_due_sources() for _ in range(3)]))
"""


class WorkerDatabase:
    """The test database as worker processes open it.

    SQLite: the in-memory test database copied to a file (WAL, as deployed);
    PostgreSQL: the test database itself (a transactional test commits).
    """

    def __init__(self, tmp_path):
        self.data = tmp_path / "data"
        self.data.mkdir()
        self.env = {"MASTHEAD_DATA_DIR": str(self.data)}
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(self.data / "masthead.sqlite3")])
        else:
            import os
            from urllib.parse import urlsplit, urlunsplit

            url = urlsplit(os.environ["DATABASE_URL"])
            name = connection.settings_dict["NAME"]
            self.env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{name}"))

    def rows(self, sql):
        if connection.vendor == "sqlite":
            import sqlite3

            with sqlite3.connect(self.data / "masthead.sqlite3") as database:
                return database.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]


def start_worker(database, folder, me, others, **env):
    import os
    import subprocess
    import sys

    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")},
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
        "WIRE_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
        **database.env,
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(folder), me, *others],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_on_one_due_source_poll_it_once(tmp_path):
    with FeedServer((200, JSON, TWO_ITEMS), delay=0.3) as server:
        due_source(server)
        database = WorkerDatabase(tmp_path)
        workers = [
            start_worker(database, tmp_path, "a", ["b"]),
            start_worker(database, tmp_path, "b", ["a"]),
        ]
        outputs = [worker.communicate(timeout=120) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs
        assert server.hits == 1, outputs
    claims = [sum(json.loads(out)) for out, _ in outputs]
    assert sorted(claims) == [0, 1]
    assert database.rows("SELECT count(*) FROM wire_wireitem") == [(2,)]


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_poll_leaves_no_half_item(tmp_path):
    import signal

    document = ninjs(*({"uri": f"urn:{n}"} for n in range(4)))
    with FeedServer((200, JSON, document)) as server:
        due_source(server)
        database = WorkerDatabase(tmp_path)
        lease = {"WIRE_LEASE_SECONDS": "2"}
        killed = start_worker(database, tmp_path, "a", [], DIE_ON_ITEM="3", **lease)
        killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL
        assert database.rows("SELECT count(*) FROM wire_wireitem") == [(2,)]
        assert database.rows("SELECT count(*) FROM wire_wireitemversion") == [(2,)]
        assert database.rows("SELECT count(*) FROM wire_source WHERE lease_token != ''") == [(1,)]

        import time

        time.sleep(2.5)  # the dead worker's lease runs out
        survivor = start_worker(database, tmp_path, "b", [], **lease)
        out, err = survivor.communicate(timeout=120)
        assert survivor.returncode == 0, err
        assert sum(json.loads(out)) == 1
        assert server.hits == 2
    assert database.rows("SELECT count(*) FROM wire_wireitem") == [(4,)]
    assert database.rows("SELECT count(*) FROM wire_wireitemversion") == [(4,)]
    assert database.rows("SELECT items_received, lease_token FROM wire_source") == [(4, "")]
    if connection.vendor == "sqlite":
        assert database.rows("PRAGMA integrity_check") == [("ok",)]


HOSTILE_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile</title><link>https://wire.example/</link>
<item><guid>h-1</guid>
<title>&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt; claim</title>
<link>javascript:alert(document.cookie)</link>
<description>&lt;p onclick="x()"&gt;Text
&lt;a href="javascript:alert(1)"&gt;here&lt;/a&gt;&lt;/p&gt;</description>
<pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate></item>
<item><guid>h-1</guid><title>The same id again</title>
<description>Another text.</description></item>
<item><title>No id, no link</title></item>
<item><guid>h-future</guid><title>From the future</title><description>Dated far ahead.</description>
<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_hostile_items_in_a_polled_feed_are_stored_clean_or_refused_with_reasons(
    django_capture_on_commit_callbacks,
):
    rss = {"Content-Type": "application/rss+xml"}
    with FeedServer((200, rss, HOSTILE_RSS)) as server:
        source = due_source(server)
        Source.objects.filter(pk=source.pk).update(kind=Source.Kind.RSS)
        run_scheduler(django_capture_on_commit_callbacks)

    items = {item.provider_id: item for item in WireItem.objects.all()}
    hostile = items["h-1"]
    assert "<" not in hostile.headline and "alert" not in hostile.headline
    assert "Bold" in hostile.headline
    assert hostile.url == "" and "javascript" not in hostile.body and "onclick" not in hostile.body
    future = items["h-future"]
    assert future.version_created is None and future.problems
    source.refresh_from_db()
    assert source.failures == 0 and "refused" in source.last_error


def test_a_poll_whose_items_failed_keeps_no_etag_and_counts_as_failed(
    settings, django_capture_on_commit_callbacks
):
    def fail():
        raise RuntimeError("database hiccup")

    with FeedServer((200, {**JSON, "ETag": '"v1"'}, TWO_ITEMS)) as server:
        source = due_source(server)
        settings.FAILPOINTS = {"wire.store.item": fail}
        run_scheduler(django_capture_on_commit_callbacks)
        settings.FAILPOINTS = {}
        source.refresh_from_db()
        assert source.etag == "" and source.failures == 1
        assert "could not be stored" in source.last_error
        tasks.poll_now(source)
        run_scheduler(django_capture_on_commit_callbacks)
        assert server.conditional_hits == 0  # fetched whole again, not "304 Not Modified"
    assert WireItem.objects.count() == 2
