"""The back office's pages, as each role receives them, and crafted requests against them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PillowImage

from masthead.backoffice.tests.editor_posts import form_data
from masthead.factories import make_author, make_label, make_story, make_tag
from masthead.media.models import Image
from masthead.newsroom.models import AuditEvent
from masthead.stories import services
from masthead.stories.models import Correction, Revision, Story, Tag
from masthead.stories.services import Content
from masthead.tests.answers import headers_of

pytestmark = pytest.mark.django_db


def new_draft(author, desk, headline="Parliament weighs budget", **fields) -> Story:
    return services.create_story(
        author, Content(headline=headline, desk=desk, body="<p>First paragraph.</p>", **fields)
    )


def submitted_story(people, desk) -> Story:
    story = new_draft(people["writer"], desk)
    services.submit_story(people["writer"], story)
    return story


def refresh(story: Story) -> Story:
    return Story.objects.get(pk=story.pk)


# Who may open which page -----------------------------------------------------

PAGES = [
    "/desk/",
    "/desk/board/",
    "/desk/stories/new/",
    "/desk/audit/",
    "/desk/staff/",
    "/desk/desks/",
]
EXPECTED = {
    # role: status of each page above
    "writer": [200, 200, 200, 403, 403, 403],
    "editor": [200, 200, 200, 200, 403, 403],
    "chief": [200, 200, 200, 200, 403, 403],
    "admin": [200, 200, 403, 200, 200, 200],
    "reader": [403, 403, 403, 403, 403, 403],
}


@pytest.mark.parametrize("role", EXPECTED)
def test_each_page_answers_each_role(client_for, role):
    client = client_for(role)
    statuses = [client.get(page).status_code for page in PAGES]
    assert statuses == EXPECTED[role]


def test_no_login_goes_to_the_login_page(client, settings):
    response = client.get("/desk/board/?desk=1")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert "next=/desk/board/" in response["Location"].replace("%2F", "/").replace("%3F", "?")


def test_back_office_answers_are_never_stored(client_for, people, desk):
    client = client_for("writer")
    story = new_draft(people["writer"], desk)
    for url in ("/desk/", "/desk/board/", f"/desk/stories/{story.pk}/", "/desk/audit/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_old_login_address_leads_to_the_accounts_sign_in(client, settings):
    response = client.get("/desk/login/?next=/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


# Writing and the workflow -----------------------------------------------------


def test_writer_drafts_and_submits_a_story(client_for, people, desk):
    client = client_for("writer")
    response = client.post(
        "/desk/stories/new/",
        form_data(headline="Fuel subsidy plan", desk=desk.pk, body="<p>Text.</p>", action="submit"),
    )
    story = Story.objects.get(headline="Fuel subsidy plan")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/stories/{story.pk}/"
    assert story.status == Story.Status.SUBMITTED
    assert story.created_by == people["writer"]
    assert [b.author.user for b in story.ordered_bylines()] == [people["writer"]]


def test_new_story_form_offers_only_the_writers_desks(client_for, desk, other_desk):
    html = client_for("writer").get("/desk/stories/new/").content.decode()
    assert f'value="{desk.pk}"' in html
    assert "Economy" not in html.split('name="desk"')[1].split("</select>")[0]


def test_writer_cannot_create_on_another_desk(client_for, other_desk):
    response = client_for("writer").post(
        "/desk/stories/new/", form_data(headline="Sneaky", desk=other_desk.pk)
    )
    assert response.status_code == 400
    assert not Story.objects.filter(headline="Sneaky").exists()


def test_writer_trying_to_publish_is_refused(client_for, people, desk):
    draft = new_draft(people["writer"], desk)
    claimed = submitted_story(people, desk)
    services.claim_story(people["editor"], claimed)
    client = client_for("writer")

    from_draft = client.post(f"/desk/stories/{draft.pk}/", form_data(draft, action="publish"))
    from_edit = client.post(f"/desk/stories/{claimed.pk}/", form_data(claimed, action="publish"))

    assert from_draft.status_code == 409  # not a step from “draft” at all
    assert from_edit.status_code == 403  # a step, but an editor's
    assert "You may not" in from_edit.content.decode()
    assert refresh(draft).status == Story.Status.DRAFT
    assert refresh(claimed).status == Story.Status.IN_EDIT
    assert not Story.objects.live().exists()


def test_the_editor_page_shows_only_steps_the_user_may_take(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    writer_html = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()
    assert 'value="submit"' in writer_html
    assert 'value="publish"' not in writer_html
    services.submit_story(people["writer"], story)
    editor_html = client_for("editor").get(f"/desk/stories/{story.pk}/").content.decode()
    assert 'value="claim"' in editor_html and 'value="return"' in editor_html
    assert 'value="publish"' not in editor_html  # not from “submitted”


def test_editor_of_another_desk_gets_404_for_a_story_in_the_works(client_for, people, desk):
    """As for a story that does not exist: no id walk tells another desk's drafts apart."""
    story = submitted_story(people, desk)
    client = client_for("other_editor")
    assert client.get(f"/desk/stories/{story.pk}/").status_code == 404
    response = client.post(
        f"/desk/stories/{story.pk}/", form_data(story, headline="Hijacked", action="claim")
    )
    assert response.status_code == 404
    story = refresh(story)
    assert story.headline == "Parliament weighs budget"
    assert story.status == Story.Status.SUBMITTED


def test_writer_cannot_open_another_writers_draft(client_for, people, desk):
    story = new_draft(people["other_writer"], desk)
    client = client_for("writer")
    assert client.get(f"/desk/stories/{story.pk}/").status_code == 404
    assert client.get(f"/desk/stories/{story.pk}/history/").status_code == 404
    assert client.post(f"/desk/stories/{story.pk}/autosave/", form_data(story)).status_code == 404


def test_writer_reads_but_cannot_edit_after_submitting(client_for, people, desk):
    story = submitted_story(people, desk)
    client = client_for("writer")
    html = client.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "You can read this story but not change it" in html
    assert 'id="story-form"' not in html
    response = client.post(f"/desk/stories/{story.pk}/", form_data(story, headline="Changed"))
    assert response.status_code == 403
    assert refresh(story).headline == "Parliament weighs budget"


def test_a_writer_sees_their_published_story_as_it_is(client_for, people, desk):
    image = Image(file=png_upload(), alt_text="A bus lane", caption="Valiasr Street", credit="IFP")
    image.save()
    analyst = make_author("Ali Analyst")
    story = new_draft(
        people["writer"],
        desk,
        lead_image=image,
        tags=[make_tag("Tehran"), make_tag("Transport")],
        authors=[people["writer"].author, analyst],
        dateline="Tehran",
    )
    services.submit_story(people["writer"], story)
    services.claim_story(people["editor"], story)
    services.publish_story(people["editor"], refresh(story))

    html = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()
    notice = re.search(r'<p class="notice">(.*?)</p>', html, re.S).group(1)
    assert "with the desk" not in notice
    assert "published" in notice
    assert f'src="{image.file.url}"' in html and 'alt="A bus lane"' in html
    assert "Valiasr Street" in html and "IFP" in html
    assert "Writer Person" in html and "Ali Analyst" in html
    assert "Tehran" in html and "Transport" in html
    assert 'name="action"' not in html  # no workflow step to offer


@pytest.mark.parametrize(
    ("step", "wording"),
    [
        (None, "waiting for an editor"),
        ("claim", "desk is working on it"),
        ("approve", "approved"),
    ],
)
def test_the_read_only_notice_says_where_the_story_is(client_for, people, desk, step, wording):
    story = submitted_story(people, desk)
    if step:
        services.claim_story(people["editor"], story)
    if step == "approve":
        services.approve_story(people["editor"], refresh(story))
    html = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()
    notice = re.search(r'<p class="notice">(.*?)</p>', html, re.S).group(1)
    assert wording in notice


def test_return_needs_a_note(client_for, people, desk):
    story = submitted_story(people, desk)
    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/", form_data(story, action="return", note="")
    )
    assert response.status_code == 400
    assert "needs a note" in response.content.decode()
    assert refresh(story).status == Story.Status.SUBMITTED


def test_editor_claims_edits_schedules_and_it_goes_live_at_its_time(client_for, people, desk):
    story = submitted_story(people, desk)
    client = client_for("editor")
    client.post(f"/desk/stories/{story.pk}/", form_data(story, action="claim"))
    story = refresh(story)
    assert story.status == Story.Status.IN_EDIT
    when = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    response = client.post(
        f"/desk/stories/{story.pk}/",
        form_data(story, headline="Edited headline", action="schedule", when=when.isoformat()),
    )
    assert response.status_code == 302
    story = refresh(story)
    assert story.status == Story.Status.SCHEDULED
    assert story.headline == "Edited headline"
    assert story.published_at == when
    assert not story.is_live()
    assert story.is_live(when + timedelta(seconds=1))


def test_schedule_without_a_time_is_refused_and_keeps_the_edit(client_for, people, desk):
    story = submitted_story(people, desk)
    client = client_for("editor")
    client.post(f"/desk/stories/{story.pk}/", form_data(story, action="claim"))
    story = refresh(story)
    response = client.post(
        f"/desk/stories/{story.pk}/", form_data(story, headline="Kept edit", action="schedule")
    )
    assert response.status_code == 400
    assert "Choose when the story goes out" in response.content.decode()
    assert refresh(story).headline == "Kept edit"


def test_correction_on_a_published_story_shows_its_note(client, client_for, people, desk):
    story = submitted_story(people, desk)
    editor = people["editor"]
    services.claim_story(editor, story)
    services.publish_story(editor, story)
    story = refresh(story)
    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/",
        form_data(
            story,
            body="<p>First paragraph, corrected.</p>",
            action="publish_correction",
            note="An earlier version misstated the budget.",
            kind="correction",
        ),
    )
    assert response.status_code == 302
    correction = Correction.objects.get(story=story)
    assert correction.note == "An earlier version misstated the budget."
    public = client.get(refresh(story).get_absolute_url()).content.decode()
    assert "An earlier version misstated the budget." in public
    assert "First paragraph, corrected." in public


def test_the_correction_kind_is_chosen_with_the_correction_step_only(client_for, people, desk):
    from lxml import html as lxml_html

    story = submitted_story(people, desk)
    editor_page = client_for("editor").get(f"/desk/stories/{story.pk}/").content
    assert lxml_html.fromstring(editor_page).xpath("//select[@name='kind']") == []
    services.claim_story(people["editor"], story)
    services.publish_story(people["editor"], story)

    page = lxml_html.fromstring(client_for("editor").get(f"/desk/stories/{story.pk}/").content)

    (kind,) = page.xpath("//select[@name='kind']")
    (group,) = kind.xpath("ancestor::fieldset[1]")
    assert [b.get("value") for b in group.xpath(".//button[@name='action']")] == [
        "publish_correction"
    ]
    assert "orrection" in group.xpath("string(legend)")
    others = page.xpath("//button[@name='action' and @value!='publish_correction']")
    assert {button.get("value") for button in others} >= {"publish_update", "withdraw"}
    assert all(group not in button.iterancestors() for button in others)


# Times in back-office pages: valid HTML datetimes (no microseconds), in UTC.
HTML_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def test_every_time_element_carries_a_valid_html_datetime(client_for, people, desk):
    story = submitted_story(people, desk)
    services.claim_story(people["editor"], story)
    scheduled = submitted_story(people, desk)
    services.claim_story(people["editor"], scheduled)
    services.schedule_story(people["editor"], scheduled, timezone.now() + timedelta(hours=2))
    pages = ["/desk/", "/desk/board/", "/desk/audit/", f"/desk/stories/{story.pk}/",
             f"/desk/stories/{story.pk}/history/", f"/desk/stories/{scheduled.pk}/"]  # fmt: skip

    seen = 0
    for url in pages:
        response = client_for("editor").get(url)
        assert response.status_code == 200, url
        for value in re.findall(r'<time[^>]*\sdatetime="([^"]*)"', response.content.decode()):
            seen += 1
            assert HTML_DATETIME.fullmatch(value), f"{url}: {value}"
    assert seen >= 6


def test_edits_to_a_live_story_stay_unpublished_until_an_update(client, client_for, people, desk):
    story = submitted_story(people, desk)
    services.claim_story(people["editor"], story)
    services.publish_story(people["editor"], story)
    story = refresh(story)
    editor = client_for("editor")
    editor.post(f"/desk/stories/{story.pk}/", form_data(story, headline="Not yet public"))
    assert "Not yet public" not in client.get(story.get_absolute_url()).content.decode()
    html = editor.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "has changes they do not see yet" in html
    editor.post(f"/desk/stories/{story.pk}/", form_data(refresh(story), action="publish_update"))
    assert "Not yet public" in client.get(story.get_absolute_url()).content.decode()


def published_story(people, desk) -> Story:
    story = submitted_story(people, desk)
    services.claim_story(people["editor"], story)
    services.publish_story(people["editor"], story)
    return refresh(story)


def test_withdraw_needs_a_note_and_a_confirmation_then_the_story_is_gone(
    client, client_for, people, desk
):
    story = published_story(people, desk)
    editor = client_for("editor")
    page = editor.get(f"/desk/stories/{story.pk}/").content.decode()
    assert 'name="confirm"' in page and "answer 410" in page

    no_note = editor.post(
        f"/desk/stories/{story.pk}/", form_data(story, action="withdraw", note="", confirm="on")
    )
    unconfirmed = editor.post(
        f"/desk/stories/{story.pk}/", form_data(story, action="withdraw", note="Source retracted.")
    )

    assert no_note.status_code == unconfirmed.status_code == 400
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert refresh(story).status == Story.Status.PUBLISHED
    assert client.get(story.get_absolute_url()).status_code == 200
    assert not AuditEvent.objects.filter(action="withdraw").exists()

    editor.post(
        f"/desk/stories/{story.pk}/",
        form_data(story, action="withdraw", note="Source retracted.", confirm="on"),
    )
    assert refresh(story).status == Story.Status.WITHDRAWN
    assert client.get(story.get_absolute_url()).status_code == 410


@pytest.mark.parametrize("who", ["editor", "chief"])
def test_an_editor_republishes_a_withdrawn_story_from_its_page(
    client, client_for, people, desk, who
):
    story = published_story(people, desk)
    services.withdraw_story(people["editor"], story, "Source retracted.")
    editor = client_for(who)
    page = editor.get(f"/desk/stories/{story.pk}/").content.decode()
    assert f'action="/desk/stories/{story.pk}/step/"' in page
    assert 'value="reinstate"' in page

    response = editor.post(
        f"/desk/stories/{story.pk}/step/",
        {"action": "reinstate", "note": "Reinstated: the source stands by it."},
    )

    assert response.status_code == 302
    assert refresh(story).status == Story.Status.PUBLISHED
    public = client.get(story.get_absolute_url())
    assert public.status_code == 200
    assert "Reinstated: the source stands by it." in public.content.decode()


def test_republishing_without_a_note_is_refused_on_the_page(client_for, people, desk):
    story = published_story(people, desk)
    services.withdraw_story(people["editor"], story, "Source retracted.")

    response = client_for("editor").post(
        f"/desk/stories/{story.pk}/step/", {"action": "reinstate", "note": ""}
    )

    assert response.status_code == 400
    assert "needs a note" in response.content.decode()
    assert refresh(story).status == Story.Status.WITHDRAWN


def test_a_writer_pulls_back_a_submission_until_an_editor_claims_it(client_for, people, desk):
    story = submitted_story(people, desk)
    writer = client_for("writer")
    page = writer.get(f"/desk/stories/{story.pk}/").content.decode()
    assert 'value="pull_back"' in page

    response = writer.post(f"/desk/stories/{story.pk}/step/", {"action": "pull_back"})

    assert response.status_code == 302
    assert refresh(story).status == Story.Status.DRAFT
    assert 'id="story-form"' in writer.get(f"/desk/stories/{story.pk}/").content.decode()

    services.submit_story(people["writer"], story)
    services.claim_story(people["editor"], story)
    assert 'value="pull_back"' not in writer.get(f"/desk/stories/{story.pk}/").content.decode()
    late = writer.post(f"/desk/stories/{story.pk}/step/", {"action": "pull_back"})
    assert late.status_code == 409
    assert refresh(story).status == Story.Status.IN_EDIT


def test_steps_from_the_read_only_page_need_access_to_the_story(client_for, people, desk):
    story = submitted_story(people, desk)

    for name, status in (("other_writer", 404), ("other_editor", 404)):
        response = client_for(name).post(f"/desk/stories/{story.pk}/step/", {"action": "claim"})
        assert response.status_code == status
    assert client_for("editor").get(f"/desk/stories/{story.pk}/step/").status_code == 405
    assert refresh(story).status == Story.Status.SUBMITTED


def test_saving_without_changes_keeps_no_new_revision(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    before = story.revisions.count()
    client_for("writer").post(f"/desk/stories/{story.pk}/", form_data(story))
    assert story.revisions.count() == before


def test_bylines_keep_their_order_and_take_collectives(client_for, people, desk):
    staff = make_author("IFP Editorial Staff", kind="collective")
    analyst = make_author("Kaveh Nouri")
    story = new_draft(people["writer"], desk)
    client_for("writer").post(
        f"/desk/stories/{story.pk}/",
        form_data(story, byline_1=analyst.pk, byline_2=staff.pk, byline_3=analyst.pk),
    )
    assert [b.author for b in refresh(story).ordered_bylines()] == [analyst, staff]


def test_notes_to_the_editor_are_kept_and_audited(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    client_for("writer").post(
        f"/desk/stories/{story.pk}/", form_data(story, notes_to_editor="Check the figures.")
    )
    assert refresh(story).notes_to_editor == "Check the figures."
    assert AuditEvent.objects.filter(action="notes_to_editor", target_id=story.pk).exists()


def test_editor_changes_the_slug(client_for, people, desk):
    story = submitted_story(people, desk)
    client_for("editor").post(f"/desk/stories/{story.pk}/slug/", {"slug": "better-slug"})
    assert refresh(story).slug == "better-slug"
    client_for("writer").post(f"/desk/stories/{story.pk}/slug/", {"slug": "writer-slug"})
    assert refresh(story).slug == "better-slug"


# Hostile input ----------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>\u202e'


def test_hostile_content_in_every_field_is_stored_clean_and_shown_escaped(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    client = client_for("writer")
    data = form_data(
        story,
        headline=f"Headline {HOSTILE}",
        dek=f"Dek {HOSTILE}",
        body=f'<p onclick="steal()">Body</p>{HOSTILE}<a href="javascript:alert(1)">link</a>',
        dateline=f"Tehran {HOSTILE}",
        seo_title=f"SEO {HOSTILE}",
        seo_description=f"Description {HOSTILE}",
        notes_to_editor=f"Note {HOSTILE}",
    )
    assert client.post(f"/desk/stories/{story.pk}/", data).status_code == 302
    story = refresh(story)
    assert "<script" not in story.body and "onclick" not in story.body
    assert "onerror" not in story.body and "javascript:" not in story.body
    assert "\u202e" not in story.headline + story.dek + story.dateline + story.notes_to_editor
    for url in (
        f"/desk/stories/{story.pk}/",
        f"/desk/stories/{story.pk}/history/",
        "/desk/",
        "/desk/board/",
        f"/desk/stories/{story.pk}/revisions/{story.latest_revision_id}/preview/",
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x onerror" not in html, url
    assert "&lt;script&gt;" in client.get(f"/desk/stories/{story.pk}/").content.decode()


def test_hostile_staff_and_desk_names_are_escaped(client_for):
    admin = client_for("admin")
    admin.post(
        "/desk/desks/new/",
        {"name": "<b>Desk</b><script>x()</script>", "slug": "evil-desk", "position": 9},
    )
    html = admin.get("/desk/desks/").content.decode()
    assert "<script>x()" not in html
    assert "&lt;script&gt;" in html


# Revisions of other stories ------------------------------------------------------


def test_revisions_of_another_story_are_not_found(client_for, people, desk):
    mine = new_draft(people["writer"], desk)
    other = new_draft(people["other_writer"], desk, headline="Someone else's")
    foreign = other.latest_revision_id
    client = client_for("writer")
    assert client.get(f"/desk/stories/{mine.pk}/revisions/{foreign}/preview/").status_code == 404
    response = client.post(
        f"/desk/stories/{mine.pk}/revisions/{foreign}/restore/",
        {"base_revision": mine.latest_revision_id},
    )
    assert response.status_code == 404
    history = f"/desk/stories/{mine.pk}/history/?from={foreign}&to={mine.latest_revision_id}"
    assert client.get(history).status_code == 404
    assert client.get(f"/desk/stories/{mine.pk}/history/?from=abc").status_code == 404
    assert refresh(other).headline == "Someone else's"


# History, diff, restore, preview ----------------------------------------------------


def test_history_shows_a_readable_diff_and_restores(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    client = client_for("writer")
    client.post(
        f"/desk/stories/{story.pk}/",
        form_data(story, headline="Parliament rejects budget", body="<p>Second paragraph.</p>"),
    )
    story = refresh(story)
    html = client.get(f"/desk/stories/{story.pk}/history/").content.decode()
    assert "<del>weighs</del>" in html and "<ins>rejects</ins>" in html
    assert "<del>First</del>" in html and "<ins>Second</ins>" in html
    first = story.revisions.get(number=1)
    response = client.post(
        f"/desk/stories/{story.pk}/revisions/{first.pk}/restore/",
        {"base_revision": story.latest_revision_id},
    )
    assert response.status_code == 302
    story = refresh(story)
    assert story.headline == "Parliament weighs budget"
    assert story.latest_revision.note == "Restored revision 1"


def test_the_diff_of_a_persian_revision_reads_right_to_left(client_for, people, desk):
    """Each block of the diff takes its direction from its words (dir="auto")."""
    story = new_draft(people["writer"], desk)
    client = client_for("writer")
    client.post(
        f"/desk/stories/{story.pk}/",
        form_data(story, headline="مجلس بودجه را رد کرد", body="<p>بند دوم و Reuters.</p>"),
    )
    html = client.get(f"/desk/stories/{story.pk}/history/").content.decode()
    blocks = re.findall(r'<p class="diff__(?:para|line)[^"]*"[^>]*>', html)
    assert blocks and all('dir="auto"' in block for block in blocks), blocks
    assert re.search(r"<ins>[^<]*مجلس", html)


def test_history_of_an_imported_story_shows_revisions_nobody_saved(client_for, people, desk):
    story = make_story("Imported from the old site", desk=desk)
    services.snapshot_revision(story)
    page = client_for("editor").get(f"/desk/stories/{story.pk}/history/")
    assert page.status_code == 200
    row = re.search(r"<td>1</td>.*?</tr>", page.content.decode(), re.S).group(0)
    assert "<td>—</td>" in row


def test_restore_from_a_stale_page_is_refused(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    stale_base = story.latest_revision_id
    client = client_for("writer")
    client.post(f"/desk/stories/{story.pk}/", form_data(story, headline="Newer"))
    first = story.revisions.get(number=1)
    client.post(
        f"/desk/stories/{story.pk}/revisions/{first.pk}/restore/", {"base_revision": stale_base}
    )
    assert refresh(story).headline == "Newer"


def test_preview_renders_any_revision_as_readers_will_see_it(client_for, people, desk):
    story = new_draft(people["writer"], desk, label=make_label("Analysis", "analysis"))
    first = story.latest_revision
    client = client_for("writer")
    client.post(f"/desk/stories/{story.pk}/", form_data(story, headline="Second version"))
    html = client.get(f"/desk/stories/{story.pk}/revisions/{first.pk}/preview/").content.decode()
    assert "Parliament weighs budget" in html
    assert "Preview of revision 1" in html
    assert 'class="article__headline"' in html


def share_link(client, story: Story) -> str:
    """Press "Make a preview link" on the story's page; the link it shows."""
    page = client.get(f"/desk/stories/{story.pk}/").content.decode()
    action = re.search(rf'action="(/desk/stories/{story.pk}/[^"]*(?:share|previews)/)"', page)
    response = client.post(action.group(1))
    assert response.status_code == 200
    return re.search(r'value="(http[^"]+/preview/[^"]+)"', response.content.decode()).group(1)


def assert_closed(client, link: str) -> None:
    """The link answers exactly as one that never existed."""
    token = link.rstrip("/").rsplit("/", 1)[1]
    missing = client.get(link.replace(token, "x" * len(token)))
    response = client.get(link)
    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content
    assert headers_of(response) == headers_of(missing)


def test_share_makes_a_link_to_the_latest_revision(client, client_for, people, desk):
    story = new_draft(people["writer"], desk)

    link = share_link(client_for("writer"), story)

    assert "Parliament weighs budget" in client.get(link).content.decode()


def test_a_link_made_right_after_autosave_shows_the_autosaved_text(
    client, client_for, people, desk
):
    story = new_draft(people["writer"], desk)
    writer = client_for("writer")
    page = writer.get(f"/desk/stories/{story.pk}/").content.decode()  # the editor, open
    action = re.search(rf'action="(/desk/stories/{story.pk}/[^"]*(?:share|previews)/)"', page)
    saved = writer.post(
        f"/desk/stories/{story.pk}/autosave/",
        form_data(story, body="<p>Typed a moment ago.</p>"),
    )
    assert saved.json()["status"] == "saved"

    response = writer.post(action.group(1))  # the page's button, pressed after the autosave

    link = re.search(r'value="(http[^"]+/preview/[^"]+)"', response.content.decode()).group(1)
    assert "Typed a moment ago." in client.get(link).content.decode()


def test_withdrawal_closes_every_preview_link_of_the_story(client, client_for, people, desk):
    story = submitted_story(people, desk)
    editor = client_for("editor")
    services.claim_story(people["editor"], story)
    while_in_edit = share_link(editor, story)
    services.publish_story(people["editor"], story)
    story = refresh(story)
    while_public = share_link(editor, story)
    assert client.get(while_public).status_code == 200

    editor.post(
        f"/desk/stories/{story.pk}/",
        form_data(story, action="withdraw", note="Source retracted.", confirm="on"),
    )

    assert refresh(story).status == Story.Status.WITHDRAWN
    for link in (while_in_edit, while_public):
        assert_closed(client, link)
    html = editor.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "closed: the story was withdrawn" in html


def test_a_step_the_link_was_not_made_for_closes_it(client, client_for, people, desk):
    story = submitted_story(people, desk)
    editor = client_for("editor")
    link = share_link(editor, story)

    services.claim_story(people["editor"], story)  # on towards publication: still open
    assert client.get(link).status_code == 200
    services.return_story(people["editor"], story, "Needs a second source.")

    assert_closed(client, link)


def test_preview_links_are_listed_with_who_made_them_and_can_be_revoked(
    client, client_for, people, desk
):
    story = submitted_story(people, desk)
    writer, editor = client_for("writer"), client_for("editor")
    by_writer = share_link(writer, story)
    by_editor = share_link(editor, story)

    page = editor.get(f"/desk/stories/{story.pk}/").content.decode()
    listing = page.split('id="preview-links"')[1].split("</table>")[0]
    assert "Nima" in listing and "Maryam" in listing
    assert listing.count("Revoke") == 2
    writer_page = writer.get(f"/desk/stories/{story.pk}/").content.decode()
    assert writer_page.split('id="preview-links"')[1].split("</table>")[0].count("Revoke") == 1
    revoke = re.findall(rf'action="(/desk/stories/{story.pk}/previews/\d+/revoke/)"', page)

    # The writer may revoke their own link only; an editor of the desk any of them.
    assert writer.post(revoke[0]).status_code == 403  # newest first: the editor's
    assert client.get(by_editor).status_code == 200
    assert editor.post(revoke[0]).status_code == 302
    assert writer.post(revoke[1]).status_code == 302

    for link in (by_writer, by_editor):
        assert_closed(client, link)
    assert AuditEvent.objects.filter(action="revoke_preview", target_id=story.pk).count() == 2
    listing = editor.get(f"/desk/stories/{story.pk}/").content.decode()
    assert "revoked by Maryam" in listing and "revoked by Nima" in listing


# Concurrent edits ---------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_gets_the_conflict_view(client_for, people, desk):
    story = submitted_story(people, desk)
    services.claim_story(people["editor"], story)
    story = refresh(story)
    both_start_from = form_data(story)
    editor, chief = client_for("editor"), client_for("chief")

    first = editor.post(
        f"/desk/stories/{story.pk}/",
        {**both_start_from, "headline": "Editor's headline", "dateline": "Tehran"},
    )
    assert first.status_code == 302
    second = chief.post(
        f"/desk/stories/{story.pk}/",
        {**both_start_from, "headline": "Chief's headline", "dek": "Chief's new dek."},
    )

    assert second.status_code == 409
    html = second.content.decode()
    assert "Nothing was saved, and nothing you typed is lost" in html
    assert "Chief&#x27;s headline" in html  # mine, kept in the form
    assert "Editor&#x27;s headline" in html  # theirs, shown beside it
    assert "Chief&#x27;s new dek." in html
    story = refresh(story)
    assert story.headline == "Editor's headline"
    latest = story.latest_revision_id
    assert f'name="base_revision" value="{latest}"' in html
    # The merged form keeps the chief's dek and takes the editor's dateline.
    assert re.search(r'name="dateline"[^>]*value="Tehran"', html)
    merged = {**both_start_from, "base_revision": latest, "headline": "Chief's headline"}
    merged |= {"dek": "Chief's new dek.", "dateline": "Tehran"}
    assert chief.post(f"/desk/stories/{story.pk}/", merged).status_code == 302
    story = refresh(story)
    assert (story.headline, story.dek, story.dateline) == (
        "Chief's headline",
        "Chief's new dek.",
        "Tehran",
    )


STORY_BODY = "<p>Paragraph one.</p><p>Paragraph two.</p><p>Paragraph three.</p>"


def two_editors_at_one_revision(client_for, people, desk) -> tuple[Story, dict]:
    story = submitted_story(people, desk)
    services.claim_story(people["editor"], story)
    story = refresh(story)
    client_for("editor").post(f"/desk/stories/{story.pk}/", form_data(story, body=STORY_BODY))
    story = refresh(story)
    return story, form_data(story)


def test_edits_to_different_paragraphs_are_both_kept(client_for, people, desk):
    story, both_start_from = two_editors_at_one_revision(client_for, people, desk)
    editor, chief = client_for("editor"), client_for("chief")
    first = STORY_BODY.replace("one.", "one. A added this.")
    assert (
        editor.post(f"/desk/stories/{story.pk}/", {**both_start_from, "body": first}).status_code
        == 302
    )
    second = STORY_BODY.replace("three.", "three. B added this.")
    page = chief.post(f"/desk/stories/{story.pk}/", {**both_start_from, "body": second})

    assert page.status_code == 409
    html = page.content.decode()
    both = first.replace("three.", "three. B added this.")
    textarea = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert textarea.strip().replace("&lt;", "<").replace("&gt;", ">") == both
    assert "You both changed these" not in html
    latest = refresh(story).latest_revision_id
    saved = chief.post(
        f"/desk/stories/{story.pk}/", {**both_start_from, "base_revision": latest, "body": both}
    )
    assert saved.status_code == 302
    assert refresh(story).body == both


def conflict_sections(html: str) -> dict[str, str]:
    """The text of each side of "You both changed these", by its label."""
    tree = lxml.html.fromstring(html)
    return {
        side.get("aria-label"): " ".join(side.text_content().split())
        for side in tree.xpath("//section[@class='conflict__theirs' or @class='conflict__mine']")
    }


def test_their_version_of_a_paragraph_both_changed_is_shown_beside_mine(client_for, people, desk):
    story, both_start_from = two_editors_at_one_revision(client_for, people, desk)
    editor, chief = client_for("editor"), client_for("chief")
    theirs = STORY_BODY.replace("two.", "two, as the editor has it.")
    editor.post(f"/desk/stories/{story.pk}/", {**both_start_from, "body": theirs})
    mine = STORY_BODY.replace("two.", "two, as the chief has it.")
    html = chief.post(
        f"/desk/stories/{story.pk}/", {**both_start_from, "body": mine}
    ).content.decode()

    sides = conflict_sections(html)
    assert sides == {
        "Their passage 1": "Theirs (revision 3) Paragraph two, as the editor has it.",
        "Your passage 1": "Yours Paragraph two, as the chief has it.",
    }
    assert "after “…Paragraph one.”" in html


def test_their_bylines_and_a_deleted_passage_are_shown_not_left_empty(client_for, people, desk):
    story, both_start_from = two_editors_at_one_revision(client_for, people, desk)
    editor, chief = client_for("editor"), client_for("chief")
    reporter, analyst = make_author("Sara Reporter"), make_author("Ali Analyst")
    theirs = STORY_BODY.replace("<p>Paragraph two.</p>", "")
    editor.post(
        f"/desk/stories/{story.pk}/", {**both_start_from, "body": theirs, "byline_1": reporter.pk}
    )
    mine = STORY_BODY.replace("two.", "two, longer.")
    page = chief.post(
        f"/desk/stories/{story.pk}/", {**both_start_from, "body": mine, "byline_1": analyst.pk}
    )

    sides = conflict_sections(page.content.decode())
    assert sides["Their bylines"] == "Theirs (revision 3) Sara Reporter"
    assert sides["Your bylines"] == "Yours (in the form below) Ali Analyst"
    assert sides["Their passage 1"] == "Theirs (revision 3) (They deleted this passage.)"
    assert all(text.split(")", 1)[-1].strip() for text in sides.values())


# Autosave and locks ---------------------------------------------------------------


def test_autosave_keeps_a_revision_and_refuses_a_stale_one(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    base = form_data(story)
    client = client_for("writer")
    url = f"/desk/stories/{story.pk}/autosave/"

    unchanged = client.post(url, base).json()
    assert unchanged["status"] == "unchanged"
    saved = client.post(url, {**base, "headline": "Autosaved headline"}).json()
    assert saved["status"] == "saved"
    revision = Revision.objects.get(pk=saved["revision"])
    assert (revision.headline, revision.note) == ("Autosaved headline", "Autosave")

    stale = client.post(url, {**base, "headline": "From an old page"})
    assert stale.status_code == 409
    assert stale.json()["status"] == "conflict"
    assert refresh(story).headline == "Autosaved headline"


def test_others_see_who_is_editing(client_for, people, desk):
    story = submitted_story(people, desk)
    client_for("editor").get(f"/desk/stories/{story.pk}/")
    since = timezone.localtime(services.active_lock(story).since).strftime("%H:%M")
    chief = client_for("chief")
    editor_name = people["editor"].get_full_name() or "editor"
    page = chief.get(f"/desk/stories/{story.pk}/").content.decode()
    assert f"{editor_name} is editing since {since}" in page
    board = chief.get("/desk/board/").content.decode()
    assert f"{editor_name} is editing since {since}" in board
    assert chief.post(f"/desk/stories/{story.pk}/lock/").json()["holder"] == editor_name
    client_for("editor").post(f"/desk/stories/{story.pk}/unlock/")
    assert chief.post(f"/desk/stories/{story.pk}/lock/").json()["holder"] is None


# Lead images -------------------------------------------------------------------


def png_upload(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    PillowImage.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_lead_image_upload_needs_alt_text(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    client = client_for("writer")
    url = f"/desk/stories/{story.pk}/"
    missing_alt = client.post(url, {**form_data(story), "lead_image_upload": png_upload()})
    assert missing_alt.status_code == 400
    assert "Describe the image" in missing_alt.content.decode()
    assert not Image.objects.exists()

    data = form_data(story, lead_image_alt="A red square", lead_image_credit="Staff photo")
    assert client.post(url, {**data, "lead_image_upload": png_upload()}).status_code == 302
    image = refresh(story).lead_image
    assert (image.alt_text, image.credit, image.width) == ("A red square", "Staff photo", 40)


def test_a_file_that_is_not_an_image_is_refused(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    data = {**form_data(story, lead_image_alt="x"), "lead_image_upload": fake}
    response = client_for("writer").post(f"/desk/stories/{story.pk}/", data)
    assert response.status_code == 400
    assert "SVG files are not accepted: they can carry scripts" in response.content.decode()
    assert refresh(story).lead_image is None


def test_new_caption_on_a_published_image_leaves_readers_copy_alone(client_for, people, desk):
    story = submitted_story(people, desk)
    client = client_for("editor")
    data = form_data(story, lead_image_alt="Old alt", lead_image_caption="Old caption")
    client.post(f"/desk/stories/{story.pk}/", {**data, "lead_image_upload": png_upload()})
    services.claim_story(people["editor"], story)
    services.publish_story(people["editor"], story)
    story = refresh(story)
    published_image = story.lead_image
    client.post(f"/desk/stories/{story.pk}/", form_data(story, lead_image_caption="New caption"))
    published_image.refresh_from_db()
    assert published_image.caption == "Old caption"
    latest = refresh(story).latest_revision.lead_image
    assert latest.caption == "New caption" and latest.file.name == published_image.file.name


# Audit log ----------------------------------------------------------------------


def test_audit_log_shows_editors_their_desks_only(client_for, people, desk, other_desk):
    new_draft(people["writer"], desk, headline="Politics story")
    services.create_story(
        people["other_editor"], Content(headline="Economy story", desk=other_desk)
    )
    editor_html = client_for("editor").get("/desk/audit/").content.decode()
    assert "Politics story" in editor_html and "Economy story" not in editor_html
    chief_html = client_for("chief").get("/desk/audit/").content.decode()
    assert "Politics story" in chief_html and "Economy story" in chief_html
    filtered = client_for("chief").get("/desk/audit/?action=submit").content.decode()
    assert "Politics story" not in filtered


def test_story_page_shows_its_own_activity(client_for, people, desk):
    story = submitted_story(people, desk)
    html = client_for("writer").get(f"/desk/stories/{story.pk}/").content.decode()
    assert "Submitted" in html and "Created" in html


# Staff and desks --------------------------------------------------------------------


def test_administrator_creates_a_staff_account_with_roles(client_for, desk, other_desk):
    admin = client_for("admin")
    response = admin.post(
        "/desk/staff/new/",
        {
            "username": "new.writer",
            "full_name": "Shirin Farahani",
            "email": "shirin@example.org",
            "job_title": "Journalist",
            "password": "a long enough passphrase 2026",
            f"desk_{desk.pk}": "writer",
            f"desk_{other_desk.pk}": "desk_editor",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="new.writer")
    assert user.author.name == "Shirin Farahani"
    assert sorted(user.staff_roles.values_list("role", "desk__name")) == [
        ("desk_editor", "Economy"),
        ("writer", "Politics"),
    ]
    assert AuditEvent.objects.filter(action="staff_create", target_id=user.pk).exists()


def test_administrator_changes_roles_and_deactivates(client_for, people, desk):
    admin = client_for("admin")
    writer = people["writer"]
    admin.post(
        f"/desk/staff/{writer.pk}/",
        {
            "full_name": "Nima Sadeghi",
            "email": "",
            "job_title": "",
            f"desk_{desk.pk}": "desk_editor",
        },
    )
    assert list(writer.staff_roles.values_list("role", flat=True)) == ["desk_editor"]
    assert AuditEvent.objects.filter(action="staff_roles", target_id=writer.pk).exists()
    admin.post(f"/desk/staff/{writer.pk}/active/", {"active": "0"})
    writer.refresh_from_db()
    assert not writer.is_active
    assert AuditEvent.objects.filter(action="staff_deactivate", target_id=writer.pk).exists()


def test_administrator_cannot_lock_themselves_out(client_for, people):
    admin = client_for("admin")
    me = people["admin"]
    admin.post(f"/desk/staff/{me.pk}/active/", {"active": "0"})
    me.refresh_from_db()
    assert me.is_active
    admin.post(f"/desk/staff/{me.pk}/", {"full_name": "Admin", "email": "", "job_title": ""})
    assert me.staff_roles.filter(role="administrator").exists()


def test_editors_cannot_manage_staff_or_desks(client_for, people, desk):
    editor = client_for("editor")
    writer = people["writer"]
    assert editor.post(f"/desk/staff/{writer.pk}/active/", {"active": "0"}).status_code == 403
    assert editor.post("/desk/desks/new/", {"name": "X", "slug": "x"}).status_code == 403
    writer.refresh_from_db()
    assert writer.is_active


def test_administrator_creates_and_edits_desks(client_for, desk):
    admin = client_for("admin")
    response = admin.post(
        "/desk/desks/new/",
        {"name": "Sports", "slug": "sports", "description": "Games.", "position": 3},
    )
    assert response.status_code == 302
    refused = admin.post("/desk/desks/new/", {"name": "Search", "slug": "search", "position": 4})
    assert refused.status_code == 400
    admin.post(
        f"/desk/desks/{desk.pk}/",
        {"name": "Politics", "slug": desk.slug, "email": "politics@example.org", "position": 0},
    )
    desk.refresh_from_db()
    assert desk.email == "politics@example.org"
    assert AuditEvent.objects.filter(action="desk_update", note="email").exists()
    assert AuditEvent.objects.filter(action="desk_create", target_label="Sports").exists()


def test_tags_are_saved(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    iran, oil = make_tag("Iran"), make_tag("Oil")
    client_for("writer").post(
        f"/desk/stories/{story.pk}/", form_data(story, tags=[iran.pk, oil.pk])
    )
    assert set(refresh(story).tags.all()) == {iran, oil}


def test_a_writer_adds_new_tags_while_writing(client_for, people, desk):
    iran = make_tag("Iran")
    client = client_for("writer")
    created = client.post(
        "/desk/stories/new/",
        {**form_data(), "headline": "Traffic", "desk": desk.pk, "new_tags": "Tehran traffic، iran"},
    )
    assert created.status_code == 302
    story = Story.objects.get(headline="Traffic")
    assert sorted(tag.name for tag in story.tags.all()) == ["Iran", "Tehran traffic"]
    saved = client.post(
        f"/desk/stories/{story.pk}/", form_data(story, tags=[iran.pk], new_tags="Buses, Metro")
    )
    assert saved.status_code == 302
    assert sorted(tag.name for tag in refresh(story).tags.all()) == ["Buses", "Iran", "Metro"]
    assert AuditEvent.objects.filter(action="tag_create", actor=people["writer"]).count() == 3


@pytest.mark.parametrize("typed", ["---", "x" * 81, ",".join(f"tag {n}" for n in range(11))])
def test_unusable_new_tags_are_refused_and_nothing_is_stored(client_for, people, desk, typed):
    story = new_draft(people["writer"], desk)
    response = client_for("writer").post(
        f"/desk/stories/{story.pk}/", form_data(story, headline="Changed", new_tags=typed)
    )
    assert response.status_code == 400
    assert "tag" in response.content.decode().split('id="id_new_tags"')[1][:600].lower()
    assert refresh(story).headline == "Parliament weighs budget"
    assert not Tag.objects.exists()


def test_a_refused_save_makes_no_tag_and_keeps_the_typed_names(client_for, people, desk):
    story = submitted_story(people, desk)
    services.claim_story(people["editor"], story)
    both_start_from = form_data(refresh(story))
    first = client_for("editor").post(
        f"/desk/stories/{story.pk}/", {**both_start_from, "headline": "Editor's headline"}
    )
    assert first.status_code == 302

    stale = client_for("chief").post(
        f"/desk/stories/{story.pk}/",
        {**both_start_from, "dek": "Chief's dek.", "new_tags": "Fuel subsidies, Parliament"},
    )

    assert stale.status_code == 409
    assert not Tag.objects.exists()
    assert not AuditEvent.objects.filter(action="tag_create").exists()
    field = stale.content.decode().split('id="id_new_tags"')[0].rsplit("<input", 1)[1]
    assert 'value="Fuel subsidies, Parliament"' in field


def test_autosave_does_not_make_tags_from_half_typed_names(client_for, people, desk):
    story = new_draft(people["writer"], desk)
    answer = client_for("writer").post(
        f"/desk/stories/{story.pk}/autosave/", form_data(story, headline="Now", new_tags="Tehr")
    )
    assert answer.json()["status"] == "saved"
    assert not Tag.objects.exists()


def test_editors_rename_and_merge_tags_in_the_back_office(client_for, people, desk):
    capital, tehran = make_tag("The capital"), make_tag("Tehran")
    story = new_draft(people["writer"], desk, tags=[capital])
    editor = client_for("editor")
    listing = editor.get("/desk/tags/").content.decode()
    assert f'href="/desk/tags/{capital.pk}/"' in listing

    renamed = editor.post(f"/desk/tags/{capital.pk}/", {"name": "Capital city"})
    assert renamed.status_code == 302
    capital.refresh_from_db()
    assert (capital.name, capital.slug) == ("Capital city", "capital-city")
    clash = editor.post(f"/desk/tags/{capital.pk}/", {"name": "tehran"})
    assert clash.status_code == 400 and "merge into it instead" in clash.content.decode()

    merged = editor.post(f"/desk/tags/{capital.pk}/merge/", {"into": tehran.pk})
    assert merged.status_code == 302
    assert list(refresh(story).tags.all()) == [tehran]
    page = editor.get(f"/desk/tags/{tehran.pk}/").content.decode()
    assert "/tag/the-capital/" in page and "/tag/capital-city/" in page
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"tag_rename", "tag_merge"} <= actions


def test_writers_and_administrators_do_not_manage_tags(client_for, people, desk):
    tag = make_tag("Oil")
    for name in ("writer", "admin"):
        client = client_for(name)
        assert client.get("/desk/tags/").status_code == 403
        assert client.post(f"/desk/tags/{tag.pk}/", {"name": "Gas"}).status_code == 403
    tag.refresh_from_db()
    assert tag.name == "Oil"
