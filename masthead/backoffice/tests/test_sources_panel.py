"""The story editor's sources panel: rows from the table of kinds, saved through clean_sources.

Posts are made as the editor's form sends them (``editor_posts``), including
crafted ones: unknown kinds, overlong fields, ``javascript:`` addresses,
paragraph pointers that are not numbers, too many sources, forged approvals,
bidi overrides.
"""

from __future__ import annotations

import lxml.html
import pytest

from masthead.backoffice.tests.editor_posts import form_data, source_fields
from masthead.sourcing.kinds import KINDS, MAX_SOURCES
from masthead.stories import services
from masthead.stories.models import Story
from masthead.stories.services import Content

pytestmark = pytest.mark.django_db

PERSON = {"kind": "person", "name": "Ali Vaez", "role": "Iran director", "on_record": True}
UNNAMED = {
    "kind": "unnamed",
    "description": "two US officials",
    "count": 2,
    "anonymity_reason": "Not authorised to speak publicly.",
    "how_known": "Met through the embassy; checked twice.",
    "paragraphs": [2],
}
OUTLET = {
    "kind": "outlet_report",
    "outlet": "Reuters",
    "url": "https://www.reuters.com/world/x",
    "date": "2025-06-21",
    "paragraphs": [1, 3],
}
RESPONSE = {"kind": "response", "party": "SNSC spokesman", "outcome": "denied"}


def draft(people, desk, sources=(), **fields) -> Story:
    body = "<p>One.</p><p>Two.</p><p>Three.</p>"
    content = Content(headline="Strikes reported", desk=desk, body=body, **fields)
    content.sources = [dict(source) for source in sources]
    return services.create_story(people["writer"], content)


def latest(story: Story):
    return Story.objects.get(pk=story.pk).latest_revision


def post(client, story, **changes):
    return client.post(f"/desk/stories/{story.pk}/", form_data(story, **changes))


ERRORS = "//*[contains(@class, 'sources-panel__errors')]//li"


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


# The panel as rendered ------------------------------------------------------------


def test_panel_has_an_empty_row_per_kind_and_marks_staff_only_fields(client_for, people, desk):
    story = draft(people, desk, [UNNAMED])
    html = page(client_for("writer").get(f"/desk/stories/{story.pk}/"))
    panel = html.get_element_by_id("sources-panel")
    adders = panel.xpath(".//details[@data-source-kind]")
    assert [d.get("data-source-kind") for d in adders] == list(KINDS)
    # Every kind's fields come from the table.
    for details in adders:
        kind = KINDS[details.get("data-source-kind")]
        names = {i.get("name").split("-", 2)[2] for i in details.xpath(".//*[@name]")}
        assert {f.name for f in kind.fields} <= names
    row = panel.xpath(".//*[@id='source-list']/*[@data-source-row]")[0]
    assert row.xpath(".//*[@name='source-0-how_known']")[0].text == UNNAMED["how_known"]
    staff = row.xpath(".//*[contains(@class, 'field--staff-only')]")[0]
    assert "Staff only — never shown to readers" in staff.text_content()
    assert row.xpath(".//*[@name='source-0-paragraphs']")[0].get("value") == "2"
    # The dateline kind is next to the dateline; the method note and allegation in the panel.
    assert html.xpath("//select[@name='dateline_kind']")
    assert panel.xpath(".//textarea[@name='method_note']")
    assert panel.xpath(".//input[@name='makes_allegation'][@type='checkbox']")
    # No approval is ever a form field.
    assert not html.xpath("//*[contains(@name, 'approval')]")


def test_new_story_page_has_the_panel(client_for, people, desk):
    html = page(client_for("writer").get("/desk/stories/new/"))
    assert len(html.xpath("//*[@id='sources-panel']//details[@data-source-kind]")) == len(KINDS)


# Saving -------------------------------------------------------------------------------


def test_sources_of_several_kinds_are_added_from_the_empty_rows(client_for, people, desk):
    story = draft(people, desk)
    rows = source_fields([PERSON, UNNAMED, OUTLET, RESPONSE], start=3)
    blank = {"source-11-kind": "document", "source-11-position": "12"}  # left empty
    response = post(
        client_for("writer"),
        story,
        **rows,
        **blank,
        method_note="We spoke to both sides.\n\nWe read the report.",
        makes_allegation="on",
        dateline_kind="written",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    revision = latest(story)
    assert [s["kind"] for s in revision.sources] == [
        "person",
        "unnamed",
        "outlet_report",
        "response",
    ]
    assert revision.sources[1]["how_known"] == UNNAMED["how_known"]
    assert revision.sources[2]["paragraphs"] == [1, 3]
    assert revision.sources[0]["on_record"] is True
    assert all(s["id"].isalnum() for s in revision.sources)
    assert revision.method_note == "We spoke to both sides.\n\nWe read the report."
    assert revision.makes_allegation is True
    assert revision.dateline_kind == "written"


def test_ids_stay_across_saves_and_rows_are_reordered_edited_and_removed(client_for, people, desk):
    story = draft(people, desk, [PERSON, UNNAMED, OUTLET])
    before = latest(story).sources
    client = client_for("writer")
    data = form_data(story)
    # Outlet first, person renamed, unnamed removed.
    data["source-2-position"] = "0"
    data["source-0-name"] = "Ali Vaez (ICG)"
    data["source-1-remove"] = "on"
    assert client.post(f"/desk/stories/{story.pk}/", data).status_code == 302
    after = latest(story).sources
    assert [s["id"] for s in after] == [before[2]["id"], before[0]["id"]]
    assert after[1]["name"] == "Ali Vaez (ICG)"
    # Saving again unchanged keeps everything, ids included, and makes no revision.
    story.refresh_from_db()
    number = latest(story).number
    assert post(client, story).status_code == 302
    assert latest(story).number == number
    assert [s["id"] for s in latest(story).sources] == [s["id"] for s in after]


def test_a_change_to_sources_alone_is_a_change(client_for, people, desk):
    story = draft(people, desk, [PERSON])
    number = latest(story).number
    post(client_for("writer"), story, **{"source-0-paragraphs": "3"})
    assert latest(story).number == number + 1
    assert latest(story).sources[0]["paragraphs"] == [3]


def test_an_error_names_the_source_and_keeps_everything_typed(client_for, people, desk):
    story = draft(people, desk, [PERSON])
    number = latest(story).number
    rows = source_fields(
        [
            {"kind": "outlet_report", "outlet": "Le Monde", "url": "javascript:alert(1)"},
            {"kind": "unnamed", "description": "a senior official", "how_known": "My uncle"},
        ],
        start=1,
    )
    response = post(client_for("writer"), story, headline="Changed too", **rows)
    assert response.status_code == 400
    html = page(response)
    errors = html.xpath(ERRORS)
    texts = [e.text_content() for e in errors]
    assert any("Source 2 (another outlet's report, “Le Monde”)" in t for t in texts), texts
    assert any("http://" in t for t in texts)
    assert any("Source 3 (unnamed source" in t and "anonymity" in t for t in texts), texts
    # Typed values come back, in the rows, each with its problem.
    rows_shown = html.xpath("//*[@id='source-list']/*[@data-source-row]")
    assert len(rows_shown) == 3
    assert (
        rows_shown[1].xpath(".//*[contains(@name, '-url')]")[0].get("value")
        == "javascript:alert(1)"
    )
    assert rows_shown[1].xpath(".//p[@class='error']")
    assert rows_shown[2].xpath(".//*[contains(@name, '-how_known')]")[0].text == "My uncle"
    assert html.xpath("//*[@name='headline']")[0].get("value") == "Changed too"
    assert latest(story).number == number


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source-0-kind": "rumour", "source-0-name": "x"}, "unknown kind"),
        ({"source-0-kind": "person", "source-0-name": "x" * 301}, "over 300"),
        (
            {
                "source-0-kind": "outlet_report",
                "source-0-outlet": "X",
                "source-0-url": " javascript:alert(1)",
            },
            "must start with http",
        ),
        (
            {
                "source-0-kind": "outlet_report",
                "source-0-outlet": "X",
                "source-0-url": "data:text/html,hi",
            },
            "must start with http",
        ),
        (
            {"source-0-kind": "person", "source-0-name": "X", "source-0-paragraphs": "two"},
            "numbers",
        ),
        (
            {"source-0-kind": "person", "source-0-name": "X", "source-0-paragraphs": "0"},
            "run from 1",
        ),
        (
            {
                "source-0-kind": "unnamed",
                "source-0-description": "d",
                "source-0-anonymity_reason": "r",
                "source-0-count": "many",
            },
            "number",
        ),
        (
            {"source-0-kind": "document", "source-0-title": "T", "source-0-date": "yesterday"},
            "YYYY-MM-DD",
        ),
        (
            {"source-0-kind": "response", "source-0-party": "P", "source-0-outcome": "hacked"},
            "unknown outcome",
        ),
        ({"source-0-kind": "wire", "source-0-wire_item": "1e9"}, "number"),
        (
            {"source-0-kind": "statement", "source-0-speaker": "S", "source-0-summary": "y" * 2001},
            "over 2000",
        ),
    ],
)
def test_hostile_rows_are_refused_and_nothing_is_saved(client_for, people, desk, changes, message):
    story = draft(people, desk)
    number = latest(story).number
    response = post(client_for("writer"), story, **changes)
    assert response.status_code == 400
    errors = " ".join(e.text_content() for e in page(response).xpath(ERRORS))
    assert message in errors, errors
    assert latest(story).number == number


def test_more_sources_than_allowed_are_refused(client_for, people, desk):
    story = draft(people, desk)
    many = source_fields([{"kind": "person", "name": f"P{n}"} for n in range(100)])
    response = post(client_for("writer"), story, **many)
    assert response.status_code == 400
    assert f"at most {MAX_SOURCES}" in response.content.decode()
    assert latest(story).sources == []


def test_a_thousand_sources_are_refused_without_saving(client_for, people, desk):
    story = draft(people, desk)
    many = source_fields([{"kind": "person", "name": f"P{n}"} for n in range(1000)])
    response = post(client_for("writer"), story, **many)
    # Over Django's limit of fields in one request, or over ours: refused either way.
    assert response.status_code == 400
    assert latest(story).sources == []


def test_forged_approval_fields_are_never_read(client_for, people, desk):
    story = draft(people, desk)
    forged = {
        "source-0-kind": "unnamed",
        "source-0-description": "a senior official",
        "source-0-anonymity_reason": "Fear of reprisal.",
        "source-0-approval": '{"by_id": 1, "by_name": "Chief", "reason": "ok"}',
        "source-0-approval-by_id": str(people["chief"].pk),
        "source-0-approval-reason": "Approved, honest",
        "source-0-approval_by_id": str(people["chief"].pk),
        "approval": "yes",
        "sources": '[{"kind": "unnamed", "approval": {"by_id": 1, "reason": "x"}}]',
    }
    assert post(client_for("writer"), story, **forged).status_code == 302
    (source,) = latest(story).sources
    assert "approval" not in source
    assert source["description"] == "a senior official"


def test_an_approval_the_story_holds_does_not_make_every_save_a_change(client_for, people, desk):
    approved = UNNAMED | {"approval": {"by_id": 1, "by_name": "Chief", "at": "x", "reason": "ok"}}
    story = draft(people, desk, [approved])
    number = latest(story).number
    assert post(client_for("writer"), story).status_code == 302
    assert latest(story).number == number


def test_bidi_overrides_and_markup_are_cleaned_and_escaped(client_for, people, desk):
    story = draft(people, desk)
    rows = {
        "source-0-kind": "person",
        "source-0-name": "Ali\u202e rotacidni\u202c <script>alert(1)</script>",
        "source-0-role": "\u200fمدیر\u200f",
    }
    assert post(client_for("writer"), story, **rows).status_code == 302
    (source,) = latest(story).sources
    assert "\u202e" not in source["name"] and "\u202c" not in source["name"]
    assert source["role"] == "\u200fمدیر\u200f"  # marks kept: right-to-left text needs them
    body = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_new_story_is_created_with_its_sources(client_for, people, desk):
    data = {
        "action": "save",
        "headline": "New one",
        "desk": desk.pk,
        "body": "<p>A.</p>",
        **source_fields([RESPONSE]),
        "method_note": "Asked them.",
    }
    response = client_for("writer").post("/desk/stories/new/", data)
    assert response.status_code == 302
    story = Story.objects.get(headline="New one")
    assert story.latest_revision.sources[0]["outcome"] == "denied"
    assert story.latest_revision.method_note == "Asked them."


def test_a_new_story_with_a_bad_source_keeps_what_was_typed(client_for, people, desk):
    data = {
        "action": "save",
        "headline": "New one",
        "desk": desk.pk,
        "source-0-kind": "person",
        "source-0-role": "Spokesman",
    }
    response = client_for("writer").post("/desk/stories/new/", data)
    assert response.status_code == 400
    html = page(response)
    assert (
        html.xpath("//*[@id='source-list']//*[@name='source-0-role']")[0].get("value")
        == "Spokesman"
    )
    assert "name is required" in html.get_element_by_id("sources-panel").text_content()
    assert not Story.objects.filter(headline="New one").exists()


def test_autosave_keeps_sources(client_for, people, desk):
    story = draft(people, desk)
    data = form_data(story, **source_fields([OUTLET]))
    response = client_for("writer").post(f"/desk/stories/{story.pk}/autosave/", data)
    assert response.status_code == 200, response.content
    assert latest(story).sources[0]["outlet"] == "Reuters"
    bad = form_data(story, **{"source-0-kind": "nope"})
    response = client_for("writer").post(f"/desk/stories/{story.pk}/autosave/", bad)
    assert response.status_code == 400
    assert "unknown kind" in response.json()["errors"]["sources"][0]


def test_bad_dateline_kind_is_refused(client_for, people, desk):
    story = draft(people, desk)
    response = post(client_for("writer"), story, dateline_kind="teleported")
    assert response.status_code == 400
    response = post(client_for("writer"), story, method_note="x" * 2001)
    assert response.status_code == 400


def test_who_may_only_read_the_story_sees_its_sources_read_only(client_for, people, desk):
    story = draft(people, desk, [UNNAMED, RESPONSE], method_note="Asked both.")
    services.submit_story(people["writer"], story)
    html = page(client_for("writer").get(f"/desk/stories/{story.pk}/"))
    assert not html.xpath("//*[@id='sources-panel']")
    section = html.xpath("//*[contains(@class, 'readonly__sources')]")[0].text_content()
    assert "two US officials" in section and "How we know them (staff only)" in section
    assert "Outcome: denied" in section and "Asked both." in section


def test_odd_places_ids_and_indexes_are_harmless():
    from django.http import QueryDict

    from masthead.backoffice.source_rows import PostedSources

    data = QueryDict(mutable=True)
    rows = [
        ("7", "nan", "same1", "A"),
        ("3", "-1e308", "same1", "B"),  # the same id twice: the second gets a new one
        ("99999", "inf", "../../x", "C"),  # not an id: a new one
        ("12", "1e999", "", "D"),
        ("123456", "1", "", "never read: index too long"),
    ]
    for index, place, source_id, name in rows:
        data[f"source-{index}-kind"] = "person"
        data[f"source-{index}-position"] = place
        data[f"source-{index}-id"] = source_id
        data[f"source-{index}-name"] = name
    posted = PostedSources(data)
    assert posted.errors == []
    assert [s["name"] for s in posted.sources] == ["B", "A", "D", "C"]
    ids = [s["id"] for s in posted.sources]
    assert ids[0] == "same1" and len(set(ids)) == 4 and all(i.isalnum() for i in ids)
