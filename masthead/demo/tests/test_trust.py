"""The demo outlet's sourcing and standards as data (issue 11).

The demo is loaded once for the module (it takes seconds) and only read.
What readers see of it (the "How we reported this" box, JSON-LD) is tested
with the public surfaces; here: the data the surfaces are given.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead.demo import trust
from masthead.demo.loader import POLICY_PAGES, load_demo
from masthead.newsroom.models import Author, Desk, PolicyPage
from masthead.sourcing.kinds import KINDS, clean_sources, is_approved, public_sources
from masthead.sourcing.models import ErrorReport
from masthead.stories.models import Correction, Story, StoryThread

LEAD_SLUG = "trump-cancels-imminent-attack-on-iran-says-not-after-war"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_demo()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def lead(demo, db) -> Story:
    return Story.objects.live().get(slug=LEAD_SLUG)


def _by_id(story: Story) -> dict[str, dict]:
    return {source["id"]: source for source in story.sources}


def test_the_lead_rests_on_reuters_the_times_two_us_officials_and_a_denial(lead):
    kinds = Counter(source["kind"] for source in lead.sources)

    assert kinds == {"outlet_report": 2, "unnamed": 1, "response": 1}
    sources = _by_id(lead)
    assert sources["reuters"]["outlet"] == "Reuters" and sources["reuters"]["title"]
    assert sources["nyt"]["outlet"] == "The New York Times" and sources["nyt"]["title"]
    officials = sources["usofficials"]
    assert officials["description"] == "two US officials" and officials["count"] == 2
    assert officials["anonymity_reason"]
    denial = sources["snscdenial"]
    assert denial["outcome"] == "denied"
    assert "Supreme National Security Council" in denial["party"] and denial["summary"]


def test_the_lead_s_sources_point_at_the_seed_page_s_paragraphs(lead):
    sources = _by_id(lead)
    paragraphs = re.findall(r"<p>(.*?)</p>", lead.body)

    assert len(paragraphs) == 14
    assert all(1 <= n <= len(paragraphs) for s in lead.sources for n in s["paragraphs"])
    assert "Reuters" in paragraphs[1] and 2 in sources["reuters"]["paragraphs"]
    assert "New York Times" in paragraphs[4] and 5 in sources["nyt"]["paragraphs"]
    assert all(
        "senior administration official" in paragraphs[n - 1]
        for n in sources["usofficials"]["paragraphs"]
    )
    assert "denied" in paragraphs[sources["snscdenial"]["paragraphs"][-1] - 1]


def test_the_unnamed_officials_are_approved_by_the_politics_editor(lead):
    officials = _by_id(lead)["usofficials"]
    editor = Desk.objects.get(slug="politics").editor

    assert is_approved(officials)
    approval = officials["approval"]
    assert approval["by_id"] == editor.user_id and approval["by_name"] == editor.name
    assert approval["reason"]
    assert timezone.datetime.fromisoformat(approval["at"]) < lead.published_at


def test_how_we_know_the_officials_is_kept_for_staff_only(lead):
    officials = _by_id(lead)["usofficials"]

    assert officials["how_known"]
    public = public_sources(lead.sources)
    assert all("how_known" not in s and "approval" not in s for s in public)


def test_the_lead_s_method_dateline_and_collective_byline(lead):
    assert lead.method_note.startswith("This report was written in Tehran")
    assert lead.dateline == "Tehran" and lead.dateline_kind == "written"
    assert [b.author.name for b in lead.ordered_bylines()] == ["IFP Editorial Staff"]
    # The sources are revisioned content: the published revision carries them.
    assert lead.published_revision.sources == lead.sources


def test_every_story_s_sources_are_clean_and_its_unnamed_sources_approved(demo, db):
    stories = list(Story.objects.all())
    with_sources = [story for story in stories if story.sources]
    live = set(Story.objects.live().values_list("pk", flat=True))

    assert len(with_sources) > 250
    for story in with_sources:
        assert clean_sources(story.sources) == story.sources, story.slug
        for source in story.sources:
            if source["kind"] == "unnamed" and story.pk in live:
                assert is_approved(source) and source.get("how_known"), story.slug
                editor = story.desk.editor
                assert source["approval"]["by_id"] == editor.user_id, story.slug
        if story.makes_allegation:
            assert any(s["kind"] == "response" for s in story.sources), story.slug


def test_the_demo_s_sourcing_is_varied(demo, db):
    generated = Story.objects.live().exclude(slug=LEAD_SLUG)
    kinds = Counter(s["kind"] for story in generated for s in story.sources)
    outcomes = {s.get("outcome") for story in generated for s in story.sources}

    # Every kind but agency copy, which only the wire desk's own stories carry.
    assert set(kinds) == set(KINDS) - {"wire"}
    assert {"received", "declined", "no_response"} <= outcomes
    no_answer = generated.filter(makes_allegation=True)
    assert any(s.get("outcome") == "no_response" for story in no_answer for s in story.sources)
    assert generated.exclude(method_note="").count() > 30
    assert set(generated.values_list("dateline_kind", flat=True)) == {"", "reported", "written"}
    assert generated.filter(sources=[]).count() < generated.count() // 10
    labels = set(generated.exclude(label=None).values_list("label__kind", flat=True))
    assert {"analysis", "opinion", "reportage", "background", "review"} <= labels


def test_the_lead_s_running_story_is_a_thread_of_three_with_the_lead_developing(lead):
    thread = StoryThread.objects.get(slug=trust.THREAD_SLUG)
    stories = list(Story.objects.live().filter(thread=thread).order_by("published_at"))

    assert [s.slug for s in stories] == [slug for slug, *_ in trust.THREAD_STORIES] + [LEAD_SLUG]
    assert lead.developing_since == lead.published_at and lead.developing_until is None
    first, follow_up = stories[0], stories[1]
    assert first.developing_since and first.developing_until  # closed: a plain article again
    assert follow_up.developing_since is None


def test_the_developing_lead_has_its_updates_published_after_it(lead):
    updates = list(Correction.objects.filter(story=lead, kind=Correction.Kind.UPDATE))
    now = timezone.now()

    assert [u.note for u in updates] == [note for _, note in trust.LEAD_UPDATES]
    times = [u.published_at for u in updates]
    assert times == sorted(times)
    assert lead.published_at < times[0] and times[-1] < now
    assert lead.updated_at == times[-1]
    assert all(u.created_by_id == Desk.objects.get(slug="politics").editor.user_id for u in updates)


def test_readers_error_reports_new_corrected_and_declined(demo, db):
    reports = {report.status: report for report in ErrorReport.objects.all()}

    assert set(reports) == {"new", "corrected", "declined"}
    assert reports["new"].story.slug == LEAD_SLUG and reports["new"].decided_at is None
    corrected = reports["corrected"]
    assert corrected.correction.story_id == corrected.story_id
    assert corrected.correction.kind == Correction.Kind.CORRECTION
    assert corrected.received_at < corrected.decided_at <= corrected.correction.published_at
    assert corrected.reporter_told_at
    declined = reports["declined"]
    assert declined.decision_reason and declined.correction is None
    for report in reports.values():
        assert re.fullmatch(r"[0-9a-f]{64}", report.client_hash)


def test_policy_pages_state_the_sourcing_rules_and_the_collective_byline(demo, db):
    # The default edition's pages (the Persian edition states the same rules in Persian:
    # demo/tests/test_persian.py).
    pages = {
        page.kind: page for page in PolicyPage.objects.published().filter(edition__is_default=True)
    }

    assert set(pages) == set(PolicyPage.SCHEMA_PROPERTIES) == {kind for kind, *_ in POLICY_PAGES}
    unnamed = pages[PolicyPage.Kind.UNNAMED_SOURCES].body
    assert "approved by the editor" in unnamed and "why anonymity was granted" in unnamed
    assert "ask them for a response" in pages[PolicyPage.Kind.ETHICS].body
    no_bylines = pages[PolicyPage.Kind.NO_BYLINES].body
    assert "IFP Editorial Staff" in no_bylines and "answers for it" in no_bylines
    for page in pages.values():
        assert "sample text" in page.body


def test_demo_authors_have_expertise_languages_and_a_location(demo, db):
    authors = Author.objects.filter(stories__isnull=False).distinct()

    for author in {*authors, *Author.objects.filter(desks_edited__isnull=False)}:
        assert author.expertise and author.languages and author.location, author


def test_the_story_in_edit_waits_for_its_unnamed_source_to_be_approved(demo, db):
    story = Story.objects.get(slug="parliament-committee-questions-fuel-subsidy-plan")
    (member,) = [s for s in story.latest_revision.sources if s["kind"] == "unnamed"]

    assert story.status == Story.Status.IN_EDIT
    assert member["how_known"] and not is_approved(member)
