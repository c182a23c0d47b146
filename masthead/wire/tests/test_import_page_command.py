"""`masthead import page`: the draft it makes, re-imports, the dry run, and who may import."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from masthead import cli
from masthead.factories import make_author, make_desk, make_label
from masthead.newsroom.models import Author, StaffRole
from masthead.stories.models import Story
from masthead.wire.models import ImportedPage
from masthead.wire.pageimport.article import join_names

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
User = get_user_model()


@pytest.fixture
def desk():
    return make_desk("Politics")


@pytest.fixture
def admin(desk):
    """The default importer: the first chief editor."""
    chief = User.objects.create_user("chief", "chief@example.com", "x", is_staff=True)
    StaffRole.objects.create(user=chief, role=StaffRole.Role.CHIEF_EDITOR)
    return chief


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = masthead_import_page([*args])
    out = capsys.readouterr()
    return code, out.out, out.err


def dry_run(capsys, page: Path) -> dict:
    code, out, err = run(capsys, str(page), "--dry-run", "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_page_becomes_a_draft_with_what_the_page_says(capsys, admin, desk):
    page = PAGES / "news-jsonld.html"

    code, out, err = run(capsys, str(page), "--json")

    assert code == 0, err
    story = Story.objects.get()
    assert story.status == Story.Status.DRAFT
    assert story.published_at is None  # a draft: its publication time is set on publishing
    assert story.headline == "Oil Prices Climb as Supply Worries Outweigh Demand Fears"
    assert [b.author.name for b in story.ordered_bylines()] == ["Anna Petrova", "David Chen"]
    assert story.body.startswith("<p>LONDON, March 14 (GlobalWire) - Oil prices rose")
    assert story.created_by == admin
    record = ImportedPage.objects.get(story=story)
    assert record.published == "2024-03-14T16:05:00+00:00"
    assert record.lead_image_url == "https://www.globalwire.example/resizer/oil-pump.jpg"
    assert record.source_key == (
        "https://www.globalwire.example/markets/commodities/oil-prices-climb-2024-03-14/"
    )
    assert "Originally published: 2024-03-14T16:05:00+00:00." in story.notes_to_editor
    assert json.loads(out)["outcome"] == "created"


@pytest.mark.parametrize("name", ["wp-ifpnews.html", "persian-rtl.html", "text-seed-ifp.txt"])
def test_the_dry_run_shows_exactly_what_the_real_run_stores(capsys, admin, desk, name):
    page = PAGES / name
    shown = dry_run(capsys, page)
    assert Story.objects.count() == 0 and ImportedPage.objects.count() == 0

    assert run(capsys, str(page))[0] == 0

    story = Story.objects.get()
    record = story.imported_page
    stored = {
        "headline": story.headline,
        "kicker": record.kicker,
        "byline": join_names([b.author.name for b in story.ordered_bylines()]),
        "published": record.published or None,
        "lead_image": record.lead_image_url,
        "body": _text_of(story.body),
    }
    assert stored == shown


def _text_of(body: str) -> str:
    import lxml.html

    fragments = lxml.html.fragments_fromstring(body)
    return "\n\n".join(fragment.text_content() for fragment in fragments)


def test_importing_the_same_page_again_updates_its_draft(capsys, admin, desk, tmp_path):
    page = tmp_path / "page.html"
    shutil.copy(PAGES / "ghost.html", page)
    assert run(capsys, str(page))[0] == 0
    story = Story.objects.get()
    first_revision = story.latest_revision_id

    code, out, _ = run(capsys, str(page), "--json")  # unchanged
    assert code == 0 and json.loads(out)["outcome"] == "unchanged"
    assert Story.objects.get().latest_revision_id == first_revision

    page.write_text(
        page.read_text().replace("highest level in two years", "highest level in three years")
    )
    code, out, _ = run(capsys, str(page), "--json")

    assert code == 0 and json.loads(out)["outcome"] == "updated"
    assert Story.objects.count() == 1 and ImportedPage.objects.count() == 1
    story = Story.objects.get()
    assert "three years" in story.body
    assert story.latest_revision_id != first_revision
    assert story.revisions.count() == 2


def test_a_saved_copy_and_the_page_it_came_from_are_one_page(capsys, admin, desk, tmp_path):
    """The key is the page's own canonical address, not the file's name."""
    for name in ("one.html", "two.html"):
        shutil.copy(PAGES / "drupal.html", tmp_path / name)
        assert run(capsys, str(tmp_path / name))[0] == 0

    assert Story.objects.count() == 1


def test_text_scrapes_are_keyed_by_their_file(capsys, admin, desk, tmp_path):
    for name in ("a.txt", "b.txt", "a.txt"):
        shutil.copy(PAGES / "text-share-lines.txt", tmp_path / name)
        assert run(capsys, str(tmp_path / name))[0] == 0

    assert Story.objects.count() == 2


def test_editors_notes_survive_a_reimport(capsys, admin, desk, tmp_path):
    from masthead.backoffice.services import save_notes_to_editor

    page = tmp_path / "page.html"
    shutil.copy(PAGES / "amp.html", page)
    run(capsys, str(page))
    story = Story.objects.get()
    save_notes_to_editor(admin, story, story.notes_to_editor + "\n\nCheck the tree count.")
    page.write_text(page.read_text().replace("10,000 new trees", "12,000 new trees"))

    run(capsys, str(page))

    notes = Story.objects.get().notes_to_editor
    assert notes.startswith("Imported from") and notes.endswith("Check the tree count.")
    assert notes.count("Imported from") == 1


def test_the_kicker_becomes_a_label_only_if_editors_made_one(capsys, admin, desk):
    run(capsys, str(PAGES / "microdata.html"))  # kicker "Science": no such label
    story = Story.objects.get()
    assert story.label is None
    assert "Kicker on the original page: “Science”" in story.notes_to_editor

    label = make_label("IFP Exclusive")
    run(capsys, str(PAGES / "wp-ifpnews.html"))
    assert Story.objects.get(headline__startswith="Iran Says").label == label


def test_authors_are_found_by_name_or_created(capsys, admin, desk):
    existing = make_author("Anna Petrova")

    run(capsys, str(PAGES / "news-jsonld.html"))
    run(capsys, str(PAGES / "liveblog.html"))

    assert Author.objects.filter(name="Anna Petrova").get() == existing
    assert Author.objects.get(name="David Chen").kind == Author.Kind.PERSON
    assert Author.objects.get(name="Politics Desk").kind == Author.Kind.COLLECTIVE


def test_a_page_without_byline_gets_none_not_the_importer(capsys, admin, desk, tmp_path):
    make_author("Chief Editor", user=admin)
    page = tmp_path / "no-byline.html"
    page.write_text(
        (PAGES / "no-metadata.html").read_text().replace('<p class="byline">By Sam Carter</p>', "")
    )

    assert run(capsys, str(page))[0] == 0

    assert list(Story.objects.get().ordered_bylines()) == []


def test_desk_and_actor_are_chosen(capsys, admin, desk):
    sports = make_desk("Sports")
    writer = User.objects.create_user("writer", "w@example.com", "x", is_staff=True)
    StaffRole.objects.create(user=writer, role=StaffRole.Role.WRITER, desk=sports)

    code, _, err = run(capsys, str(PAGES / "amp.html"), "--desk", "sports", "--as", "writer")

    assert code == 0, err
    story = Story.objects.get()
    assert story.desk == sports and story.created_by == writer


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--desk", "nope"], "no desk “nope”"),
        (["--as", "nobody"], "no active user “nobody”"),
        (["--as", "writer"], "not allowed: You do not write for the Politics desk."),
    ],
)
def test_wrong_desk_user_or_permission_is_refused(capsys, admin, desk, args, message):
    User.objects.create_user("writer", "w@example.com", "x", is_staff=True)

    code, _, err = run(capsys, str(PAGES / "amp.html"), *args)

    assert code == 2
    assert message in err and err.count("\n") == 1
    assert Story.objects.count() == 0 and ImportedPage.objects.count() == 0


def test_no_chief_editor_and_no_as_is_a_clear_error(capsys, desk):
    User.objects.create_superuser("admin", "admin@example.com", "x")  # no content role

    code, _, err = run(capsys, str(PAGES / "amp.html"))

    assert code == 2 and "--as USERNAME" in err


def test_the_dry_run_needs_no_desk_or_user_and_prints_one_object(capsys, db):
    code, out, err = run(capsys, str(PAGES / "persian-rtl.html"), "--dry-run", "--json")

    assert code == 0, err
    shown = json.loads(out)
    assert out.count("\n") == 1
    assert list(shown) == ["headline", "kicker", "byline", "published", "lead_image", "body"]
    assert shown["published"] == "2024-03-10T11:30:00+03:30"


def test_the_dry_run_without_json_reads_as_a_summary(capsys, db):
    code, out, _ = run(capsys, str(PAGES / "text-seed-ifp.txt"), "--dry-run")

    assert code == 0
    assert "headline: Trump Cancels" in out and "published: —" in out


def test_the_command_has_help_a_newcomer_can_follow(capsys):
    with pytest.raises(SystemExit):
        call_command("import_page", "--help")
    assert "--dry-run" in capsys.readouterr().out


@pytest.mark.django_db(False)
def test_the_masthead_command_forwards_to_it(capsys):
    """The real `masthead import page` CLI (a dry run: the database is not touched)."""
    code = cli.main(["import", "page", str(PAGES / "og-only.html"), "--dry-run", "--json"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["byline"] == "Joe Bloggs"


def test_the_masthead_command_exits_2_on_a_bad_page(capsys, tmp_path):
    code = cli.main(["import", "page", str(tmp_path / "missing.html"), "--dry-run"])

    assert code == 2
    assert (
        capsys.readouterr().err == f"masthead import page: {tmp_path}/missing.html: no such file.\n"
    )


@pytest.mark.django_db(False)
def test_options_may_come_before_the_page(capsys):
    page = str(PAGES / "og-only.html")

    assert cli.main(["import", "page", "--dry-run", page, "--json"]) == 0
    assert (
        json.loads(capsys.readouterr().out)["headline"] == "Local Bakery Wins National Bread Award"
    )

    assert cli.main(["import", "page", "--help"]) == 0
    assert "--dry-run" in capsys.readouterr().out
