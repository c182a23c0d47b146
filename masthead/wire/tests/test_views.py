"""The wire queue pages (masthead/wire/views.py) through the test client:
who sees which desk's items, what the queue shows, the item page, the
polling endpoint, and writing a story from items, end to end."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from masthead.stories import services
from masthead.stories.models import Story
from masthead.wire import queue as wire_queue
from masthead.wire.items import Status
from masthead.wire.models import Seen, StoryBasis, WireItemVersion
from masthead.wire.tests.conftest import make_item

pytestmark = pytest.mark.django_db

QUEUE = "/desk/wire/"


def rows_of(response) -> list[str]:
    """The headlines of the queue's rows, top to bottom."""
    html = response.content.decode()
    return re.findall(r'class="wire-item__headline" dir="auto">([^<]*)</a>', html)


def poll(client, desk, since, **params):
    query = {"desk": desk.slug, "since": since.isoformat(), **params}
    return client.get(reverse("wire:poll"), query)


# Who sees what -------------------------------------------------------------------


@pytest.mark.parametrize("address", [QUEUE, "/desk/wire/poll/", "/desk/wire/items/1/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, address):
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert "no-store" in response["Cache-Control"]


def test_writing_needs_a_login_too(client, source):
    item = make_item(source)
    response = client.post(reverse("wire:write"), {"item": item.pk, "desk": source.desk.pk})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not Story.objects.exists()


def test_an_account_without_a_staff_role_is_refused(client_for, source):
    response = client_for("reader").get(QUEUE)
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["writer", "editor"])
def test_desk_staff_see_their_desk_only(client_for, name, source, other_source, other_desk):
    mine = make_item(source, "Ours")
    theirs = make_item(other_source, "Theirs")
    client = client_for(name)

    response = client.get(QUEUE)
    assert response.status_code == 200
    assert rows_of(response) == ["Ours"]
    assert client.get(QUEUE, {"desk": other_desk.slug}).status_code == 404
    assert client.get(reverse("wire:item", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("wire:item", args=[mine.pk])).status_code == 200
    assert poll(client, other_desk, timezone.now()).status_code == 404


@pytest.mark.parametrize("name", ["other_writer", "other_editor"])
def test_another_desks_staff_cannot_open_or_use_this_desks_items(client_for, name, source):
    item = make_item(source, "Ours")
    client = client_for(name)
    assert client.get(reverse("wire:item", args=[item.pk])).status_code == 404
    response = client.post(reverse("wire:write"), {"item": item.pk, "desk": item.desk.pk})
    assert response.status_code == 404
    assert "Ours" not in client.get(QUEUE).content.decode()
    assert not Story.objects.exists() and not Seen.objects.exists()


@pytest.mark.parametrize("name", ["chief", "admin"])
def test_chief_editors_and_administrators_see_every_desk(
    client_for, name, source, other_source, desk, other_desk
):
    make_item(source, "Ours")
    make_item(other_source, "Theirs")
    client = client_for(name)
    page = client.get(QUEUE).content.decode()
    assert 'id="queue-desk"' in page  # the desk switcher
    assert rows_of(client.get(QUEUE, {"desk": desk.slug})) == ["Ours"]
    assert rows_of(client.get(QUEUE, {"desk": other_desk.slug})) == ["Theirs"]


def test_the_back_office_menu_leads_to_the_wire(client_for, source):
    page = client_for("writer").get("/desk/").content.decode()
    assert f'href="{QUEUE}"' in page and ">Wire</a>" in page


# What the queue shows -------------------------------------------------------------


def test_newest_first_with_urgency_held_killed_in_words(client_for, source):
    make_item(source, "Routine", urgency=5, age=timedelta(minutes=40))
    make_item(source, "Embargoed budget", age=timedelta(minutes=30),
              embargoed_until=timezone.now() + timedelta(hours=2))  # fmt: skip
    killed = make_item(source, "Wrong casualty count", age=timedelta(minutes=20))
    killed.status = Status.CANCELED
    killed.save()
    WireItemVersion.objects.create(
        item=killed, headline="KILL", dek="The figure was not confirmed.", status=Status.CANCELED
    )
    make_item(source, "Urgent thing", urgency=2, age=timedelta(minutes=10))
    make_item(source, "Flash thing", urgency=1)

    response = client_for("writer").get(QUEUE)
    html = response.content.decode()

    assert rows_of(response) == [
        "Flash thing", "Urgent thing", "Wrong casualty count", "Embargoed budget", "Routine",
    ]  # fmt: skip
    assert "wire-urgency--1" in html and ">Flash</span>" in html
    assert "wire-urgency--2" in html and ">Urgent</span>" in html
    assert "Held until" in html
    assert re.search(r"<del[^>]*>.*Wrong casualty count", html)
    assert "The figure was not confirmed." in html
    # A killed item cannot be chosen for a story.
    assert re.search(rf'value="{killed.pk}"[^>]*disabled', html)


def test_duplicates_fold_under_the_first_copy(client_for, source, desk):
    from masthead.wire.models import Source

    second_source = Source.objects.create(
        name="AP wire", slug="ap", kind=Source.Kind.RSS, provider="AP", desk=desk
    )
    first = make_item(source, "Same story", age=timedelta(minutes=5))
    make_item(second_source, "Same story (AP)", duplicate_of=first)

    response = client_for("writer").get(QUEUE)
    assert rows_of(response) == ["Same story"]
    assert "1 more copy of this item" in response.content.decode()
    assert ">AP wire</a>" in response.content.decode()


def test_search_and_filters(client_for, people, source, desk):
    from masthead.wire.models import Source

    agency = Source.objects.create(
        name="AP wire", slug="ap", kind=Source.Kind.RSS, provider="AP", desk=desk
    )
    make_item(source, "Oil prices climb", urgency=4, age=timedelta(days=2))
    make_item(source, "Football results", body="<p>Esteghlal won.</p>", dek="")
    seen = make_item(agency, "Flash from AP", urgency=1)
    Seen.objects.create(item=seen, user=people["writer"])
    client = client_for("writer")

    def headlines(**params):
        return rows_of(client.get(QUEUE, {"desk": desk.slug, **params}))

    assert headlines(q="oil") == ["Oil prices climb"]
    assert headlines(q="esteghlal") == ["Football results"]  # the text, too
    assert headlines(source=agency.pk) == ["Flash from AP"]
    assert headlines(urgency="2") == ["Flash from AP"]
    assert headlines(urgency="4") == ["Flash from AP", "Oil prices climb"]
    today = timezone.localdate()
    assert "Oil prices climb" not in headlines(day=today.isoformat())
    assert headlines(day=(today - timedelta(days=2)).isoformat()) == ["Oil prices climb"]
    assert headlines(unseen="on") == ["Football results", "Oil prices climb"]
    # A filter not understood is left out, and the page says so.
    response = client.get(QUEUE, {"desk": desk.slug, "urgency": "x", "day": "tomorrow"})
    assert response.status_code == 200 and "were not understood" in response.content.decode()


def test_pagination(client_for, source):
    for number in range(wire_queue.PAGE_SIZE + 2):
        make_item(source, f"Item {number:03}", age=timedelta(seconds=number))
    client = client_for("writer")
    first = client.get(QUEUE)
    assert len(rows_of(first)) == wire_queue.PAGE_SIZE
    assert 'Older <span class="flip-in-rtl" aria-hidden="true">→</span>' in first.content.decode()
    second = client.get(QUEUE, {"page": 2})
    assert rows_of(second) == ["Item 050", "Item 051"]
    assert client.get(QUEUE, {"page": "0"}).status_code == 404


def test_hostile_item_content_is_inert(client_for, source):
    item = make_item(
        source,
        '<script>alert("h")</script><img src=x onerror=alert(1)>',
        dek='"><script>alert("d")</script>',
        body='<p>Body<script>alert("b")</script><a href="javascript:alert(1)">x</a></p>',
        url="javascript:alert(document.cookie)",
        subjects=["<b>bold</b>"],
        problems=["<script>alert('p')</script>"],
    )
    client = client_for("writer")
    for response in (client.get(QUEUE), client.get(reverse("wire:item", args=[item.pk]))):
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
        assert "javascript:" not in html
        assert "&lt;script&gt;alert(&quot;h&quot;)&lt;/script&gt;" in html
        assert "<b>bold</b>" not in html
    data = poll(client, item.desk, timezone.now() - timedelta(minutes=1)).json()
    assert "<script>alert" not in data["rows"][0]["html"]
    assert data["rows"][0]["headline"] == item.headline  # JSON: text, set as text by the script


def test_the_queue_page_has_no_inline_script(client_for, source):
    html = client_for("writer").get(QUEUE).content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "wire/queue" in html and "data-poll-url" in html


# The item page -------------------------------------------------------------------


def test_the_item_page_shows_versions_with_a_diff_and_who_saw_it(client_for, people, source):
    item = make_item(
        source, "Minister resigns", provider_id="urn:x:1", urgency=2,
        subjects=["Politics", "Government"], url="https://agency.example.com/item/1",
        embargoed_until=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    WireItemVersion.objects.create(
        item=item, version="2", headline="Minister resigns over scandal",
        body="<p>First paragraph.</p><p>Second paragraph, corrected.</p>",
        is_correction=True, received_at=timezone.now() + timedelta(seconds=1),
    )  # fmt: skip
    Seen.objects.create(item=item, user=people["editor"])

    response = client_for("writer").get(reverse("wire:item", args=[item.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert Seen.objects.filter(item=item, user=people["writer"]).exists()
    assert "<li>Hamid, " in html and "<li>Nima, " in html  # seen by both
    assert "<ins> over scandal</ins>" in html
    assert "<ins>, corrected</ins>" in html
    assert "Politics, Government" in html
    assert "Embargoed" in html and "Urgent" in html
    assert '<a href="https://agency.example.com/item/1" rel="noopener noreferrer"' in html


def test_the_item_page_lists_stories_written_from_it(client_for, people, source, desk):
    client = client_for("writer")
    item = make_item(source, "Talks resume")
    client.post(reverse("wire:write"), {"item": item.pk, "desk": desk.pk})
    html = client.get(reverse("wire:item", args=[item.pk])).content.decode()
    story = Story.objects.get()
    assert f'href="/desk/stories/{story.pk}/"' in html


# Polling -----------------------------------------------------------------------


def test_polling_returns_what_is_new_since_the_last_answer(client_for, source):
    make_item(source, "Old news", age=timedelta(hours=1))
    client = client_for("writer")
    since = timezone.now()

    assert poll(client, source.desk, since).json()["rows"] == []

    flash = make_item(source, "Breaking: flash", urgency=1)
    answer = poll(client, source.desk, since)
    assert answer["Content-Type"] == "application/json"
    assert "no-store" in answer["Cache-Control"]
    data = answer.json()
    assert [row["id"] for row in data["rows"]] == [flash.pk]
    row = data["rows"][0]
    assert row["urgent"] is True and row["headline"] == "Breaking: flash"
    assert f'id="wire-item-{flash.pk}"' in row["html"] and "Flash" in row["html"]
    # The next poll starts a little before this answer (late commits are not lost).
    assert timezone.datetime.fromisoformat(data["since"]) < timezone.now()


def test_polling_respects_filters_and_folds_copies(client_for, source, desk):
    since = timezone.now() - timedelta(seconds=1)
    first = make_item(source, "Quake", urgency=1, age=timedelta(hours=2))
    make_item(source, "Quake (copy)", duplicate_of=first)
    make_item(source, "Routine", urgency=6)
    client = client_for("writer")

    rows = poll(client, desk, since).json()["rows"]
    assert [row["id"] for row in rows][-1] == first.pk  # brought by its new copy
    assert "Routine" in [row["headline"] for row in rows]
    urgent_only = poll(client, desk, since, urgency="2").json()["rows"]
    assert [row["headline"] for row in urgent_only] == ["Quake"]


@pytest.mark.parametrize("since", ["", "yesterday", "2026-01-01T10:00:00"])
def test_polling_without_a_clear_time_is_refused(client_for, source, since):
    response = client_for("writer").get(
        reverse("wire:poll"), {"desk": source.desk.slug, "since": since}
    )
    assert response.status_code == 400
    assert "since" in response.json()["error"]


# Writing a story, end to end ---------------------------------------------------------


def test_write_a_story_from_an_item_then_publish_it_naming_the_agency(
    client_for, people, source, desk
):
    item = make_item(
        source, "Ceasefire holds in the south", body="<p>The ceasefire held overnight.</p>",
        url="https://www.reuters.example/world/ceasefire", urgency=2,
    )  # fmt: skip
    writer = client_for("writer")

    response = writer.post(reverse("wire:write"), {"item": item.pk, "desk": desk.pk})

    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:story", args=[story.pk])
    page = writer.get(response["Location"]).content.decode()
    assert "Based on wire items" in page and "Ceasefire holds in the south" in page
    assert 'value="Ceasefire holds in the south"' in page  # the editable headline
    assert StoryBasis.objects.filter(story=story, item=item).exists()

    editor = people["editor"]
    services.submit_story(people["writer"], story)
    services.claim_story(editor, story)
    services.publish_story(editor, story)

    public = client_for("reader").get(story.get_absolute_url())
    html = public.content.decode()
    assert public.status_code == 200
    assert 'Based on reporting by <span dir="auto">Reuters</span>.' in html
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    article = next(json.loads(b) for b in blocks if '"isBasedOn"' in b)
    assert article["isBasedOn"] == [
        {
            "@type": "CreativeWork",
            "name": "Ceasefire holds in the south",
            "url": "https://www.reuters.example/world/ceasefire",
            "publisher": {"@type": "Organization", "name": "Reuters"},
        }
    ]


def test_several_selected_items_make_one_story(client_for, source, desk):
    first = make_item(source, "First report", age=timedelta(minutes=2))
    second = make_item(source, "Second report", provider="AFP")
    response = client_for("editor").post(
        reverse("wire:write"), {"item": [second.pk, first.pk], "desk": desk.pk}
    )
    story = Story.objects.get()
    assert response.status_code == 302
    assert story.headline == "Second report"
    assert set(story.wire_basis.values_list("item_id", flat=True)) == {first.pk, second.pk}


def test_a_refused_write_says_why_and_stores_nothing(client_for, source, desk, other_desk):
    killed = make_item(source, "Killed copy", status=Status.CANCELED)
    client = client_for("writer")
    back = f"{QUEUE}?desk={desk.slug}"

    response = client.post(
        reverse("wire:write"), {"item": killed.pk, "desk": desk.pk, "next": back}, follow=True
    )
    assert response.redirect_chain[0] == (back, 302)
    assert "No story was written" in response.content.decode()

    usable = make_item(source)
    response = client.post(
        reverse("wire:write"), {"item": usable.pk, "desk": other_desk.pk}, follow=True
    )
    assert "You do not write for the Economy desk" in response.content.decode()
    response = client.post(reverse("wire:write"), {"desk": desk.pk}, follow=True)
    assert "at least one" in response.content.decode()
    assert (
        client.post(reverse("wire:write"), {"item": "1; drop", "desk": desk.pk}).status_code == 404
    )
    # An address to go back to elsewhere is not followed.
    response = client.post(
        reverse("wire:write"), {"item": killed.pk, "desk": desk.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE
    assert not Story.objects.exists() and not StoryBasis.objects.exists()


def test_add_an_item_to_a_draft_from_the_item_page(client_for, source, desk):
    client = client_for("writer")
    first = make_item(source, "First")
    client.post(reverse("wire:write"), {"item": first.pk, "desk": desk.pk})
    story = Story.objects.get()
    later = make_item(source, "Later")

    page = client.get(reverse("wire:item", args=[later.pk])).content.decode()
    assert f'<option value="{story.pk}">' in page
    response = client.post(reverse("wire:add", args=[later.pk]), {"story": story.pk})
    assert response["Location"] == reverse("backoffice:story", args=[story.pk])
    assert story.wire_basis.count() == 2


def test_the_story_page_flags_an_item_killed_after_use(client_for, people, source, desk):
    item = make_item(source, "Casualty figures")
    client = client_for("editor")
    client.post(reverse("wire:write"), {"item": item.pk, "desk": desk.pk})
    story = Story.objects.get()
    StoryBasis.objects.filter(story=story).update(flagged="Killed by Reuters: figures wrong")
    item.status = Status.CANCELED
    item.save()

    html = client.get(reverse("backoffice:story", args=[story.pk])).content.decode()
    assert "Wire alert:" in html and "Killed by Reuters: figures wrong" in html
    assert 'role="alert"' in html


def test_the_story_page_says_an_inherited_embargo_runs(client_for, source, desk):
    item = make_item(source, embargoed_until=timezone.now() + timedelta(hours=2))
    client = client_for("writer")
    response = client.post(reverse("wire:write"), {"item": item.pk, "desk": desk.pk}, follow=True)
    assert "Under embargo" in response.content.decode()


def test_the_queue_asks_a_bounded_number_of_queries(client_for, source, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("writer")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    make_item(source, "One")
    queries()  # the outlet's records are cached from the first page on
    few = queries()
    for number in range(30):
        original = make_item(source, f"Item {number}", urgency=number % 9 + 1)
        make_item(source, f"Copy {number}", duplicate_of=original)
    assert queries() == few
