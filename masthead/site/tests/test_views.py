"""The public pages, element by element, as a reader receives them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_outlet,
    make_story,
    make_tag,
)
from masthead.newsroom.models import Author
from masthead.stories.models import Tag
from masthead.stories.services import change_story_slug, merge_tags, rename_tag, withdraw_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(settings):
    settings.TIME_ZONE = "UTC"
    editor = make_author("Maryam Alavi", email="politics@example.org")
    desk = make_desk("Politics", editor=editor, email="politics@example.org")
    staff = make_author(
        "IFP Editorial Staff",
        kind=Author.Kind.COLLECTIVE,
        bio="Dozens of skilled journalists.\n\nEdited by experienced editors.",
        email="staff@example.org",
    )
    analyst = make_author("Kaveh Nouri", job_title="Analyst")
    story = make_story(
        "Trump cancels attack",
        desk=desk,
        authors=[staff, analyst],
        tags=[make_tag("Iran"), make_tag("United States")],
        label=make_label("IFP Exclusive"),
        dek="Iran denies reports of a message.",
        dateline="Tehran",
        body="<p>First paragraph.</p><p>Second paragraph.</p>",
        age=timedelta(hours=2),
    )
    return story


def get_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_article_page_has_every_part(client, article):
    make_outlet(name="Iran Front Page")
    html = get_text(client, article.get_absolute_url())

    assert '<p class="kicker kicker--exclusive">IFP Exclusive</p>' in html
    assert ">Trump cancels attack</h1>" in html
    assert "Iran denies reports of a message." in html
    assert 'href="/author/ifp-editorial-staff/" dir="auto">IFP Editorial Staff</a>' in html
    assert 'href="/author/kaveh-nouri/" dir="auto">Kaveh Nouri</a>' in html
    assert '<span class="dateline" dir="auto">Tehran</span>' in html
    published = article.published_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    assert f'Published <time datetime="{published}">' in html
    assert "<p>First paragraph.</p><p>Second paragraph.</p>" in html
    assert 'href="/tag/iran/" rel="tag" dir="auto">Iran</a>' in html
    assert 'class="author-box"' in html and "<p>Edited by experienced editors.</p>" in html
    assert 'href="mailto:staff@example.org"' in html
    assert "The Politics desk is edited by" in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html
    assert "<title>Trump cancels attack — Iran Front Page</title>" in html
    assert "Updated" not in html


def test_article_shows_updated_time_when_updated(client, article):
    article.updated_at = article.published_at + timedelta(minutes=45)
    article.save()

    html = get_text(client, article.get_absolute_url())

    assert '<span class="updated"> · Updated <time' in html


def test_article_lead_image_has_alt_caption_and_credit(client, article):
    from django.core.files.base import ContentFile

    from masthead.media.models import Image
    from masthead.media.tests.images import png_bytes

    image = Image(alt_text="Protesters in a square", caption="Crowds gathered.", credit="AP")
    image.file.save("x.png", ContentFile(png_bytes()), save=False)
    image.save()
    article.lead_image = image
    article.save()

    html = get_text(client, article.get_absolute_url())

    assert f'src="{image.file.url}" alt="Protesters in a square"' in html
    assert "Crowds gathered." in html and 'Credit: <span dir="auto">AP</span>' in html


def test_recent_posts_are_the_six_newest_others_with_relative_times(client, article):
    desk = article.desk
    recent = [
        make_story(f"Recent {n}", desk=desk, age=timedelta(minutes=16 + n * 60)) for n in range(7)
    ]

    html = get_text(client, article.get_absolute_url())
    section = html.split('id="recent-posts-title"', 1)[1].split("</section>", 1)[0]

    headlines = re.findall(r'dir="auto">(Recent \d)</a>', section)
    assert headlines == [story.headline for story in recent[:6]]
    assert "Trump cancels attack" not in section
    assert re.search(
        r'<time datetime="[^"]+Z" title="[^"]+" data-relative>16 mins ago</time>', section
    )
    assert ">1 hour ago</time>" in section


def test_home_has_lead_top_and_desk_blocks(client, article):
    other_desk = make_desk("Economy")
    lead = make_story("Chosen lead", desk=other_desk, top_rank=1, age=timedelta(days=2))
    newest = make_story("Just in", desk=other_desk, age=timedelta(minutes=3))

    html = get_text(client, "/")

    lead_block = html.split('class="front__lead"', 1)[1].split('class="front__top"', 1)[0]
    assert lead.headline in lead_block
    top_block = html.split('class="front__top"', 1)[1].split("</section>", 1)[0]
    assert newest.headline in top_block and article.headline in top_block
    assert '<a href="/economy/">Economy</a></h2>' in html or 'href="/economy/">Economy</a>' in html


def test_home_without_stories_says_so(client):
    assert "Nothing has been published yet." in get_text(client, "/")


def test_empty_desk_page_is_a_page_not_an_error(client):
    make_desk("Culture")

    assert "No stories here yet." in get_text(client, "/culture/")


def test_desk_page_names_its_editor_and_contact(client, article):
    html = get_text(client, "/politics/")

    assert 'Editor: <a href="/author/maryam-alavi/"' in html
    assert "mailto:politics@example.org" in html


def test_masthead_page_lists_desks_editors_and_contacts(client, article):
    make_outlet(name="Iran Front Page", about="Who we are.", email="news@example.org")
    make_desk("Culture")

    html = get_text(client, "/masthead/")

    assert "Our desks and the editors responsible for them" in html
    assert 'href="/politics/">Politics</a></th>' in html
    assert 'href="/author/maryam-alavi/" dir="auto">Maryam Alavi</a>' in html
    assert "Edited by the chief editor" in html
    assert "mailto:news@example.org" in html
    assert "IFP Editorial Staff" in html and "Dozens of skilled journalists." in html


def test_every_page_leads_readers_to_corrections_policies_and_the_feed(client, article):
    for url in ("/", "/politics/", article.get_absolute_url(), "/masthead/", "/tag/iran/"):
        html = get_text(client, url)
        footer = html[html.index('<footer class="site-footer">') :]
        assert '<a href="/corrections/">Corrections</a>' in footer, url
        # A feed link a reader can see and follow, not only autodiscovery in the head.
        assert re.search(r'<a [^>]*href="/feed/"[^>]*>[^<]*RSS', footer), url
    masthead = get_text(client, "/masthead/")
    assert 'href="/corrections/"' in masthead[masthead.index("<main") :]
    for url, feed in [
        ("/politics/", "/politics/feed.xml"),
        ("/tag/iran/", "/tag/iran/feed.xml"),
        ("/label/ifp-exclusive/", "/label/ifp-exclusive/feed.xml"),
        ("/author/kaveh-nouri/", "/author/kaveh-nouri/feed.xml"),
    ]:
        main = get_text(client, url).split("<main", 1)[1]
        assert f'<a class="feed-link" href="{feed}">RSS feed of ' in main, url


def test_masthead_page_lists_the_chief_editor_and_the_whole_staff_by_desk(client, article):
    from masthead.factories import make_staff, make_user
    from masthead.newsroom.models import StaffRole

    politics, economy = article.desk, make_desk("Economy")
    chief = make_staff(StaffRole.Role.CHIEF_EDITOR, username="chief.login")
    Author.objects.filter(user=chief).update(
        name="Farhad Nazari", job_title="Editor-in-chief", email="chief@example.org"
    )
    writer = make_staff(StaffRole.Role.WRITER, politics, username="nima.login",
                        email="nima.private@example.org")  # fmt: skip
    Author.objects.filter(user=writer).update(
        name="Nima Sadeghi", job_title="Journalist", email="", phone="+98 21 555"
    )
    StaffRole.objects.create(user=writer, role=StaffRole.Role.WRITER, desk=economy)
    desk_editor = make_staff(StaffRole.Role.DESK_EDITOR, economy, username="sara.login")
    Author.objects.filter(user=desk_editor).update(name="Sara Karimi", email="sara@example.org")
    gone = make_staff(StaffRole.Role.WRITER, politics, username="gone.login", is_active=False)
    Author.objects.filter(user=gone).update(name="Departed Writer")
    no_profile = make_user("faceless.login", is_staff=True)
    StaffRole.objects.create(user=no_profile, role=StaffRole.Role.WRITER, desk=politics)
    make_staff(StaffRole.Role.ADMINISTRATOR, username="admin.login")

    html = get_text(client, "/masthead/")
    main = html[html.index("<main") : html.index("</main>")]

    chiefs = main[main.index('id="chief-title"') : main.index('id="staff-title"')]
    assert "Farhad Nazari" in chiefs and "Chief editor" in chiefs
    assert "mailto:chief@example.org" in chiefs
    staff = main[main.index('id="staff-title"') :]

    def desk_part(desk) -> str:
        start = staff.index(f'id="staff-desk-{desk.pk}"')
        return staff[start : staff.index("</section>", start)]

    politics_part, economy_part = desk_part(politics), desk_part(economy)
    assert "Nima Sadeghi" in politics_part and "Writer" in politics_part
    assert 'href="tel:+9821555"' in politics_part
    assert "Sara Karimi" in economy_part and "Desk editor" in economy_part
    assert "Nima Sadeghi" in economy_part
    assert economy_part.index("Sara Karimi") < economy_part.index("Nima Sadeghi")
    # Only what staff publish in their author profile: no logins, no private addresses,
    # nobody who left, nobody without a public profile, no administrators.
    for hidden in (".login", "nima.private@", "Departed Writer", "Admin.Login"):
        assert hidden not in main, hidden


def test_changed_slug_answers_301_from_every_old_address(client, article):
    old_url = article.get_absolute_url()
    change_story_slug(editor_of(article.desk), article, "renamed-once")
    change_story_slug(editor_of(article.desk), article, "renamed-twice")

    for url in (old_url, "/politics/renamed-once/"):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == "/politics/renamed-twice/"


def test_a_renamed_or_merged_tag_answers_301_from_its_old_addresses(client, article):
    editor = editor_of(article.desk)
    iran = article.tags.get(name="Iran")
    rename_tag(editor, iran, "Islamic Republic")
    merge_tags(editor, article.tags.get(name="United States"), iran)

    for old in ("iran", "united-states"):
        for suffix, new in (
            ("", "/tag/islamic-republic/"),
            ("feed.xml", "/tag/islamic-republic/feed.xml"),
            ("atom.xml", "/tag/islamic-republic/atom.xml"),
        ):
            response = client.get(f"/tag/{old}/{suffix}")
            assert (response.status_code, response["Location"]) == (301, new), (old, suffix)
    assert "Trump cancels attack" in get_text(client, "/tag/islamic-republic/")


def test_an_old_tag_address_reveals_nothing_while_no_live_story_carries_it(client):
    desk = make_desk("Politics")
    make_story("Draft", desk=desk, tags=[make_tag("Project X")], status="draft", age=None)
    rename_tag(editor_of(desk), Tag.objects.get(name="Project X"), "Operation Y")

    for url in ("/tag/project-x/", "/tag/project-x/feed.xml"):
        response = client.get(url)
        assert response.status_code == 404
        assert "operation" not in response.content.decode().lower()


def test_time_attributes_are_in_utc_whatever_the_outlets_zone(client, settings):
    settings.TIME_ZONE = "Asia/Tehran"
    settings.PAGE_SIZE = 2
    desk = make_desk("Politics")
    stories = [make_story(f"Story {n}", desk=desk, age=timedelta(hours=n + 1)) for n in range(5)]
    first = get_text(client, "/politics/")
    older = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    pages = [first, get_text(client, older), get_text(client, stories[0].get_absolute_url())]
    pages.append(get_text(client, "/"))
    found = [value for page in pages for value in re.findall(r'datetime="([^"]*)"', page)]
    assert len(found) > 5
    for value in found:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value), value
    # … and the words readers see are in the outlet's local time.
    assert timezone.localtime(stories[0].published_at).strftime("%H:%M") in pages[2]


def test_story_under_the_wrong_desk_redirects_to_its_desk(client, article):
    make_desk("Economy")

    response = client.get(f"/economy/{article.slug}/")

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_withdrawn_story_answers_410_with_its_notice(client, article):
    withdraw_story(
        editor_of(article.desk), article, "Withdrawn after we could not verify the claim."
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 410
    body = response.content.decode()
    assert "This story has been withdrawn" in body
    assert "Withdrawn after we could not verify the claim." in body
    assert "First paragraph." not in body
    assert '<meta name="robots" content="noindex">' in body


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-desk/",
        "/politics/no-such-story/",
        "/author/nobody/",
        "/tag/nothing/",
        "/politics/%3Cscript%3E/",
        "/" + "a" * 3000 + "/",
        "/politics/..%2F..%2Fetc%2Fpasswd/",
        "/politics/story/extra/",
    ],
)
def test_unknown_addresses_answer_404_with_the_site_page(client, article, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("kind", ["tag", "label"])
def test_a_tag_or_label_no_live_story_carries_answers_like_an_unknown_one(client, article, kind):
    topic = make_tag("Secret merger") if kind == "tag" else make_label("Merger special")
    make_story(
        "Embargoed merger",
        desk=article.desk,
        tags=[topic] if kind == "tag" else [],
        label=topic if kind == "label" else None,
        published_at=article.published_at,
        embargoed_until=article.published_at + timedelta(days=1),
        status="scheduled",
    )
    unknown = client.get(f"/{kind}/never-existed/")

    response = client.get(f"/{kind}/{topic.slug}/")

    assert (response.status_code, response.content) == (404, unknown.content)
    assert topic.name not in response.content.decode()
    # A tag the live story carries keeps its page.
    assert client.get("/tag/iran/").status_code == 200
    assert client.get("/label/ifp-exclusive/").status_code == 200


# HTML's valid date, and local or global date and time strings: at most
# milliseconds (https://html.spec.whatwg.org/#dates-and-times).
HTML_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def test_every_time_element_carries_a_valid_html_datetime(client, article, settings):
    from masthead.stories.services import publish_correction, snapshot_revision

    settings.PAGE_SIZE = 2
    for hours in range(3, 8):
        # Times with microseconds, as the clock gives them.
        age = timedelta(hours=hours, microseconds=123456)
        make_story(f"Older {hours}", desk=article.desk, tags=article.tags.all(),
                   label=article.label, age=age)  # fmt: skip
    corrected = make_story("Corrected", desk=article.desk, age=timedelta(minutes=5, microseconds=7))
    snapshot_revision(corrected)
    publish_correction(editor_of(article.desk), corrected, "A name was misspelt.")
    pages = ["/", "/politics/", "/tag/iran/", "/label/ifp-exclusive/", "/author/kaveh-nouri/",
             corrected.get_absolute_url(), "/corrections/", "/masthead/"]  # fmt: skip
    older = re.search(r'rel="next" href="([^"]+)"', get_text(client, "/politics/"))
    pages += [older.group(1).replace("&amp;", "&")]

    seen = 0
    for url in pages:
        html = get_text(client, url)
        for value in re.findall(r"<time[^>]*\sdatetime=\"([^\"]*)\"", html):
            seen += 1
            assert HTML_DATETIME.fullmatch(value), f"{url}: {value}"
    assert seen > 20


def test_inactive_author_has_no_page(client):
    make_author("Gone Writer", is_active=False)

    assert client.get("/author/gone-writer/").status_code == 404


def test_public_pages_are_cacheable_for_the_configured_lifetime(client, settings, article):
    settings.PUBLIC_CACHE_SECONDS = 90

    response = client.get(article.get_absolute_url())

    assert "public" in response["Cache-Control"] and "max-age=90" in response["Cache-Control"]


def test_pages_refuse_unsafe_methods(client, article):
    assert client.post(article.get_absolute_url()).status_code in (403, 405)
    assert client.head(article.get_absolute_url()).status_code == 200


def test_demo_notice_shows_only_for_demo_outlets(client, article):
    make_outlet(name="Real Outlet")
    assert "demo outlet" not in get_text(client, "/")

    from masthead.newsroom.models import Outlet

    outlet = Outlet.objects.get()
    outlet.is_demo = True
    outlet.save()  # as the admin does: a save bumps the "site" version
    assert "This is a demo outlet" in get_text(client, "/")


def test_article_pages_ask_a_bounded_number_of_queries(
    client, article, django_assert_max_num_queries
):
    for number in range(10):
        make_story(f"Other {number}", desk=article.desk, authors=list(article.authors.all()))

    # 13: the editions, read once into the cache (newsroom/editions.py), are one of them.
    # + 1: Last-Modified, the last public change of what it shows (site/http.py).
    with django_assert_max_num_queries(14):
        client.get(article.get_absolute_url())


def test_a_story_list_reads_its_cards_pictures_in_one_query(client, article):
    """Each card's ``{% picture %}`` uses renditions read with the list, not a query each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from masthead.site.tests.newsroom_data import make_image

    def queries_for_desk_with(count: int) -> int:
        desk = make_desk(f"Desk of {count}")
        for number in range(count):
            make_story(f"Pictured {count}.{number}", desk=desk, lead_image=make_image())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/{desk.slug}/").status_code == 200
        return len(captured)

    queries_for_desk_with(0)  # what any first page reads once (the editions) is read
    assert queries_for_desk_with(8) == queries_for_desk_with(1)


def _columns(instance) -> list:
    return [(field.attname, getattr(instance, field.attname)) for field in instance._meta.fields]


@pytest.mark.postgres(
    reason="compares PostgreSQL's JSON statement with the ORM (elsewhere both are the ORM)"
)
def test_story_parts_read_in_one_query_match_the_orm(article, django_assert_num_queries):
    """``selectors.story_parts`` (one JSON statement on PostgreSQL) gives what the ORM gives."""
    from django.core.files.base import ContentFile

    from masthead.media.models import Image
    from masthead.media.tests.images import png_bytes
    from masthead.site.selectors import story_parts
    from masthead.stories.models import Byline, Correction

    photo = Image(alt_text='A "quoted" </script> face', caption="Ünïcode — ایران", credit="")
    photo.file.save("face.png", ContentFile(png_bytes()), save=False)
    photo.save()
    first = article.bylines.order_by("position").first().author
    first.photo = photo
    first.bio = "Line one.\n\nLine 'two' & <three>."
    first.save()
    article.tags.add(make_tag("Ämter"), make_tag("zeta"), make_tag('"Quoted" <tag>'))
    now = article.published_at
    for minutes, note in ((30, "Later <b>note</b>"), (5, "Earlier note\nwith a line"), (5, "Tie")):
        Correction.objects.create(
            story=article, note=note, published_at=now + timedelta(minutes=minutes)
        )

    with django_assert_num_queries(1):
        parts = story_parts(article)

    bylines = list(Byline.objects.filter(story=article).select_related("author", "author__photo"))
    assert [_columns(byline) for byline in parts.bylines] == [_columns(b) for b in bylines]
    assert [_columns(b.author) for b in parts.bylines] == [_columns(b.author) for b in bylines]
    assert parts.bylines[0].author.photo.file.url == photo.file.url
    assert _columns(parts.bylines[0].author.photo) == _columns(photo)
    assert parts.bylines[1].author.photo is None
    assert [_columns(tag) for tag in parts.tags] == [_columns(tag) for tag in article.tags.all()]
    assert len(parts.tags) == 5
    corrections = list(article.corrections.all())
    assert [_columns(c) for c in parts.corrections] == [_columns(c) for c in corrections]
    assert [c.note for c in parts.corrections] == [
        "Earlier note\nwith a line",
        "Tie",
        "Later <b>note</b>",
    ]
    with django_assert_num_queries(0):  # every related row is already there
        [(byline.author.name, byline.author.photo) for byline in parts.bylines]


def test_story_without_bylines_tags_or_corrections_has_empty_parts(client):
    from masthead.site.selectors import story_parts

    story = make_story("Alone", authors=[])
    parts = story_parts(story)
    assert (parts.bylines, parts.tags, parts.corrections) == ([], [], [])
    assert ">Alone</h1>" in get_text(client, story.get_absolute_url())


SLUGS = ["plain-slug", "تهران-امروز", "a b&c=d;e+f?g#h%i'j\"k<l>", "colon:at@tilde~", "x"]


@pytest.mark.parametrize("slug", SLUGS)
def test_addresses_of_slugs_are_what_reverse_gives(slug):
    """``slug_address`` (routes reversed once, then filled) builds exactly ``reverse()``'s."""
    from django.urls import reverse, set_script_prefix

    from masthead.newsroom.models import Author, Desk
    from masthead.stories.models import Story, Tag

    desk = Desk(name="D", slug=slug)
    cases = [
        (Author(slug=slug), "site:author", {"slug": slug}),
        (desk, "site:desk", {"desk_slug": slug}),
        (Tag(slug=slug), "site:tag", {"slug": slug}),
        (
            Story(slug=slug + "-story", desk=desk),
            "site:story",
            {"desk_slug": slug, "slug": slug + "-story"},
        ),
    ]
    try:
        for prefix in ("/", "/news room/"):
            set_script_prefix(prefix)
            for record, route, kwargs in cases:
                assert record.get_absolute_url() == reverse(route, kwargs=kwargs)
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("slug", ["", "with/slash"])
def test_slugs_reverse_cannot_take_raise_as_reverse_does(slug):
    from django.urls import NoReverseMatch

    from masthead.newsroom.models import Author, Desk
    from masthead.stories.models import Story, Tag

    for record in (Author(slug=slug), Desk(slug=slug), Tag(slug=slug)):
        with pytest.raises(NoReverseMatch):
            record.get_absolute_url()
    with pytest.raises(NoReverseMatch):
        Story(slug="fine", desk=Desk(slug=slug)).get_absolute_url()


@pytest.mark.postgres(
    reason="compares PostgreSQL's written statement with the ORM (elsewhere both are the ORM)"
)
def test_story_row_read_in_one_statement_matches_the_orm(article, django_assert_num_queries):
    """``selectors.story_row`` (a written statement on PostgreSQL) gives what the ORM gives."""
    from django.core.files.base import ContentFile

    from masthead.media.models import Image
    from masthead.media.tests.images import png_bytes
    from masthead.site.selectors import story_row
    from masthead.stories import versions
    from masthead.stories.models import Story

    image = Image(alt_text="Crowd", caption='A "caption" <b>', credit="AP")
    image.file.save("lead.png", ContentFile(png_bytes()), save=False)
    image.save()
    article.lead_image = image
    article.seo_title = "Ünïcode — ایران 'quoted'"
    article.save()
    versions.bump([f"story:{article.pk}", versions.SITE])
    # The page's edition's front (another edition's here: a parameter of the one statement).
    front = "front:fa"
    versions.bump([front])
    versions.bump([front])
    bare = make_story("No label, no image", desk=article.desk, top_rank=2)

    for story in (article, bare):
        expected = (
            Story.objects.select_related("desk", "label", "lead_image")
            .annotate(
                story_version=versions.story_counter(),
                site_version=versions.counter_of(versions.SITE),
                front_version=versions.counter_of(front),
            )
            .get(pk=story.pk)
        )
        assert expected.front_version == 2
        for found in (story_row(front=front, slug=story.slug), story_row(front=front, pk=story.pk)):
            assert _columns(found) == _columns(expected)
            counters = ("story_version", "site_version", "front_version")
            assert [getattr(found, name) for name in counters] == [
                getattr(expected, name) for name in counters
            ]
            with django_assert_num_queries(0):  # the related rows came with it
                assert _columns(found.desk) == _columns(expected.desk)
                related = (found.label, found.lead_image)
                assert [x and _columns(x) for x in related] == [
                    x and _columns(x) for x in (expected.label, expected.lead_image)
                ]
    assert story_row(front=versions.FRONT, slug=article.slug).story_version >= 1
    assert story_row(front=versions.FRONT, slug="no-such-story") is None
    assert story_row(front=versions.FRONT, pk=10**9) is None
