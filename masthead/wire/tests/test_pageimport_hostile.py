"""Hostile pages (RELIABILITY.md §2.3 C5): each one a clear error, exit status 2, nothing stored.

Every input goes through the real command (``masthead import page``), on a
real database with a desk and a chief editor ready, so that "nothing
stored" means something: had the page been accepted, a draft would exist.
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from masthead.factories import make_desk
from masthead.newsroom.models import Author, StaffRole
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


ARTICLE = (
    "<h1>A perfectly ordinary headline</h1>"
    + "<p>This paragraph is the body of an ordinary article with enough words to count.</p>" * 5
)


@pytest.fixture(autouse=True)
def newsroom(db):
    make_desk("Politics")
    chief = get_user_model().objects.create_user("chief", "c@example.com", "x", is_staff=True)
    StaffRole.objects.create(user=chief, role=StaffRole.Role.CHIEF_EDITOR)


def refused(capsys, path, *args: str) -> str:
    """The command's stderr line, after checking the exit status and that nothing was stored."""
    code = masthead_import_page([str(path), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("masthead import page: ") and err.count("\n") == 1, err
    assert Story.objects.count() == 0
    assert ImportedPage.objects.count() == 0
    assert Author.objects.count() == 0
    return err


def page(tmp_path, content: str | bytes, name: str = "page.html"):
    target = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    target.write_bytes(content)
    return target


def test_a_page_over_the_size_cap_is_refused_before_it_is_read(capsys, tmp_path):
    big = tmp_path / "big.html"
    with big.open("wb") as handle:
        handle.write(b"<html><body>" + ARTICLE.encode())
        handle.write(b"<p>" + b"x" * (20 * 1024 * 1024) + b"</p></body></html>")

    err = refused(capsys, big)

    assert "over the 10,485,760-byte limit" in err and "--max-mb" in err


def test_a_50_mb_data_uri_is_over_the_cap_too(capsys, tmp_path):
    target = tmp_path / "data-uri.html"
    with target.open("wb") as handle:
        handle.write(b'<html><head><meta property="og:image" content="data:image/png;base64,')
        for _ in range(50):
            handle.write(b"A" * 1024 * 1024)
        handle.write(b'"></head><body>' + ARTICLE.encode() + b"</body></html>")

    assert "byte limit" in refused(capsys, target)


def test_a_smaller_data_uri_is_never_a_lead_image(capsys, tmp_path):
    data = "data:image/png;base64," + "A" * 1_000_000
    target = page(
        tmp_path,
        f'<html><head><meta property="og:image" content="{data}"></head>'
        f'<body><article><img src="{data}">{ARTICLE}</article></body></html>',
    )

    code = masthead_import_page([str(target), "--dry-run", "--json"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["lead_image"] == ""


def test_100000_nested_divs_are_refused(capsys, tmp_path):
    nested = "<div>" * 100_000 + ARTICLE + "</div>" * 100_000

    err = refused(capsys, page(tmp_path, f"<html><body>{nested}</body></html>"))

    assert "more than 255 levels deep" in err


@pytest.mark.parametrize(
    "base",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(document.domain)//",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
    ],
)
def test_a_base_href_that_is_not_http_is_refused(capsys, tmp_path, base):
    target = page(
        tmp_path,
        f'<html><head><base href="{base}"><meta property="og:image" content="lead.jpg">'
        f'</head><body><article><a href="next.html">next</a>{ARTICLE}</article></body></html>',
    )

    err = refused(capsys, target)

    assert "<base href>" in err and "every relative link" in err


def test_javascript_urls_in_metadata_are_dropped_not_kept(capsys, tmp_path):
    target = page(
        tmp_path,
        '<html><head><meta property="og:image" content="javascript:alert(1)">'
        '<link rel="canonical" href="javascript:alert(2)"></head>'
        f'<body><article><img src="javascript:alert(3)">{ARTICLE}</article></body></html>',
    )

    code = masthead_import_page([str(target), "--json"])

    assert code == 0
    record = ImportedPage.objects.get()
    assert record.lead_image_url == "" and record.source_url == ""
    assert record.source_key.startswith("file://")
    assert "javascript" not in Story.objects.get().body


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # The page says Latin-1, but its bytes are UTF-8 (would be stored as mojibake).
        (
            '<html><head><meta charset="iso-8859-1"></head><body>' + ARTICLE + "<p>Café</p>",
            "says the page is iso-8859-1, but its bytes are UTF-8",
        ),
        # The page says UTF-8, but its bytes are Windows-1252.
        (
            ('<html><head><meta charset="utf-8"></head><body>' + ARTICLE + "<p>Caf\xe9</p>").encode(
                "cp1252"
            ),
            "not valid utf-8 (its <meta charset>): byte 0xe9",
        ),
        (
            '<html><head><meta charset="x-made-up"></head><body>' + ARTICLE,
            "names an unknown charset “x-made-up”",
        ),
    ],
)
def test_meta_charset_lies_are_refused(capsys, tmp_path, content, message):
    assert message in refused(capsys, page(tmp_path, content))


def test_encoding_overrides_a_lying_declaration(capsys, tmp_path):
    target = page(
        tmp_path,
        '<html><head><meta charset="iso-8859-1"></head><body>' + ARTICLE + "<p>Café au lait "
        "is what this paragraph is about, said the café owner in the town.</p></body></html>",
    )

    code = masthead_import_page([str(target), "--dry-run", "--json", "--encoding", "utf-8"])

    assert code == 0
    assert "Café au lait" in json.loads(capsys.readouterr().out)["body"]


def test_invalid_utf8_is_refused(capsys, tmp_path):
    target = page(tmp_path, b"<html><body>" + ARTICLE.encode() + b"<p>\xff\xfe\xc3(</p>")

    assert "not valid utf-8 (no declared charset, so UTF-8): byte 0xff" in refused(capsys, target)


def test_invalid_utf8_in_a_text_scrape_is_refused(capsys, tmp_path):
    target = page(tmp_path, b"Headline of the story\n\nBody \xc3\x28 text.\n", name="page.txt")

    assert "not valid utf-8" in refused(capsys, target)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "a PNG image"),
        (b"%PDF-1.7\n" + os.urandom(2000), "a PDF document"),
        (b"PK\x03\x04" + os.urandom(2000), "a ZIP archive (or a Word/OpenDocument file)"),
        (b"\x1f\x8b\x08\x00" + os.urandom(2000), "a gzip archive"),
        (b"<html>\x00\x01\x02" + os.urandom(2000), "a binary file"),
    ],
)
def test_binary_files_are_refused(capsys, tmp_path, content, what):
    assert f"this is {what}, not a web page or text" in refused(
        capsys, page(tmp_path, content, name="page.html")
    )


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  "])
def test_an_empty_file_is_refused(capsys, tmp_path, content):
    assert "the page is empty" in refused(capsys, page(tmp_path, content))


def test_a_nonexistent_path_is_refused(capsys, tmp_path):
    assert "no such file" in refused(capsys, tmp_path / "nope.html")


def test_a_folder_is_refused(capsys, tmp_path):
    assert "not a regular file" in refused(capsys, tmp_path)


def test_a_page_with_no_article_text_is_refused(capsys, tmp_path):
    target = page(
        tmp_path,
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a></nav>"
        "<footer>© 2024 Nobody. All rights reserved.</footer></body></html>",
    )

    assert "no article text found" in refused(capsys, target)


def test_text_without_a_headline_is_refused(capsys, tmp_path):
    target = page(tmp_path, "word\n\nanother\n\nthird", name="page.txt")

    assert "no headline found" in refused(capsys, target)


def test_json_ld_nested_past_python_recursion_is_skipped_not_fatal(capsys, tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    target = page(
        tmp_path,
        f'<html><head><script type="application/ld+json">{deep}</script></head>'
        f"<body>{ARTICLE}</body></html>",
    )

    code = masthead_import_page([str(target), "--dry-run", "--json"])

    assert code == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["headline"] == "A perfectly ordinary headline"


def test_markup_and_scripts_in_titles_are_text(capsys, tmp_path):
    target = page(
        tmp_path,
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Big &lt;b&gt;news&lt;/b&gt; <img src=x onerror=alert(1)>today", '
        '"author": {"name": "<b onclick=alert(1)>Jane</b> Doe"}}</script></head>'
        f"<body><h1>Big news <script>alert(2)</script>today</h1>{ARTICLE}</body></html>",
    )

    assert masthead_import_page([str(target)]) == 0

    story = Story.objects.get()
    assert story.headline == "Big news today"
    assert [b.author.name for b in story.ordered_bylines()] == ["Jane Doe"]
    assert "<script" not in story.body and "alert" not in story.body


def test_a_duplicate_import_does_not_duplicate(capsys, tmp_path):
    target = page(tmp_path, f"<html><body>{ARTICLE}</body></html>")

    for _ in range(3):
        assert masthead_import_page([str(target)]) == 0

    assert Story.objects.count() == 1 and ImportedPage.objects.count() == 1
