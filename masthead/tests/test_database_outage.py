"""With the database read-only or refusing connections, nothing answers 500 and nothing is lost.

Cached public pages keep answering 200; every other request answers 503
with ``Retry-After`` (a page, JSON for the editor's autosave, problem details
in the API), and a refused write leaves no row behind. The database is made
to fail for real: read-only (SQLite ``PRAGMA query_only``, PostgreSQL a
read-only session, which refuses writes as a hot standby does), refusing
connections (the connection pointed at a loopback port nobody listens on)
and hung (a loopback listener that never answers). Each test runs without
the usual test transaction, so every request sees the database as a server
would.
"""

from __future__ import annotations

import random
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection
from django.test import Client

from masthead.api.services import issue_token
from masthead.backoffice.tests.editor_posts import form_data
from masthead.database_outage import is_database_outage
from masthead.factories import make_desk, make_staff, make_story
from masthead.newsroom.models import StaffRole
from masthead.postgresql.base import answer_deadlines_on
from masthead.site.page_cache import PageCache
from masthead.site.tests.test_page_cache import call
from masthead.stories import services
from masthead.stories.models import Revision, Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db(transaction=True)

PROBLEM = "application/problem+json; charset=utf-8"
NOT_SAVED = "was not saved"


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture
def newsroom():
    desk = make_desk("Politics")
    writer = make_staff(StaffRole.Role.WRITER, desk, username="writer")
    draft = services.create_story(writer, Content(headline="Talks resume", desk=desk))
    make_story("Parliament votes on the budget", desk=desk)
    return {"desk": desk, "writer": writer, "draft": draft}


@pytest.fixture
def client() -> Client:
    # A server never re-raises; the test client would, hiding a 500 behind an exception.
    return Client(raise_request_exception=False)


@pytest.fixture
def writer_client(client, newsroom) -> Client:
    client.force_login(newsroom["writer"])
    return client


@contextmanager
def read_only_database() -> Iterator[None]:
    """Every write refused from here on, reads still answered."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = OFF")
            else:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")


@contextmanager
def database_at(port: int) -> Iterator[None]:
    """The default connection pointed at ``port`` on loopback (PostgreSQL only)."""
    connection.close()
    settings = connection.settings_dict
    saved = settings["HOST"], settings["PORT"]
    settings["HOST"], settings["PORT"] = "127.0.0.1", str(port)
    try:
        yield
    finally:
        connection.close()
        settings["HOST"], settings["PORT"] = saved


@contextmanager
def refusing_database() -> Iterator[None]:
    """Connections refused: a port that is bound but never listened on."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        with database_at(closed.getsockname()[1]):
            yield


@contextmanager
def hung_database() -> Iterator[None]:
    """Connections accepted by the kernel and never answered."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        with database_at(silent.getsockname()[1]):
            yield


def assert_unavailable(response, content_type: str) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == content_type
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


# Read-only (both backends) ----------------------------------------------------------


def test_the_editor_save_says_the_text_was_not_saved(writer_client, newsroom):
    draft = newsroom["draft"]
    revisions = Revision.objects.count()

    with read_only_database():
        response = writer_client.post(
            f"/desk/stories/{draft.pk}/", form_data(draft, headline="Talks resume in Vienna")
        )

    assert_unavailable(response, "text/html; charset=utf-8")
    page = response.content.decode()
    assert NOT_SAVED in page
    assert "kept in this browser" in page
    assert Revision.objects.count() == revisions
    assert Story.objects.get(pk=draft.pk).headline == "Talks resume"


def test_autosave_answers_json_that_says_the_text_was_not_saved(writer_client, newsroom):
    draft = newsroom["draft"]

    with read_only_database():
        response = writer_client.post(
            f"/desk/stories/{draft.pk}/autosave/",
            form_data(draft, headline="Talks resume in Vienna"),
            headers={"X-Requested-With": "fetch"},
        )

    assert_unavailable(response, "application/json")
    answer = response.json()
    assert answer["status"] == "unavailable"
    assert NOT_SAVED in answer["message"]
    assert Story.objects.get(pk=draft.pk).headline == "Talks resume"


def test_a_staff_api_write_answers_503_problem_details(client, newsroom):
    token = issue_token(newsroom["writer"], "tests").raw

    with read_only_database():
        response = client.post(
            "/api/desk/stories",
            {"headline": "Budget passes", "desk": "politics"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert_unavailable(response, PROBLEM)
    problem = response.json()
    assert problem["status"] == 503
    assert problem["type"] == "/api/problems/unavailable"
    assert not Story.objects.filter(headline="Budget passes").exists()


def test_public_pages_still_render_from_a_read_only_database(client, newsroom):
    with read_only_database():
        response = client.get("/politics/")

    assert response.status_code == 200
    assert "Parliament votes on the budget" in response.content.decode()


# Refusing connections and hung (PostgreSQL) ---------------------------------------------

# SQLite is a file, not a server: it cannot refuse a connection or hang on one.
SERVER_OUTAGE = "a database server that refuses or hangs; SQLite has no server"


@pytest.fixture
def page_cache():
    # As Django's test client does: requests do not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PageCache(WSGIHandler(), max_bytes=8 * 1024 * 1024, poll_seconds=0, shared=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_cached_public_pages_keep_answering_while_the_database_refuses(page_cache, newsroom):
    warm = call(page_cache, "/")
    assert (warm.status, warm.outcome) == (200, "MISS")

    with refusing_database():
        cached = call(page_cache, "/")
        uncached = call(page_cache, "/politics/")

    assert (cached.status, cached.outcome) == (200, "HIT")
    assert cached.body == warm.body
    assert uncached.status == 503
    assert int(uncached.headers["Retry-After"]) > 0
    assert "try again" in uncached.text.lower()


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_the_api_answers_503_problem_details_while_the_database_refuses(client, newsroom):
    with refusing_database():
        response = client.get("/api/stories")

    assert_unavailable(response, PROBLEM)
    assert response.json()["type"] == "/api/problems/unavailable"


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_signed_in_staff_get_503_while_the_database_refuses(writer_client, newsroom):
    draft = newsroom["draft"]
    typed = form_data(draft, headline="Talks resume in Vienna")

    with refusing_database():
        board = writer_client.get("/desk/board/")
        autosave = writer_client.post(
            f"/desk/stories/{draft.pk}/autosave/", typed, headers={"X-Requested-With": "fetch"}
        )

    assert_unavailable(board, "text/html; charset=utf-8")
    assert_unavailable(autosave, "application/json")
    assert autosave.json()["status"] == "unavailable"


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_a_hung_database_answers_503_after_the_connect_timeout(client, newsroom):
    with hung_database():
        response = client.get("/politics/")

    assert_unavailable(response, "text/html; charset=utf-8")


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_requests_succeed_again_once_the_database_is_back(client, newsroom):
    with refusing_database():
        assert client.get("/politics/").status_code == 503

    assert client.get("/politics/").status_code == 200


# A connection that goes silent (RELIABILITY.md L5 blackhole) ---------------------------

BENCH = Path(__file__).resolve().parents[2] / "bench"


@contextmanager
def through_fault_proxy() -> Iterator:
    """The default connection through bench/fault_proxy.py on a loopback port above 61000
    (outside the kernel's ephemeral range, as bench/faults does), relaying to PostgreSQL."""
    sys.path.insert(0, str(BENCH))
    try:
        from fault_proxy import FaultProxy
    finally:
        sys.path.remove(str(BENCH))
    upstream = (
        connection.settings_dict["HOST"] or "127.0.0.1",
        int(connection.settings_dict["PORT"] or 5432),
    )
    for port in random.sample(range(61500, 62000), 20):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                break
    proxy = FaultProxy(port, upstream).start()
    try:
        with database_at(port):
            yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def serving_deadlines():
    """As in a process serving requests (masthead/wsgi.py)."""
    answer_deadlines_on()
    try:
        yield connection.settings_dict["OPTIONS"]["answer_timeout"]
    finally:
        answer_deadlines_on(False)
        connection.close()


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_a_request_on_a_connection_gone_silent_answers_503_in_seconds(newsroom, serving_deadlines):
    # Django's own WSGI handler, as a server runs it: each request starts with the
    # health check of the connection kept from the last one (CONN_HEALTH_CHECKS).
    server = WSGIHandler()
    with through_fault_proxy() as proxy:
        assert call(server, "/api/stories").status == 200
        assert connection.connection is not None  # kept for the next request (CONN_MAX_AGE)
        proxy.mode = "blackhole"
        # Without a deadline the request would wait for ever: after 20 s the proxy
        # resets, and the request fails then, too late.
        guard = threading.Timer(20, lambda: setattr(proxy, "mode", "reset"))
        guard.start()
        try:
            started = time.monotonic()
            response = call(server, "/api/stories")
            elapsed = time.monotonic() - started
            started = time.monotonic()
            next_one = call(server, "/api/stories")  # a new connection: connect_timeout
            next_elapsed = time.monotonic() - started
        finally:
            guard.cancel()
        proxy.mode = "pass"
        recovered = call(server, "/api/stories")

    # The health check of the kept connection waits 1 s; a new connection gives up
    # after the budget (1.5 s), under libpq's 2 s floor: RELIABILITY.md L5's 2 s.
    assert response.status == 503, response.body[:300]
    assert response.headers["Content-Type"] == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert next_one.status == 503, next_one.body[:300]
    assert 1.0 < next_elapsed < 2.0, f"{next_elapsed:.2f} s"
    assert recovered.status == 200


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_a_query_the_server_never_answers_fails_after_the_answer_timeout(
    newsroom, serving_deadlines
):
    connection.settings_dict["OPTIONS"]["answer_timeout"] = 1.0
    try:
        with through_fault_proxy() as proxy, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            proxy.mode = "blackhole"
            guard = threading.Timer(20, lambda: setattr(proxy, "mode", "reset"))
            guard.start()
            started = time.monotonic()
            try:
                with pytest.raises(OperationalError) as raised:
                    cursor.execute("SELECT count(*) FROM stories_story")
            finally:
                guard.cancel()
            elapsed = time.monotonic() - started
    finally:
        connection.settings_dict["OPTIONS"]["answer_timeout"] = serving_deadlines

    # The budget plus the grace in which a server that answers at all reports its own
    # statement_timeout.
    assert 1.2 < elapsed < 1.9, f"{elapsed:.2f} s"
    assert "did not answer within 1.25 s" in str(raised.value)
    assert is_database_outage(raised.value)


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_the_server_itself_stops_a_statement_past_the_budget(newsroom, serving_deadlines):
    connection.settings_dict["OPTIONS"]["answer_timeout"] = 0.5
    try:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            shown = cursor.fetchone()[0]
            started = time.monotonic()
            with pytest.raises(OperationalError) as raised:
                cursor.execute("SELECT pg_sleep(3)")
            elapsed = time.monotonic() - started
            # The server answered (it cancelled its own work): the connection stays usable.
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        connection.settings_dict["OPTIONS"]["answer_timeout"] = serving_deadlines
        connection.close()

    assert shown == "500ms"
    assert 0.4 < elapsed < 0.75, f"{elapsed:.2f} s"
    assert "statement timeout" in str(raised.value)
    assert is_database_outage(raised.value)  # answered as 503 + Retry-After


@pytest.mark.postgres(reason=SERVER_OUTAGE)
def test_commands_and_workers_keep_no_budget(newsroom):
    # Not a serving process: a migration or a rebuild may run a statement for minutes.
    saved = connection.settings_dict["OPTIONS"]["answer_timeout"]
    connection.settings_dict["OPTIONS"]["answer_timeout"] = 0.2
    try:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            shown = cursor.fetchone()[0]
            cursor.execute("SELECT 1 FROM pg_sleep(0.5)")
            slept = cursor.fetchone()
    finally:
        connection.settings_dict["OPTIONS"]["answer_timeout"] = saved
        connection.close()

    assert shown == "0"
    assert slept == (1,)
