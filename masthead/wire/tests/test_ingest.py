"""Storing agency copy: items, versions, duplicates, routing, embargo, bad input."""

from __future__ import annotations

import pytest

from masthead.factories import make_desk
from masthead.wire import ingest
from masthead.wire.items import Status
from masthead.wire.models import Source, WireItem, WireItemVersion
from masthead.wire.tests.pipeline_support import ago, ahead, copy, feed, make_rule, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return make_source("Reuters")


def test_items_are_stored_on_the_sources_desk_with_their_values(source):
    report = ingest.store(
        source,
        feed(
            copy(
                "urn:a",
                version="1",
                headline="Quake hits Tehran",
                dek="A strong quake.",
                body_html="<p>It was <b>strong</b>.</p>",
                byline="Jane Doe",
                dateline="TEHRAN",
                language="en",
                urgency=2,
                subjects=["Disaster", "medtop:03000000"],
                url="https://wire.example/a",
                version_created=ago(minutes=5),
            ),
            copy("urn:b"),
        ),
    )
    assert sorted(report.created) == ["urn:a", "urn:b"]
    item = WireItem.objects.get(provider_id="urn:a")
    assert (item.desk, item.headline, item.dek, item.body) == (
        source.desk,
        "Quake hits Tehran",
        "A strong quake.",
        "<p>It was <b>strong</b>.</p>",
    )
    assert (item.byline, item.dateline, item.urgency, item.provider) == (
        "Jane Doe",
        "TEHRAN",
        2,
        "Reuters",
    )
    assert item.subjects == ["Disaster", "medtop:03000000"]
    assert item.versions.count() == 1
    assert Source.objects.get(pk=source.pk).items_received == 2


def test_the_same_document_twice_stores_nothing_new(source):
    document = feed(copy("urn:a", version="1"), copy("urn:b", version="1"))
    ingest.store(source, document)
    before = list(WireItem.objects.values_list("pk", "updated_at", "received_at"))

    report = ingest.store(source, document)

    assert (report.created, report.updated) == ([], [])
    assert sorted(report.unchanged) == ["urn:a", "urn:b"]
    assert list(WireItem.objects.values_list("pk", "updated_at", "received_at")) == before
    assert WireItemVersion.objects.count() == 2
    assert Source.objects.get(pk=source.pk).items_received == 2


def test_a_copy_that_cleans_to_the_same_values_is_unchanged(source):
    ingest.store(source, feed(copy("urn:a", headline="Quake")))
    report = ingest.store(source, feed(copy("urn:a", headline="  Quake ")))
    assert report.unchanged == ["urn:a"]
    assert WireItemVersion.objects.count() == 1


def test_a_new_version_replaces_the_item_and_keeps_its_history(source):
    ingest.store(source, feed(copy("urn:a", version="1", headline="First take")))
    report = ingest.store(source, feed(copy("urn:a", version="2", headline="Second take")))

    assert report.updated == ["urn:a"]
    item = WireItem.objects.get()
    assert (item.version, item.headline) == ("2", "Second take")
    assert list(item.versions.order_by("pk").values_list("version", "headline")) == [
        ("1", "First take"),
        ("2", "Second take"),
    ]
    assert Source.objects.get(pk=source.pk).items_received == 1


def test_changed_content_under_the_same_version_is_a_new_version(source):
    """RSS items carry no version: an edited item is still news."""
    ingest.store(source, feed(copy("guid-1", body_html="<p>Old.</p>")))
    report = ingest.store(source, feed(copy("guid-1", body_html="<p>New.</p>")))
    assert report.updated == ["guid-1"]
    assert WireItem.objects.get().body == "<p>New.</p>"
    assert WireItemVersion.objects.count() == 2


def test_an_older_version_arriving_late_does_not_overwrite_the_newer(source):
    ingest.store(source, feed(copy("urn:a", version="3", headline="Third")))
    report = ingest.store(source, feed(copy("urn:a", version="2", headline="Second")))

    assert report.outdated == ["urn:a"]
    assert WireItem.objects.get().headline == "Third"
    assert sorted(WireItemVersion.objects.values_list("version", flat=True)) == ["2", "3"]
    # … and delivering it again adds nothing more.
    ingest.store(source, feed(copy("urn:a", version="2", headline="Second")))
    assert WireItemVersion.objects.count() == 2


def test_without_version_numbers_the_version_time_decides(source):
    ingest.store(source, feed(copy("urn:a", headline="Later", version_created=ago(minutes=1))))
    report = ingest.store(
        source, feed(copy("urn:a", headline="Earlier", version_created=ago(minutes=30)))
    )
    assert report.outdated == ["urn:a"]
    assert WireItem.objects.get().headline == "Later"


def test_the_same_copy_from_two_sources_is_linked_and_shown_once(source):
    other = make_source("AP")
    text = {"headline": "Oil prices jump", "body_html": "<p>Oil prices jumped on Monday.</p>"}
    ingest.store(source, feed(copy("reuters-1", **text)))
    report = ingest.store(
        other,
        feed(
            copy(
                "ap-9",
                headline="OIL PRICES JUMP!",
                body_html="<div>Oil  prices jumped on Monday</div>",
            )
        ),
    )

    assert report.duplicates == ["ap-9"]
    first, second = (
        WireItem.objects.get(provider_id="reuters-1"),
        WireItem.objects.get(provider_id="ap-9"),
    )
    assert second.duplicate_of == first
    assert list(WireItem.objects.filter(duplicate_of__isnull=True)) == [first]


def test_short_copy_is_not_taken_for_a_duplicate(source):
    ingest.store(source, feed(copy("a", headline="Photo", body_html="")))
    ingest.store(source, feed(copy("b", headline="Photo", body_html="")))
    assert not WireItem.objects.filter(duplicate_of__isnull=False).exists()


def test_routing_rules_are_tried_in_order_and_the_first_match_wins(source):
    economy, politics, flash = make_desk("Economy"), make_desk("Politics"), make_desk("Flash")
    make_rule(source, flash, position=0, max_urgency=1)
    make_rule(source, economy, position=1, keywords="oil, opec")
    make_rule(source, politics, position=2, subjects="Politics, medtop:11000000")

    ingest.store(
        source,
        feed(
            copy("flash", headline="Oil minister resigns", urgency=1),
            copy("oil", headline="OPEC meets", urgency=3),
            copy("spoil", headline="Spoiled harvest", body_html="<p>The crop spoiled.</p>"),
            copy("vote", headline="A vote", subjects=["medtop:11000000"]),
            copy("none", headline="Weather"),
        ),
    )
    desks = dict(WireItem.objects.values_list("provider_id", "desk__name"))
    assert desks == {
        "flash": "Flash",
        "oil": "Economy",
        "spoil": source.desk.name,  # "oil" is not a word of "spoiled"
        "vote": "Politics",
        "none": source.desk.name,
    }


def test_a_rule_matches_only_when_every_filter_it_sets_does(source):
    economy = make_desk("Economy")
    make_rule(source, economy, keywords="oil", max_urgency=2)
    ingest.store(
        source,
        feed(
            copy("slow", headline="Oil news", urgency=5),
            copy("fast", headline="Oil news!", urgency=2),
        ),
    )
    desks = dict(WireItem.objects.values_list("provider_id", "desk__name"))
    assert desks == {"slow": source.desk.name, "fast": "Economy"}


def test_an_item_under_embargo_is_kept_and_held(source):
    until = ahead(hours=3)
    report = ingest.store(source, feed(copy("urn:a", embargoed_until=until)))
    assert report.created == report.held == ["urn:a"]
    assert WireItem.objects.get().embargoed_until == until


def test_newest_items_are_received_last_so_they_sort_first(source):
    ingest.store(
        source,
        feed(
            copy("new", version_created=ago(minutes=1)),
            copy("old", version_created=ago(hours=2)),
        ),
    )
    assert list(WireItem.objects.values_list("provider_id", flat=True)) == ["new", "old"]


# Bad input -----------------------------------------------------------------


def test_html_and_scripts_in_titles_become_plain_text(source):
    ingest.store(
        source,
        feed(
            copy(
                "urn:a",
                headline='<b>Big</b> news <script>alert("x")</script><img src=x onerror=alert(1)>',
                byline="<i>Jane</i>",
                dek="<p>One</p><script>bad()</script>",
                subjects=["<em>Politics</em>"],
            ),
            copy(
                "urn:b",
                headline="&lt;script&gt;alert(1)&lt;/script&gt;Escaped",
                body_html="<p>x</p>",
            ),
            copy("urn:c", headline="AT&T profits < 5% & falling"),
        ),
    )
    items = {item.provider_id: item for item in WireItem.objects.all()}
    assert items["urn:a"].headline == "Big news"
    assert (items["urn:a"].byline, items["urn:a"].dek) == ("Jane", "One")
    assert items["urn:a"].subjects == ["Politics"]
    assert "<" not in items["urn:b"].headline and "alert" not in items["urn:b"].headline
    assert items["urn:c"].headline == "AT&T profits < 5% & falling"


def test_bodies_go_through_the_one_sanitiser_and_javascript_links_are_dropped(source):
    ingest.store(
        source,
        feed(
            copy(
                "urn:a",
                body_html='<p onclick="x()">Hi <a href="javascript:alert(1)">link</a>'
                "<script>steal()</script></p>",
                url="javascript:alert(1)",
            )
        ),
    )
    item = WireItem.objects.get()
    assert "javascript" not in item.body and "script" not in item.body
    assert "onclick" not in item.body
    assert item.url == ""
    assert any("link" in problem for problem in item.problems)


def test_duplicate_ids_in_one_document_store_the_first_and_say_so(source):
    report = ingest.store(
        source, feed(copy("dup", headline="First"), copy("dup", headline="Second"))
    )
    assert WireItem.objects.get().headline == "First"
    assert report.created == ["dup"]
    assert any("appears twice" in reason for reason in report.refused)


def test_items_without_an_id_or_any_text_are_refused_with_a_reason(source):
    report = ingest.store(
        source,
        feed(
            copy("", headline="No id"),
            copy("   "),
            copy("urn:empty", headline="", body_html="", dek=""),
            copy("urn:ok"),
            refused=["item 7: no id"],
        ),
    )
    assert report.created == ["urn:ok"]
    assert len(report.refused) == 4
    assert "item 7: no id" in report.refused
    assert any("no headline and no text" in reason for reason in report.refused)


def test_an_item_without_a_headline_gets_its_first_words(source):
    ingest.store(source, feed(copy("urn:a", headline="", body_html="<p>Quake hits the north.</p>")))
    item = WireItem.objects.get()
    assert item.headline == "Quake hits the north."
    assert item.problems


def test_dates_far_in_the_future_or_past_are_flagged_and_never_sort_first(source):
    ingest.store(source, feed(copy("normal", version_created=ago(minutes=10))))
    report = ingest.store(
        source,
        feed(
            copy("future", version_created=ahead(days=3650), first_created=ahead(days=3650)),
            copy("ancient", version_created=ago(days=365 * 60)),
        ),
    )
    assert sorted(report.created) == ["ancient", "future"]
    future = WireItem.objects.get(provider_id="future")
    assert (future.version_created, future.first_created) == (None, None)
    assert any("not plausible" in problem for problem in future.problems)
    assert WireItem.objects.get(provider_id="ancient").version_created is None
    queue = list(WireItem.objects.values_list("provider_id", flat=True))
    assert queue[-1] == "normal" and queue.index("future") < 2  # by when we received them


def test_overlong_fields_are_cut_with_a_note(source):
    ingest.store(source, feed(copy("urn:a", headline="word " * 300, byline="x" * 400)))
    item = WireItem.objects.get()
    assert len(item.headline) <= 500 and item.headline.endswith("…")
    assert len(item.byline) <= 300
    assert any("headline" in problem for problem in item.problems)


def test_unknown_status_and_impossible_urgency_are_noted(source):
    ingest.store(source, feed(copy("urn:a", status="exploded", urgency=42)))
    item = WireItem.objects.get()
    assert (item.status, item.urgency) == (Status.WITHHELD, None)
    assert len(item.problems) == 2


def test_a_document_of_more_than_the_cap_is_cut_with_a_message(source, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_ITEMS", 3)
    report = ingest.store(source, feed(*(copy(f"urn:{n}") for n in range(5))))
    assert len(report.created) == 3
    assert any("only the first 3" in reason for reason in report.refused)


def test_a_fault_in_one_item_leaves_no_part_of_it_and_the_others_go_in(source, settings):
    calls = []

    def fail_on_third():
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")

    settings.FAILPOINTS = {"wire.store.item": fail_on_third}
    report = ingest.store(source, feed(*(copy(f"urn:{n}") for n in range(5))))

    assert len(report.created) == 4
    assert report.failed and "disk on fire" in report.failed[0]
    failed_id = report.failed[0].split("'")[1]
    assert not WireItem.objects.filter(provider_id=failed_id).exists()
    assert not WireItemVersion.objects.filter(item__provider_id=failed_id).exists()
    assert Source.objects.get(pk=source.pk).items_received == 4
    # The next delivery stores it.
    settings.FAILPOINTS = {}
    assert ingest.store(source, feed(*(copy(f"urn:{n}") for n in range(5)))).created == [failed_id]


def test_an_item_another_store_creates_meanwhile_ends_as_one_row_updated(source, monkeypatch):
    # Another worker stores the same new item after this store looked up the
    # ids it already has: the unique constraint refuses the second insert,
    # and the item is stored again, as an update of the other's row.
    ingest.store(source, feed(copy("urn:race", headline="The other worker's headline")))
    monkeypatch.setattr(ingest, "_stored_digests", lambda source, ids: {})

    report = ingest.store(source, feed(copy("urn:race", headline="This worker's headline")))

    assert (report.created, report.updated, report.failed) == ([], ["urn:race"], [])
    item = WireItem.objects.get(provider_id="urn:race")
    assert item.headline == "This worker's headline"
    assert item.versions.count() == 2
    assert Source.objects.get(pk=source.pk).items_received == 1
