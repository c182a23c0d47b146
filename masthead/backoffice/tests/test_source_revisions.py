"""Sources, the method note, the allegation flag and the dateline kind in revisions.

The diff names each source (added, removed, moved, which fields changed,
staff-only ones marked: this is the back office); restore brings them back
with their ids; a stale save merges them source by source.
"""

from __future__ import annotations

from dataclasses import replace

import lxml.html
import pytest

from masthead.backoffice.diff import compare, source_diff
from masthead.backoffice.merge import field_conflicts, merge, merge_sources, same_content
from masthead.backoffice.tests.editor_posts import form_data
from masthead.factories import make_desk
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db

PERSON = {"id": "p1", "kind": "person", "name": "Ali Vaez", "paragraphs": [1]}
UNNAMED = {
    "id": "u1",
    "kind": "unnamed",
    "description": "two US officials",
    "anonymity_reason": "Not authorised to speak.",
    "how_known": "Checked through the embassy.",
    "paragraphs": [2],
}
OUTLET = {"id": "o1", "kind": "outlet_report", "outlet": "Reuters", "paragraphs": []}
RESPONSE = {"id": "r1", "kind": "response", "party": "SNSC", "outcome": "denied", "paragraphs": []}


@pytest.fixture
def base():
    return Content(
        headline="Strikes",
        desk=make_desk("Politics"),
        body="<p>One.</p><p>Two.</p>",
        sources=[PERSON, UNNAMED, OUTLET],
    )


def entry(diffs, name):
    return next(item for item in diffs if item.name == name)


# Diff ---------------------------------------------------------------------------------


def test_diff_names_each_source_added_removed_changed_and_moved(base):
    changed_unnamed = UNNAMED | {"how_known": "Met twice in Vienna.", "paragraphs": [2, 4]}
    new = replace(base, sources=[OUTLET, PERSON, changed_unnamed, RESPONSE])
    sources = entry(compare(base, new), "sources")
    assert sources.changed
    by_name = {item.name: item for item in sources.sources}
    assert by_name["Response or denial “SNSC”"].kind == "added"
    assert by_name["Another outlet's report “Reuters”"].kind == "moved"
    assert by_name["Named person “Ali Vaez”"].kind == "same"
    unnamed = by_name["Unnamed source “two US officials”"]
    assert unnamed.kind == "changed"
    fields = {item.label: item for item in unnamed.fields}
    assert set(fields) == {"How we know them", "Relies on ¶"}
    assert fields["How we know them"].staff_only  # shown here, marked: the back office
    assert fields["Relies on ¶"].new == "2, 4"


def test_diff_of_a_removed_source_and_a_removed_only_middle_is_not_a_move(base):
    new = replace(base, sources=[PERSON, OUTLET])
    found = source_diff(base.sources, new.sources)
    assert [(item.name, item.kind) for item in found] == [
        ("Named person “Ali Vaez”", "same"),
        ("Another outlet's report “Reuters”", "same"),
        ("Unnamed source “two US officials”", "removed"),
    ]
    removed = found[-1]
    assert any(f.label == "How we know them" and f.old for f in removed.fields)


def test_diff_shows_method_note_allegation_and_dateline_kind(base):
    new = replace(
        base,
        method_note="We called both sides.\n\nWe read the cable.",
        makes_allegation=True,
        dateline_kind="reported",
    )
    diffs = compare(base, new)
    assert entry(diffs, "makes_allegation").new == "Yes"
    assert entry(diffs, "dateline_kind").new == "Reported from"
    note = entry(diffs, "method_note")
    assert [p.kind for p in note.paragraphs] == ["ins", "ins"]
    assert not entry(diffs, "sources").changed


def test_history_page_shows_source_changes_escaped(client_for, people, desk):
    story = services.create_story(
        people["writer"],
        Content(headline="Strikes", desk=desk, body="<p>One.</p>", sources=[dict(UNNAMED)]),
    )
    changed = UNNAMED | {"how_known": "<b>Vienna</b> contact", "paragraphs": [1]}
    services.save_story(
        people["writer"],
        story,
        replace(Content.of(story), sources=[changed], method_note="Asked them."),
        story.latest_revision_id,
    )
    html = client_for("writer").get(f"/desk/stories/{story.pk}/history/").content.decode()
    tree = lxml.html.fromstring(html)
    sources = tree.xpath("//*[contains(@class, 'diff__source--changed')]")[0].text_content()
    assert "How we know them" in sources and "Staff only" in sources
    assert "<b>Vienna</b>" not in html and "&lt;b&gt;Vienna&lt;/b&gt;" in html
    assert "How we reported this" in html


# Restore ------------------------------------------------------------------------------


def test_restore_brings_back_sources_with_their_ids_and_the_other_fields(client_for, people, desk):
    story = services.create_story(
        people["writer"],
        Content(
            headline="Strikes",
            desk=desk,
            body="<p>One.</p>",
            sources=[dict(PERSON), dict(UNNAMED)],
            method_note="First note.",
            makes_allegation=True,
            dateline_kind="written",
        ),
    )
    first = story.latest_revision
    client = client_for("writer")
    data = form_data(story, method_note="Second note.", dateline_kind="reported")
    data.pop("makes_allegation", None)
    data["source-1-remove"] = "on"
    assert client.post(f"/desk/stories/{story.pk}/", data).status_code == 302
    story.refresh_from_db()
    assert [s["id"] for s in story.latest_revision.sources] == ["p1"]
    response = client.post(
        f"/desk/stories/{story.pk}/revisions/{first.pk}/restore/",
        {"base_revision": story.latest_revision_id},
    )
    assert response.status_code == 302
    story.refresh_from_db()
    restored = story.latest_revision
    assert restored.number == 3
    assert restored.sources == first.sources
    assert [s["id"] for s in restored.sources] == ["p1", "u1"]
    assert (restored.method_note, restored.makes_allegation, restored.dateline_kind) == (
        "First note.",
        True,
        "written",
    )
    # A working story's row holds it too.
    assert Story.objects.get(pk=story.pk).sources == first.sources


# Merge ----------------------------------------------------------------------------------


def test_changes_to_different_sources_merge_without_conflict(base):
    mine = replace(base, sources=[PERSON | {"role": "analyst"}, UNNAMED, OUTLET])
    theirs = replace(base, sources=[PERSON, UNNAMED, OUTLET | {"title": "Exclusive"}, RESPONSE])
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert "sources" in result.combined
    assert result.merged.sources == [
        PERSON | {"role": "analyst"},
        UNNAMED,
        OUTLET | {"title": "Exclusive"},
        RESPONSE,
    ]


def test_one_side_removing_and_the_other_adding_merges(base):
    mine = replace(base, sources=[PERSON, OUTLET])  # removed the unnamed source
    theirs = replace(base, sources=[PERSON, UNNAMED, OUTLET, RESPONSE])
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert [s["id"] for s in result.merged.sources] == ["p1", "o1", "r1"]


def test_both_changing_one_source_is_a_conflict_that_keeps_mine(base):
    mine = replace(base, sources=[PERSON | {"name": "Ali R. Vaez"}, UNNAMED, OUTLET])
    theirs = replace(base, sources=[PERSON | {"name": "A. Vaez"}, UNNAMED, OUTLET])
    result = merge(base, mine, theirs)
    assert result.conflicts == ["sources"]
    assert result.merged.sources[0]["name"] == "Ali R. Vaez"
    (conflict,) = field_conflicts(result, mine, theirs)
    assert conflict.label == "Source: Named person “Ali R. Vaez”"
    assert "A. Vaez" in conflict.theirs and "Ali R. Vaez" in conflict.mine


def test_an_edit_beats_a_removal_and_is_shown(base):
    mine = replace(base, sources=[PERSON, OUTLET])  # removed the unnamed source
    theirs = replace(base, sources=[PERSON, UNNAMED | {"count": 3}, OUTLET])
    result = merge_sources(base.sources, mine.sources, theirs.sources)
    assert [s["id"] for s in result.merged] == ["p1", "o1", "u1"]
    (conflict,) = result.conflicts
    assert conflict.kept == "theirs" and conflict.mine == ""


def test_approvals_do_not_make_a_conflict(base):
    approved = UNNAMED | {"approval": {"by_id": 1, "by_name": "C", "at": "t", "reason": "ok"}}
    theirs = replace(base, sources=[PERSON, approved, OUTLET])
    mine = replace(base, method_note="Mine.")
    result = merge(base, mine, theirs)
    assert result.conflicts == []
    assert same_content(theirs, base)


def test_the_new_fields_merge_like_the_others(base):
    mine = replace(base, method_note="Mine.", makes_allegation=True)
    theirs = replace(base, dateline_kind="reported", makes_allegation=False, method_note="Theirs.")
    result = merge(base, mine, theirs)
    assert result.conflicts == ["method_note"]
    assert result.merged.dateline_kind == "reported"
    assert result.merged.makes_allegation is True
    assert not same_content(base, replace(base, sources=[PERSON]))


def test_a_stale_save_shows_a_source_conflict_and_merges_the_rest(client_for, people, desk):
    story = services.create_story(
        people["writer"],
        Content(
            headline="Strikes",
            desk=desk,
            body="<p>One.</p>",
            sources=[dict(PERSON), dict(OUTLET)],
        ),
    )
    start = form_data(story)
    first = client_for("writer").post(
        f"/desk/stories/{story.pk}/",
        {**start, "source-0-name": "A. Vaez", "source-1-title": "Exclusive report"},
    )
    assert first.status_code == 302
    second = client_for("writer").post(  # another tab
        f"/desk/stories/{story.pk}/",
        {**start, "source-0-name": "Ali R. Vaez", "method_note": "Mine."},
    )
    assert second.status_code == 409
    tree = lxml.html.fromstring(second.content.decode())
    conflicts = tree.xpath("//*[@id='conflicts-title']/..")[0].text_content()
    assert "Source: Named person “Ali R. Vaez”" in conflicts
    assert "A. Vaez" in conflicts
    # The merged form: my name (a conflict keeps mine), their title, my note.
    assert tree.xpath("//input[@name='source-0-name']")[0].get("value") == "Ali R. Vaez"
    assert tree.xpath("//input[@name='source-1-title']")[0].get("value") == "Exclusive report"
    assert tree.xpath("//textarea[@name='method_note']")[0].text.strip() == "Mine."
    assert [i.get("value") for i in tree.xpath("//input[@name='source-0-id']")] == ["p1"]
