"""`masthead import page URL`: fetched through the wire desk's guarded fetcher.

A real HTTP server on 127.0.0.1 serves the pages; the tests let the fetcher
reach it the way an operator would (``WIRE_ALLOWED_PRIVATE_HOSTS``), and one
test checks that without that setting the SSRF guard refuses it.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from masthead.factories import make_desk
from masthead.newsroom.models import StaffRole
from masthead.stories.models import Story
from masthead.wire.models import ImportedPage

pytestmark = pytest.mark.django_db


def masthead_import_page(argv: list[str]) -> int:
    """``masthead import page ARGV`` as the CLI runs it, exit status included.

    Through ``call_command`` rather than ``cli.main``: the CLI's management
    runner closes the database connections when it is done, which would end
    the test's own transaction on PostgreSQL (one test runs the real CLI).
    """
    try:
        call_command("import_page", *argv, stdout=sys.stdout, stderr=sys.stderr)
    except SystemExit as stop:
        return stop.code
    return 0


PAGES = Path(__file__).with_name("pages")

ROUTES = {
    "/article": ("text/html; charset=utf-8", (PAGES / "news-jsonld.html").read_bytes()),
    "/arabic": ("text/html; charset=windows-1256", (PAGES / "arabic-1256.html").read_bytes()),
    "/scrape": ("text/plain; charset=utf-8", (PAGES / "text-dateline.txt").read_bytes()),
    "/relative": (
        "text/html",
        b"<html><head><meta property='og:image' content='/img/lead.jpg'></head><body>"
        b"<h1>A headline about relative images</h1>"
        + b"<p>The body of this article is long enough to be a paragraph of text.</p>" * 4
        + b"</body></html>",
    ),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path not in ROUTES:
            self.send_error(404)
            return
        content_type, body = ROUTES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allowed(settings):
    settings.WIRE_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture(autouse=True)
def newsroom(db):
    make_desk("Politics")
    chief = get_user_model().objects.create_user("chief", "c@example.com", "x", is_staff=True)
    StaffRole.objects.create(user=chief, role=StaffRole.Role.CHIEF_EDITOR)


def test_a_url_is_imported_as_a_draft(capsys, server, allowed):
    code = masthead_import_page([f"{server}/moved", "--json"])

    assert code == 0, capsys.readouterr().err
    story = Story.objects.get()
    assert story.headline == "Oil Prices Climb as Supply Worries Outweigh Demand Fears"
    record = ImportedPage.objects.get()
    # The page names its own address: that is the key, whoever served it.
    assert record.source_key.startswith("https://www.globalwire.example/")
    assert record.source_file == ""


def test_the_servers_charset_and_type_are_used(capsys, server, allowed):
    assert masthead_import_page([f"{server}/arabic", "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kicker"] == "ثقافة"

    assert masthead_import_page([f"{server}/scrape", "--dry-run", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["published"] == "2019-06-21T10:30:00+00:00"


def test_relative_links_resolve_against_the_fetched_address(capsys, server, allowed):
    assert masthead_import_page([f"{server}/relative"]) == 0

    record = ImportedPage.objects.get()
    assert record.lead_image_url == f"{server}/img/lead.jpg"
    assert record.source_key == f"{server}/relative"  # no canonical: the URL itself


def test_the_ssrf_guard_refuses_loopback_by_default(capsys, server):
    code = masthead_import_page([f"{server}/article"])

    assert code == 2
    assert "destination not allowed" in capsys.readouterr().err
    assert Story.objects.count() == 0


@pytest.mark.parametrize("path", ["/missing"])
def test_a_server_error_is_a_clear_error(capsys, server, allowed, path):
    code = masthead_import_page([f"{server}{path}"])

    assert code == 2
    assert "404" in capsys.readouterr().err
    assert Story.objects.count() == 0


def test_a_page_over_the_cap_is_refused_while_fetching(capsys, server, allowed):
    code = masthead_import_page([f"{server}/article", "--max-mb", "0.001"])

    assert code == 2
    assert Story.objects.count() == 0
    capsys.readouterr()


@pytest.mark.parametrize("url", ["ftp://example.com/page.html", "file:///etc/passwd"])
def test_other_schemes_are_files_that_do_not_exist(capsys, url):
    code = masthead_import_page([url])

    assert code == 2
    assert "no such file" in capsys.readouterr().err
