"""Staff-only sourcing never reaches a public surface (issue 11; RELIABILITY.md §2.9).

A published story relies on an unnamed source whose ``how_known`` and whose
editor's approval reason carry random canaries, and its internal notes to
the editor a third. Every public address the URL conf has (filled with every
slug and id of the newsroom, ``surfaces.py``), the links those answers carry,
404 and 410 answers, the query-string fuzz of §2.9, and the page cache's
stored copies (both levels) must never contain a canary — walked as an
anonymous reader and with a partner's API token (an account with no staff
role). The public parts of the same source must show on the article, so the
walk is not vacuous; and the staff API shows the staff-only parts to staff.
"""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from masthead.api.ninjs import MEDIA_TYPE as NINJS
from masthead.api.services import issue_token
from masthead.factories import (
    editor_of,
    make_author,
    make_desk,
    make_label,
    make_outlet,
    make_story,
    make_tag,
    make_user,
)
from masthead.newsroom.models import Author, PolicyPage
from masthead.site.page_cache import PageCache, SharedPages
from masthead.site.tests import surfaces
from masthead.site.tests.test_page_cache import call
from masthead.sourcing.kinds import clean_sources
from masthead.sourcing.services import approve_source
from masthead.stories import services
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

CANARY = secrets.token_hex(8)
HOW_KNOWN = f"met-them-at-the-ministry-{CANARY}"
APPROVAL = f"approved-because-{CANARY}"
NOTES = f"notes-to-editor-{CANARY}"
PUBLIC = "two US officials"
REASON = "They were not authorised to speak to the press."


def sources(editor) -> list[dict]:
    return clean_sources(
        [
            {"kind": "outlet_report", "outlet": "Reuters", "title": "Trump called off strikes",
             "url": "https://reuters.example/a", "date": "2026-06-20", "paragraphs": [1]},
            {"kind": "unnamed", "description": PUBLIC, "count": 2, "anonymity_reason": REASON,
             "how_known": HOW_KNOWN, "paragraphs": [2],
             "approval": {"by_id": editor.pk, "by_name": "Desk editor",
                          "at": "2026-06-21T10:00:00Z", "reason": APPROVAL}},
            {"kind": "response", "party": "SNSC spokesman", "outcome": "denied",
             "summary": "No message was received."},
        ]
    )  # fmt: skip


@pytest.fixture
def newsroom():
    make_outlet(name="Iran Front Page")
    desk = make_desk("Politics")
    editor = editor_of(desk)
    reporter = make_author("Nima Sadeghi", expertise="Iranian politics", languages="Persian")
    staff = make_author("IFP Editorial Staff", kind=Author.Kind.COLLECTIVE)
    tag, label = make_tag("Iran"), make_label("Analysis", kind="analysis")
    PolicyPage.objects.create(kind="no_bylines", title="Bylines", slug="bylines", body="<p>x</p>")
    PolicyPage.objects.create(
        kind="unnamed_sources", title="Unnamed sources", slug="unnamed", body="<p>x</p>"
    )
    common = {"desk": desk, "authors": [reporter, staff], "tags": [tag], "label": label}
    body = "<p>Reuters reported it.</p><p>Two officials confirmed it.</p><p>Iran denied it.</p>"
    story = make_story(
        "Trump cancels attack", body=body, sources=sources(editor),
        notes_to_editor=NOTES, method_note="We read the reports and asked Tehran.",
        dateline="Tehran", dateline_kind="written", **common,
    )  # fmt: skip
    services.snapshot_revision(story)
    seen = make_story(
        "Withdrawn report", age=timedelta(hours=3), sources=sources(editor),
        notes_to_editor=NOTES, **common,
    )  # fmt: skip
    services.snapshot_revision(seen)
    gone = services.withdraw_story(editor, seen, "Withdrawn: it did not hold.")
    return {"story": story, "gone": gone, "desk": desk, "editor": editor,
            "slugs": [story.slug, gone.slug, reporter.slug, staff.slug, tag.slug, label.slug,
                      desk.slug, "bylines", "unnamed"]}  # fmt: skip


def pool_for(newsroom) -> surfaces.Pool:
    story = newsroom["story"]
    month = f"stories-{story.published_at.astimezone(UTC):%Y-%m}"
    return surfaces.Pool(
        {
            "slug": newsroom["slugs"],
            "desk_slug": [newsroom["desk"].slug],
            "story_id": [str(story.pk), str(newsroom["gone"].pk)],
            "section": [month, "news", "pages", "desks", "authors", "tags", "labels"],
        }
    )


@pytest.fixture
def app():
    # As Django's test client does: the test's transaction must survive requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        shared = SharedPages(caches["default"], max_bytes=1024 * 1024, timeout=60)
        yield PageCache(WSGIHandler(), max_bytes=16 * 1024 * 1024, poll_seconds=0, shared=shared)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def getter(app, **headers):
    def get(url: str) -> surfaces.Answer:
        answer = call(app, url, **headers)
        return surfaces.Answer(url, answer.status, answer.headers, answer.body)

    return get


def partner_token() -> str:
    """A token of an account with no staff role: what a partner outlet is given."""
    return issue_token(make_user("partner"), "partner feed").raw


def assert_no_canary(answers: list[surfaces.Answer]) -> None:
    leaks = [answer.url for answer in answers if CANARY in answer.everything()]
    assert not leaks, f"staff-only sourcing on {leaks}"


@pytest.mark.parametrize("who", ["anonymous", "partner token", "partner token, ninjs"])
def test_staff_only_sourcing_is_on_no_public_surface(newsroom, app, settings, who):
    settings.API_PUBLIC_RATE_LIMIT = "off"
    headers = {}
    if who != "anonymous":
        headers["Authorization"] = f"Bearer {partner_token()}"
    if who.endswith("ninjs"):
        headers["Accept"] = NINJS
    story = newsroom["story"]
    addresses = surfaces.public_addresses(pool_for(newsroom))
    fuzzed = [
        f"{url}{query}"
        for url in (story.get_absolute_url(), f"/api/stories/{story.pk}", "/api/stories", "/")
        for query in surfaces.FUZZ
    ]
    get = getter(app, **headers)

    answers = surfaces.walk(get, addresses, extra=surfaces.EXTRA + fuzzed)
    answers += [get(story.get_absolute_url()) for _ in range(2)]  # from the page cache

    surfaces.assert_every_pattern_answered(addresses, answers)
    assert_no_canary(answers)
    article = next(a for a in answers if a.url == story.get_absolute_url() and a.status == 200)
    assert PUBLIC in article.text and REASON in article.text  # the walk saw the sources
    assert {a.status for a in answers if a.url == newsroom["gone"].get_absolute_url()} == {410}
    assert 404 in {a.status for a in answers}
    stored = [entry.body for entry in app.store.entries.values()] + surfaces.cached_bytes()
    if who == "anonymous":
        assert len(app.store.entries) > 10  # the walk went through the page cache
    assert not [body for body in stored if CANARY.encode() in body]


def test_the_walk_covers_what_the_url_conf_has(newsroom):
    """Routes added by other parts are walked: the pool fills every public one."""
    addresses = surfaces.public_addresses(pool_for(newsroom))

    assert {"", "<str:desk_slug>/<str:slug>/", "api/stories/<story_id>"} <= set(addresses)
    assert all(urls for urls in addresses.values()), [r for r, u in addresses.items() if not u]


def test_staff_see_the_staff_only_sourcing_in_the_staff_api(client, newsroom):
    token = issue_token(newsroom["editor"], "desk").raw

    response = client.get(
        f"/api/desk/stories/{newsroom['story'].pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200
    unnamed = [s for s in response.json()["content"]["sources"] if s["kind"] == "unnamed"]
    assert unnamed and unnamed[0]["how_known"] == HOW_KNOWN


def test_an_update_changes_the_box_through_the_page_cache(newsroom, app):
    """The box is in the article's cached fragment: an update of the sources shows at once."""
    story, editor = newsroom["story"], newsroom["editor"]
    get = getter(app)
    assert "Agence Nouvelle" not in get(story.get_absolute_url()).text
    content = services.Content.of(Story.objects.get(pk=story.pk))
    content.sources = [
        *content.sources,
        {"kind": "document", "title": "Agence Nouvelle memo", "url": "https://doc.example/m"},
    ]
    services.save_story(editor, story, content, Story.objects.get(pk=story.pk).latest_revision_id)
    # The fixture wrote its approval straight into the row; an approval in a
    # revision comes only from an editor's action, as it does here.
    unnamed = next(s for s in content.sources if s["kind"] == "unnamed")
    approve_source(editor, Story.objects.get(pk=story.pk), unnamed["id"], "Known to the desk.")
    services.publish_update(editor, Story.objects.get(pk=story.pk))

    page = get(story.get_absolute_url()).text

    assert "Agence Nouvelle memo" in page
    assert CANARY not in page
