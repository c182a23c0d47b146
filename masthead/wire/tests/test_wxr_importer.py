"""wxr/importer.py: WordPress posts become stories, once; bad input stores nothing."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from masthead.factories import make_author, make_desk, make_staff, make_story
from masthead.fault_servers import HungServer
from masthead.media.models import Image
from masthead.newsroom.models import AuditEvent, Author, Desk, StaffRole
from masthead.stories.models import OldAddress, Revision, Story, Tag
from masthead.stories.services import Content, save_story
from masthead.wire.models import WordPressAttachment, WordPressAuthor, WordPressPost
from masthead.wire.tests.wordpress_files import (
    OUTLET,
    PROBLEMS,
    jpeg_bytes,
    outlet_uploads,
    problem_uploads,
)
from masthead.wire.wxr.importer import Options, import_wordpress
from masthead.wire.wxr.report import Action

pytestmark = pytest.mark.django_db


def run(path: Path, **options):
    outcomes = []
    report = import_wordpress(path, Options(**options), on_outcome=outcomes.append)
    return report, {outcome.post_id: outcome for outcome in reversed(outcomes)}, outcomes


def story_of(post_id: int) -> Story:
    return WordPressPost.objects.select_related("story").get(post_id=post_id).story


def rows() -> dict[str, int]:
    models = (Story, Revision, Image, Desk, Author, Tag, OldAddress, WordPressPost)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["imports"] = AuditEvent.objects.filter(action="import").count()
    return counts


def media_files(media_root: Path) -> list[Path]:
    return [path for path in Path(media_root).rglob("*") if path.is_file()]


def edited_export(tmp_path: Path, old: str, new: str, source: Path = OUTLET) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.xml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_the_outlet_export_becomes_stories_in_their_states_with_their_dates(tmp_path):
    users_before = get_user_model().objects.count()
    report, outcomes, _ = run(OUTLET, uploads=outlet_uploads(tmp_path))

    assert report.ok and not report.error
    assert report.site == "caspiancourier.example" and report.wxr_version == "1.2"
    assert report.counts[Action.CREATED] == 8 and report.counts[Action.SKIPPED] == 1
    assert report.not_posts == {"attachment": 1, "page": 1, "nav_menu_item": 1}
    assert outcomes["108"].reasons == ["in WordPress's trash"]

    states = {post_id: story_of(post_id).status for post_id in (101, 102, 103, 104, 105, 106, 107)}
    assert states == {
        101: Story.Status.PUBLISHED,
        102: Story.Status.PUBLISHED,
        103: Story.Status.DRAFT,
        104: Story.Status.SUBMITTED,
        105: Story.Status.SCHEDULED,
        106: Story.Status.DRAFT,  # private
        107: Story.Status.DRAFT,  # password-protected
    }
    assert "private in WordPress: imported as a draft, not public" in outcomes["106"].reasons
    assert any("password-protected" in reason for reason in outcomes["107"].reasons)

    grain = story_of(101)
    assert grain.published_at == datetime(2024, 5, 12, 8, 0, tzinfo=UTC)  # its own date
    assert grain.updated_at == grain.published_at
    assert grain.is_live()
    assert grain.slug == "caspian-ports-record-grain"
    assert grain.desk.slug == "economy" and grain.desk.name == "Economy & Trade"  # Yoast primary
    assert sorted(grain.tags.values_list("name", flat=True)) == ["Caspian Sea", "Politics", "Ports"]
    assert [byline.author.name for byline in grain.ordered_bylines()] == ["Sara Ahmadi"]
    assert grain.dek.startswith("Officials expect more than five million tonnes")
    assert grain.body.startswith("<p>Grain shipments through the ports")
    assert "<h2>Russia and Kazakhstan</h2>" in grain.body and "<li>Anzali" in grain.body
    assert "caspiancourier.example" not in grain.body  # the old site's image is not loaded
    assert grain.lead_image.alt_text == "Container cranes at Bandar Anzali port"
    assert (grain.lead_image.width, grain.lead_image.height) == (120, 80)
    assert grain.latest_revision == grain.published_revision
    assert grain.latest_revision.note == "Imported from WordPress post 101"
    assert any("1 image(s) in the text" in reason for reason in outcomes["101"].reasons)

    law = story_of(102)
    assert law.desk.slug == "politics"
    assert [byline.author.name for byline in law.ordered_bylines()] == ["Courier Staff"]
    assert "The sea belongs to everyone." in law.body and "<!--" not in law.body
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in law.body

    draft = story_of(103)
    assert draft.published_at is None and draft.slug.startswith("interview-with-the-new")
    # Reza's display name is his login: the byline takes his first and last name.
    assert [byline.author.name for byline in draft.ordered_bylines()] == ["Reza Karimi"]
    festival = story_of(104)
    assert festival.desk.slug == "culture"  # Cinema is a subcategory of Culture
    assert list(festival.tags.values_list("name", flat=True)) == ["Cinema"]
    assert story_of(105).published_at == datetime(2100, 3, 1, 6, 30, tzinfo=UTC)
    assert not story_of(105).is_live()

    persian = story_of(109)
    assert persian.language == "fa"  # Polylang's language term
    assert persian.slug == "بندر-انزلی"
    assert persian.desk.name == "اخبار" and persian.desk.slug == "اخبار"
    assert [byline.author.name for byline in persian.ordered_bylines()] == ["مریم رضایی"]
    assert list(persian.tags.values_list("name", flat=True)) == ["انزلی"]
    assert persian.body.startswith("<p>صادرات از بندر انزلی")
    assert persian.headline == "بندر انزلی رکورد صادرات را شکست"

    # Authors without accounts, and without the private e-mail of their login.
    assert get_user_model().objects.count() == users_before
    assert not Author.objects.exclude(email="").exists()
    assert Author.objects.count() == 4 == WordPressAuthor.objects.count()
    assert sorted(report.desks_created) == [
        "Culture (/culture/)",
        "Economy & Trade (/economy/)",
        "Politics (/politics/)",
        "اخبار (/اخبار/)",
    ]
    events = AuditEvent.objects.filter(action="import")
    assert events.count() == 8 and not events.exclude(actor=None).exists()
    assert events.get(target_id=grain.pk).detail["post_id"] == 101


def test_old_addresses_are_kept_for_every_post(tmp_path):
    run(OUTLET)
    addresses = dict(OldAddress.objects.values_list("path", "story__wordpress_posts__post_id"))
    assert addresses["/2024/05/12/caspian-ports-record-grain"] == 101
    assert addresses["/?p=101"] == 101
    assert addresses["/fa/2024/05/31/بندر-انزلی"] == 109
    assert addresses["/?p=103"] == 103  # a draft's too: it answers once the story is public
    assert "/" not in addresses and "" not in addresses


def test_a_second_run_duplicates_nothing(tmp_path, media_root):
    folder = outlet_uploads(tmp_path)
    run(OUTLET, uploads=folder)
    before, files = rows(), media_files(media_root)
    report, outcomes, _ = run(OUTLET, uploads=folder)
    assert report.counts[Action.UNCHANGED] == 8 and report.counts[Action.CREATED] == 0
    assert rows() == before
    assert media_files(media_root) == files
    assert outcomes["101"].address == "/economy/caspian-ports-record-grain/"


def test_a_run_without_the_uploads_folder_keeps_the_images(tmp_path):
    run(OUTLET, uploads=outlet_uploads(tmp_path))
    image = story_of(101).lead_image
    report, outcomes, _ = run(OUTLET)
    assert report.counts[Action.UNCHANGED] == 8
    assert "featured image not imported: no --uploads folder given" in outcomes["101"].reasons
    assert story_of(101).lead_image == image


def test_a_new_file_for_the_featured_image_replaces_the_picture(tmp_path, media_root):
    folder = outlet_uploads(tmp_path)
    run(OUTLET, uploads=folder)
    old = story_of(101).lead_image
    (folder / "2024/05/anzali-harbour.jpg").write_bytes(jpeg_bytes(size=(60, 40)))
    report, outcomes, _ = run(OUTLET, uploads=folder)
    assert outcomes["101"].action == Action.UPDATED and report.counts[Action.UNCHANGED] == 7
    grain = story_of(101)
    assert grain.lead_image != old and grain.lead_image.width == 60
    assert grain.published_revision.lead_image == grain.lead_image
    assert report.images_stored == 1


def test_a_post_changed_in_wordpress_updates_its_story(tmp_path):
    run(OUTLET)
    law = story_of(102)
    edited = edited_export(
        tmp_path,
        "Parliament approves coastal protection law",
        "Parliament approves coastal protection law after a long debate",
    )
    report, _, _ = run(edited)
    assert report.counts[Action.UPDATED] == 1 and report.counts[Action.UNCHANGED] == 7
    law.refresh_from_db()
    assert law.headline.endswith("after a long debate")
    assert law.published_at == datetime(2024, 5, 20, 6, 15, tzinfo=UTC)  # still its own
    assert law.slug == "coastal-protection-law"  # its address does not move
    assert law.latest_revision.number == 2 == law.published_revision.number
    assert law.latest_revision.note == "Updated from WordPress post 102"
    assert Story.objects.count() == 8


def test_a_story_changed_in_masthead_since_is_not_overwritten(tmp_path):
    run(OUTLET)
    law = story_of(102)
    editor = make_staff(StaffRole.Role.CHIEF_EDITOR)
    content = Content.of(law)
    content.headline = "Coastal law: what changes for builders"
    save_story(editor, law, content, law.latest_revision_id)
    edited = edited_export(tmp_path, "bans new buildings", "forbids new buildings")
    report, outcomes, _ = run(edited)
    assert report.counts[Action.KEPT] == 1
    assert "changed in Masthead since the last import" in outcomes["102"].reasons[0]
    law.refresh_from_db()
    assert law.latest_revision.headline == "Coastal law: what changes for builders"
    assert "forbids" not in law.latest_revision.body


def test_a_post_taken_down_in_wordpress_leaves_the_site(tmp_path, client):
    run(OUTLET)
    law = story_of(102)
    assert client.get(law.get_absolute_url()).status_code == 200
    edited = edited_export(
        tmp_path,
        "<wp:post_name><![CDATA[coastal-protection-law]]></wp:post_name>\n"
        "\t\t<wp:status><![CDATA[publish]]></wp:status>",
        "<wp:post_name><![CDATA[coastal-protection-law]]></wp:post_name>\n"
        "\t\t<wp:status><![CDATA[draft]]></wp:status>",
    )
    _, outcomes, _ = run(edited)
    assert outcomes["102"].action == Action.UPDATED
    assert "no longer public in WordPress: taken off the site" in outcomes["102"].reasons
    assert client.get(law.get_absolute_url()).status_code == 404


def test_the_site_shows_imported_stories_at_once(client):
    first = client.get("/")  # the front's fragments are cached before the import
    assert first.status_code == 200
    run(OUTLET)
    page = client.get("/").content.decode()
    assert "Caspian ports expect record grain shipments" in page
    assert "Sturgeon season opens" not in page  # scheduled for 2100
    assert "Interview with the new fisheries chief" not in page  # a draft


def test_a_dry_run_reports_the_real_run_and_stores_nothing(tmp_path, media_root):
    folder = outlet_uploads(tmp_path)
    before = rows()
    dry, dry_outcomes, _ = run(OUTLET, uploads=folder, dry_run=True)
    assert rows() == before and media_files(media_root) == []
    assert not WordPressAttachment.objects.exists() and not WordPressAuthor.objects.exists()
    real, real_outcomes, _ = run(OUTLET, uploads=folder)
    assert dry.counts == real.counts
    assert sorted(dry.desks_created) == sorted(real.desks_created)
    assert dry.authors_created == real.authors_created and dry.tags_created == real.tags_created
    assert {key: value.action for key, value in dry_outcomes.items()} == {
        key: value.action for key, value in real_outcomes.items()
    }
    assert dry.images_stored == 0 and real.images_stored == 1


def test_an_export_cannot_name_the_outlets_library_images(tmp_path, media_root):
    run(OUTLET)
    private = Image(file=SimpleUploadedFile("p.jpg", jpeg_bytes()), alt_text="An unpublished photo")
    private.save()
    paragraph = "<p>Parliament on Monday approved a law"
    edited = edited_export(
        tmp_path,
        paragraph,
        f'<figure DATA-IMAGE={private.pk}><img src="/media/x.jpg" alt="x"></figure>'
        f'<figure data-gallery=""><figure data-image="{private.pk}"><figcaption>Shore'
        f"</figcaption></figure></figure>{paragraph}",
    )
    run(edited)
    law = story_of(102)
    assert "Shore" in law.body  # the figures stay, as plain ones
    for text in (law.body, law.latest_revision.body, law.published_revision.body):
        assert "data-image" not in text.lower()
    assert not law.image_uses.filter(role="body").exists()


def test_slugs_are_kept_when_free_and_suffixed_when_taken():
    make_story("An older story", slug="coastal-protection-law")
    _, outcomes, _ = run(OUTLET)
    assert story_of(102).slug == "coastal-protection-law-2"
    assert any("“coastal-protection-law” is taken" in reason for reason in outcomes["102"].reasons)


def test_categories_can_go_to_existing_desks(tmp_path):
    business, wire = make_desk("Business"), make_desk("Wire")
    run(OUTLET, desk_map={"economy": business.slug}, default_desk=wire.slug)
    assert story_of(101).desk == business  # Yoast primary "economy"
    assert story_of(103).desk == business
    assert not Desk.objects.filter(slug="economy").exists()


def test_posts_without_a_category_go_to_the_default_desk(tmp_path):
    run(PROBLEMS)
    assert story_of(18).desk.slug == "news"
    wire = make_desk("Wire")
    edited = edited_export(
        tmp_path, "Written by a user deleted", "Written by a user removed", PROBLEMS
    )
    run(edited, default_desk=wire.slug)
    assert story_of(18).desk == wire


def test_authors_already_in_masthead_are_found_by_email_or_name():
    sara = make_author("Sara Ahmadi")
    staff = make_author("The Courier's staff", email="web@caspiancourier.example")
    report, _, _ = run(OUTLET)
    assert [byline.author for byline in story_of(101).ordered_bylines()] == [sara]
    assert [byline.author for byline in story_of(102).ordered_bylines()] == [staff]
    assert sorted(report.authors_created) == ["Reza Karimi", "مریم رضایی"]


def test_local_times_are_read_in_the_sites_time_zone(tmp_path):
    edited = edited_export(
        tmp_path,
        "<wp:post_date_gmt><![CDATA[2024-05-20 06:15:00]]></wp:post_date_gmt>",
        "<wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]></wp:post_date_gmt>",
    )
    run(edited, timezone=ZoneInfo("Asia/Tehran"))
    assert story_of(102).published_at == datetime(2024, 5, 20, 6, 15, tzinfo=UTC)


def test_a_gzip_compressed_export_imports_alike(tmp_path):
    packed = tmp_path / "export.xml.gz"
    packed.write_bytes(gzip.compress(OUTLET.read_bytes()))
    report, _, _ = run(packed)
    assert report.counts[Action.CREATED] == 8


# Bad input --------------------------------------------------------------------------


def test_every_problem_post_is_reported_and_the_rest_imported(tmp_path, media_root):
    folder, _ = problem_uploads(tmp_path)
    report, outcomes, every = run(PROBLEMS, uploads=folder)
    assert report.site == "gilandaily.example/news" and report.wxr_version == "1.1"

    def reasons(post_id: str) -> str:
        return " | ".join(outcomes[post_id].reasons)

    assert outcomes["11"].action == Action.CREATED
    assert "featured image refused" in reasons("11") and "leaves the uploads folder" in reasons(
        "11"
    )
    assert outcomes["12"].action == Action.CREATED
    assert "featured image not imported: 2014/08/missing.jpg is not in the uploads" in reasons("12")
    assert outcomes["13"].action == Action.CREATED
    assert "featured image refused: The image has more than" in reasons("13")
    assert outcomes["14"].action == Action.CREATED
    assert "outside the uploads folder" in reasons("14")
    for post_id in (11, 12, 13, 14):
        assert story_of(post_id).lead_image is None
    assert not Image.objects.exists() and media_files(media_root) == []

    assert outcomes["15"].action == Action.SKIPPED and "no title" in reasons("15")
    first_16, second_16 = [outcome for outcome in every if outcome.post_id == "16"]
    assert first_16.action == Action.CREATED
    assert second_16.action == Action.SKIPPED and "duplicate post id 16" in second_16.reasons[0]
    assert outcomes["17"].action == Action.SKIPPED and "auto-draft" in reasons("17")
    assert outcomes["18"].action == Action.CREATED and "no byline" in reasons("18")
    assert outcomes[""].action == Action.SKIPPED and "no usable post id" in reasons("")
    assert report.counts == {Action.CREATED: 6, Action.SKIPPED: 4}

    flood = story_of(16)
    assert flood.headline == "Flood warning for Rasht & Lahijan"
    assert flood.dek == "Rivers are rising."
    assert "Rivers are rising in Gilan." in flood.body
    for bad in ("script", "onclick", "javascript", "onerror", "iframe", "alert", "evil"):
        assert bad not in flood.body and bad not in flood.headline
    assert 'href="https://weather.example/gilan"' in flood.body
    assert flood.desk.slug == "tag-desk"  # "tag" is one of the site's own addresses
    assert story_of(18).bylines.count() == 0
    keys = set(OldAddress.objects.values_list("path", flat=True))
    assert "/news/?p=11" in keys and "/news/2014/08/20/traversal" in keys
    assert "/news" not in keys  # the old site's front page is no post's address


HOSTILE_EXPORTS = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>',
    "external entity": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM '
    b'"file:///etc/passwd">]><rss><channel><title>&x;</title></channel></rss>',
    "not xml": b"\x89PNG\r\n\x1a\nthis is a picture",
    "truncated": OUTLET.read_bytes()[: int(OUTLET.stat().st_size * 0.8)],
    "not wordpress": b'<rss version="2.0"><channel><item><title>x</title></item></channel></rss>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_EXPORTS))
def test_a_refused_export_stores_nothing(tmp_path, media_root, name):
    path = tmp_path / "export.xml"
    path.write_bytes(HOSTILE_EXPORTS[name])
    before = rows()
    report, outcomes, _ = run(path, uploads=outlet_uploads(tmp_path))
    assert report.error and not outcomes
    assert "Nothing was imported" in report.summary_text()
    assert rows() == before and media_files(media_root) == []


def test_an_external_dtd_or_entity_is_never_fetched(tmp_path):
    with HungServer() as listener:
        url = f"http://127.0.0.1:{listener.port}/evil.dtd"
        exports = [
            f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{url}"><rss/>',
            f'<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{url}"> %ext;]><rss/>',
            f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{url}">]><rss><channel>&x;</channel></rss>',
        ]
        for number, text in enumerate(exports):
            path = tmp_path / f"export-{number}.xml"
            path.write_text(text)
            report, _, _ = run(path)
            assert "not allowed" in report.error
        assert listener.connections() == 0
    assert not Story.objects.exists()


def test_a_post_that_fails_while_stored_leaves_nothing_and_the_rest_go_on(
    tmp_path, media_root, settings
):
    calls = []

    def fail_the_first() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseError("disk I/O error")

    settings.FAILPOINTS = {"wire.wordpress.before_record": fail_the_first}
    report, outcomes, _ = run(OUTLET, uploads=outlet_uploads(tmp_path))
    assert outcomes["101"].action == Action.FAILED
    assert outcomes["101"].reasons[-1] == "database error: disk I/O error"
    assert report.counts[Action.CREATED] == 7 and not report.ok
    assert not WordPressPost.objects.filter(post_id=101).exists()
    assert not Story.objects.filter(headline__startswith="Caspian ports").exists()
    assert not OldAddress.objects.filter(path="/?p=101").exists()
    # Its picture is gone too: no row and no file.
    assert not Image.objects.exists() and media_files(media_root) == []
    assert report.images_stored == 0
    settings.FAILPOINTS = {}
    again, outcomes, _ = run(OUTLET, uploads=outlet_uploads(tmp_path / "again"))
    assert outcomes["101"].action == Action.CREATED and again.ok
    assert story_of(101).lead_image is not None and len(media_files(media_root)) == 1
