"""What readers and machines see of a story's sourcing and the outlet's standards (issue 11).

The "How we reported this" box, the type of work, the dateline's kind, the
collective byline's note, author expertise, and the JSON-LD that carries the
same — validated against the schema.org vocabulary (release 30.0, reduced to
types and property domains in ``schemas/schemaorg-vocabulary.json``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError

from masthead.factories import make_author, make_label, make_story, make_user
from masthead.newsroom.models import Author, PolicyPage
from masthead.site.reporting import merged_credits
from masthead.site.tests.newsroom_data import make_newsroom, publish_update
from masthead.sourcing.kinds import clean_sources
from masthead.stories.models import Correction, Label, Story
from masthead.wire.attribution import BasedOn, Credits

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
VOCABULARY = Path(__file__).parent / "schemas" / "schemaorg-vocabulary.json"
SEED_SOURCES = [
    {"kind": "outlet_report", "outlet": "Reuters", "title": "Trump called off strikes on Iran",
     "url": "https://www.reuters.example/world/a", "date": "2026-06-20", "paragraphs": [1]},
    {"kind": "outlet_report", "outlet": "The New York Times", "paragraphs": [3]},
    {"kind": "unnamed", "description": "US officials", "count": 2,
     "anonymity_reason": "Not authorised to discuss the talks.", "how_known": "STAFF-ONLY",
     "paragraphs": [2]},
    {"kind": "response", "party": "Spokesman of the SNSC", "outcome": "denied",
     "summary": "No message was exchanged.", "url": "https://snsc.example/statement"},
    {"kind": "response", "party": "The White House", "outcome": "no_response"},
    {"kind": "wire", "wire_item": 7, "provider": "AFP", "headline": "Iran denies message",
     "url": "https://afp.example/b"},
    {"kind": "document", "title": "Sanctions list", "publisher": "US Treasury",
     "url": "https://treasury.example/list"},
    {"kind": "statement", "speaker": "Foreign ministry", "summary": "Talks continue.",
     "url": "https://mfa.example/s", "date": "2026-06-21"},
    {"kind": "statement", "speaker": "An aide", "summary": "No address for this one."},
    {"kind": "person", "name": "Ali Vaez", "role": "Analyst", "on_record": True},
    {"kind": "own_reporting", "where": "Tehran", "when": "21 June", "summary": "We called."},
]  # fmt: skip


@pytest.fixture
def newsroom():
    return make_newsroom()


def sourced(newsroom, **fields) -> Story:
    story = newsroom.story
    values = {
        "sources": clean_sources(SEED_SOURCES),
        "method_note": "We compared the reports and asked both governments.",
        "body": '<p>One.</p><p>Two.</p><p dir="auto">Three.</p>',
        **fields,
    }
    Story.objects.filter(pk=story.pk).update(**values)
    return Story.objects.get(pk=story.pk)


def page(client, story: Story) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def box_of(html: str) -> str:
    start = html.index('<section class="how-reported"')
    return html[start : html.index("</section>", start)]


def blocks(html: str) -> list[dict]:
    return [json.loads(block) for block in LD_JSON.findall(html)]


def article_of(html: str) -> dict:
    return next(block for block in blocks(html) if block["@type"] != "BreadcrumbList")


# The box --------------------------------------------------------------------


def test_the_box_shows_every_public_source_by_kind(client, newsroom):
    story = sourced(newsroom)

    box = box_of(page(client, story))

    headings = re.findall(r'<h3 class="how-reported__kind">([^<]+)</h3>', box)
    assert headings == [
        "Our reporting", "People quoted", "Unnamed sources", "Official statements", "Responses",
        "Reports by other outlets", "Documents and data", "Agency copy", "Who answers for it",
        "What changed and when",
    ]  # fmt: skip
    assert 'aria-labelledby="how-reported-title"' in box
    assert (
        '<a href="https://www.reuters.example/world/a" rel="nofollow noopener" dir="auto">'
        "Trump called off strikes on Iran</a>"
    ) in box
    assert "US officials" in box and "(2 sources)" in box
    assert "Not authorised to discuss the talks." in box
    assert "STAFF-ONLY" not in page(client, story)
    assert "denied" in box and "response sought, none received by publication" in box
    assert "We compared the reports and asked both governments." in box
    assert "AFP" in box and "Iran denies message" in box
    assert "(on the record)" in box
    assert "The Politics desk is edited by" in box or "Who answers for it" in box


def test_paragraph_pointers_link_to_anchored_paragraphs(client, newsroom):
    story = sourced(newsroom)

    html = page(client, story)

    assert '<p id="p-1">One.</p><p id="p-2">Two.</p><p id="p-3" dir="auto">Three.</p>' in html
    assert '(paragraph <a href="#p-2">2</a>)' in box_of(html)


def test_a_pointer_past_the_last_paragraph_is_not_shown(client, newsroom):
    story = sourced(newsroom, body="<p>Only one paragraph now.</p>")

    box = box_of(page(client, story))

    assert 'href="#p-3"' not in box and 'href="#p-2"' not in box
    assert 'href="#p-1"' in box


def test_a_story_without_sources_keeps_its_body_as_stored(client, newsroom):
    html = page(client, newsroom.story)

    assert "<p>First paragraph of the report.</p>" in html
    assert "how-reported" not in html


def test_what_changed_links_to_the_corrections(client, newsroom):
    story = sourced(newsroom)
    Correction.objects.create(story=story, kind="correction", note="The date was wrong.")
    Correction.objects.create(story=story, kind="update", note="Added the denial.")
    Correction.objects.create(story=story, kind="update", note="Added a reaction.")

    box = box_of(page(client, story))

    assert "1 correction and 2 updates since publication" in box
    assert 'href="#corrections-title"' in box


def test_hostile_source_text_stays_text(client, newsroom):
    hostile = "<script>alert(1)</script>\u202eevil"
    story = sourced(
        newsroom,
        sources=clean_sources(
            [{"kind": "unnamed", "description": hostile, "anonymity_reason": '"><img src=x>'}]
        ),
    )

    html = page(client, story)

    assert "<script>alert(1)" not in html and "<img src=x>" not in html
    assert "\u202e" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in box_of(html)


def test_an_update_to_the_sources_shows_on_the_cached_page(client, newsroom):
    story = sourced(newsroom)
    assert "Le Monde" not in page(client, story)

    publish_update(
        newsroom,
        story,
        # The seed's wire source names an item this test has none of (the box's
        # wire tests are below), and its unnamed source no editor approved: the
        # update keeps the other sources and adds a report.
        sources=[
            *(source for source in story.sources if source["kind"] not in ("wire", "unnamed")),
            {"kind": "outlet_report", "outlet": "Le Monde"},
        ],
    )

    assert "Le Monde" in box_of(page(client, story))


def test_wire_copy_is_merged_once(newsroom):
    credits = Credits(
        [
            BasedOn("Iran denies message", "AFP", "https://afp.example/b", 7),
            BasedOn("Strikes called off", "Reuters", "", 8),
        ]
    )

    merged = merged_credits(credits, clean_sources(SEED_SOURCES))

    assert [work.headline for work in merged.works] == ["Iran denies message", "Strikes called off"]
    assert merged.agencies == ["AFP", "Reuters"]


def test_wire_sources_alone_name_the_agency_in_the_byline(client, newsroom):
    story = sourced(newsroom)

    html = page(client, story)

    assert 'Based on reporting by <span dir="auto">AFP</span>.' in html
    assert '<a href="#how-we-reported">How we reported this</a>' in html


# Type of work, dateline, collective byline -------------------------------------


def test_the_type_of_work_is_explained(client, newsroom):
    html = page(client, newsroom.story)  # labelled Analysis

    assert "Analysis: interpretation of the news based on evidence." in html


@pytest.mark.parametrize(
    ("kind", "words"), [("reported", "Reported from"), ("written", "Written from"), ("", "")]
)
def test_the_dateline_says_whether_we_were_there(client, newsroom, kind, words):
    story = sourced(newsroom, dateline_kind=kind)

    html = page(client, story)
    article = article_of(html)

    if words:
        assert f'<span class="dateline__kind">{words}</span> ' in html
    else:
        assert "dateline__kind" not in html
    if kind == "reported":
        assert article["contentLocation"] == {"@type": "Place", "name": "Tehran"}
    else:  # written from Tehran, or not said: no claim about where it was reported
        assert "contentLocation" not in article


def test_a_collective_byline_says_what_it_means_and_links_the_policy(client, newsroom):
    PolicyPage.objects.create(
        kind="no_bylines", title="No bylines", slug="no-bylines", summary="Some stories are ours."
    )

    html = page(client, newsroom.story)

    assert "IFP Editorial Staff</span> is a collective byline" in html
    assert '(<span dir="auto">Some stories are ours.</span>)' in html
    assert '<a href="/policies/no-bylines/">Why some stories carry no personal byline</a>' in html
    author_page = client.get(newsroom.staff.get_absolute_url()).content.decode()
    assert "is a collective byline" in author_page and "/policies/no-bylines/" in author_page


def test_an_unpublished_policy_is_not_linked(client, newsroom):
    PolicyPage.objects.create(kind="no_bylines", title="Draft", slug="draft", is_published=False)

    html = page(client, newsroom.story)

    assert "is a collective byline" in html and "/policies/draft/" not in html


# JSON-LD ------------------------------------------------------------------------


@cache
def vocabulary() -> dict:
    return json.loads(VOCABULARY.read_text())


def supertypes(name: str) -> set[str]:
    found, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(vocabulary()["types"].get(current, []))
    return found


def assert_valid(node, where: str = "$") -> None:
    """Every type and property is schema.org's, and each property fits its type."""
    if isinstance(node, list):
        for number, item in enumerate(node):
            assert_valid(item, f"{where}[{number}]")
        return
    if not isinstance(node, dict):
        return
    if "@graph" in node:
        assert_valid(node["@graph"], f"{where}.@graph")
        return
    kind = node.get("@type")
    if kind is None:
        assert set(node) <= {"@id"}, f"{where}: untyped node {sorted(node)}"
        return
    assert kind in vocabulary()["types"], f"{where}: {kind} is not a schema.org type"
    family = supertypes(kind)
    for name, value in node.items():
        if name.startswith("@"):
            continue
        domains = vocabulary()["properties"].get(name)
        assert domains is not None, f"{where}: {name} is not a schema.org property"
        assert family & set(domains), f"{where}: {name} does not apply to {kind}"
        assert_valid(value, f"{where}.{name}")


def test_article_json_ld_carries_the_sourcing_and_validates(client, newsroom):
    story = sourced(newsroom, dateline_kind="reported")

    html = page(client, story)
    article = article_of(html)

    for block in blocks(html):
        assert_valid(block)
    assert [work.get("url") for work in article["citation"]] == [
        "https://www.reuters.example/world/a",
        None,  # the NYT report: cited by name, no address given
        "https://treasury.example/list",
        "https://mfa.example/s",  # the statement without an address is not cited
    ]
    assert article["citation"][0] == {
        "@type": "NewsArticle",
        "headline": "Trump called off strikes on Iran",
        "publisher": {"@type": "Organization", "name": "Reuters"},
        "url": "https://www.reuters.example/world/a",
        "datePublished": "2026-06-20",
    }
    assert article["citation"][1] == {
        "@type": "NewsArticle",
        "headline": "Report by The New York Times",
        "publisher": {"@type": "Organization", "name": "The New York Times"},
    }
    assert article["isBasedOn"] == [
        {"@type": "CreativeWork", "name": "Iran denies message", "url": "https://afp.example/b",
         "publisher": {"@type": "Organization", "name": "AFP"}},
    ]  # fmt: skip
    assert article["backstory"] == "We compared the reports and asked both governments."
    assert "STAFF-ONLY" not in html


def test_every_kind_of_label_and_the_publisher_validate(client, newsroom):
    for kind in PolicyPage.SCHEMA_PROPERTIES:
        PolicyPage.objects.create(kind=kind, title=f"P {kind}", slug=f"p-{kind}")
    for kind, _ in Label.Kind.choices:
        story = make_story(f"Typed {kind}", desk=newsroom.desk, label=make_label(kind, kind=kind))
        for block in blocks(page(client, story)):
            assert_valid(block)

    publisher = article_of(page(client, newsroom.story))["publisher"]

    assert set(PolicyPage.SCHEMA_PROPERTIES.values()) | {"masthead", "publishingPrinciples"} <= set(
        publisher
    )
    for block in blocks(client.get("/").content.decode()):
        assert_valid(block)


def test_the_validator_refuses_what_schema_org_does_not_have():
    with pytest.raises(AssertionError, match=r"not a schema\.org property"):
        assert_valid({"@type": "NewsArticle", "sourceOfTruth": "x"})
    with pytest.raises(AssertionError, match="does not apply"):
        assert_valid({"@type": "Person", "articleBody": "x"})
    with pytest.raises(AssertionError, match=r"not a schema\.org type"):
        assert_valid({"@type": "LeakedArticle"})


# Author expertise ---------------------------------------------------------------


def expert(**fields) -> Author:
    values = {
        "job_title": "Diplomatic correspondent",
        "expertise": "Iranian foreign policy\nNuclear talks",
        "languages": "English, Persian",
        "location": "Tehran",
        "other_work": "https://scholar.example/nima\nhttps://social.example/@nima",
        "email": "nima@ifp.example",
        **fields,
    }
    author = Author(name="Nima Expert", slug="nima-expert", **values)
    author.full_clean()  # as every form does before saving
    author.save()
    return author


def test_the_author_page_shows_expertise_and_describes_a_person(client, newsroom):
    author = expert()
    make_story("By the expert", desk=newsroom.desk, authors=[author])

    html = client.get(author.get_absolute_url()).content.decode()

    assert '<dt>Covers</dt><dd dir="auto">Iranian foreign policy, Nuclear talks</dd>' in html
    assert "English, Persian" in html and "Tehran" in html
    assert 'href="https://scholar.example/nima" rel="me nofollow noopener"' in html
    (profile,) = blocks(html)
    assert_valid(profile)
    person = profile["mainEntity"]
    assert person["@type"] == "Person"
    assert person["knowsAbout"] == ["Iranian foreign policy", "Nuclear talks"]
    assert person["knowsLanguage"] == ["English", "Persian"]
    assert person["workLocation"] == {"@type": "Place", "name": "Tehran"}
    assert person["sameAs"] == ["https://scholar.example/nima", "https://social.example/@nima"]
    assert person["email"] == "nima@ifp.example"


def test_the_article_describes_its_authors_and_collectives(client, newsroom):
    author = expert()
    story = make_story("Two bylines", desk=newsroom.desk, authors=[author, newsroom.staff])

    authors = article_of(page(client, story))["author"]

    assert authors[0]["knowsAbout"] == ["Iranian foreign policy", "Nuclear talks"]
    assert authors[1] == {
        "@type": "Organization",
        "name": "IFP Editorial Staff",
        "url": "http://testserver/author/ifp-editorial-staff/",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("other_work", "javascript:alert(1)", "web address"),
        ("other_work", "https://ok.example\nftp://files.example", "web address"),
        ("other_work", "https://a.example/ b", "web address"),
        ("other_work", "\n".join(f"https://x.example/{n}" for n in range(13)), "At most"),
        ("expertise", "x" * 121, "at most 120"),
        ("expertise", "\n".join(f"topic {n}" for n in range(21)), "At most"),
        ("languages", ",".join(["Persian"] * 13), "At most"),
        ("location", "x" * 121, "at most 120"),
    ],
)
def test_hostile_author_expertise_is_refused(field, value, message):
    author = make_author("Hostile")
    setattr(author, field, value)

    with pytest.raises(ValidationError, match=message):
        author.full_clean()


def test_markup_and_controls_in_author_expertise_are_plain_text(client, newsroom):
    author = expert(
        expertise="<b>Oil</b>\u202e\nSanctions\x00",
        languages="English,, Persian,",
        location=" Qom\n",
    )

    assert author.expertise == "<b>Oil</b>\nSanctions"
    assert author.languages == "English, Persian"
    assert author.location == "Qom"
    html = client.get(author.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Oil&lt;/b&gt;" in html and "<b>Oil</b>" not in html


def test_editors_edit_expertise_in_the_admin(rf, newsroom):
    """The admin's author form (where editors edit authors) runs the same rules."""
    request = rf.get("/admin/")
    request.user = make_user("chief", is_staff=True, is_superuser=True)
    model_admin = admin_site._registry[Author]
    author = newsroom.reporter
    form_class = model_admin.get_form(request, author)
    assert {"expertise", "languages", "location", "other_work"} <= set(form_class.base_fields)
    data = {
        "name": author.name, "slug": author.slug, "kind": "person", "is_active": "on",
        "expertise": "Elections", "languages": "Persian", "location": "Tehran",
        "other_work": "javascript:alert(1)",
    }  # fmt: skip

    refused = form_class(data, instance=author)

    assert not refused.is_valid() and "web address" in str(refused.errors["other_work"])
    data["other_work"] = "https://elsewhere.example/nima"
    accepted = form_class(data, instance=author)
    assert accepted.is_valid(), accepted.errors
    accepted.save()
    author.refresh_from_db()
    assert (author.expertise, author.other_work) == ("Elections", "https://elsewhere.example/nima")
