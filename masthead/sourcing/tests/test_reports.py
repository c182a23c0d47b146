"""Readers' error reports: the public form, its defences, the desks' queue, outcomes, retention."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from hashlib import sha256

import jdatetime
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.api import rate_limits
from masthead.factories import make_desk, make_edition, make_staff, make_story, make_user
from masthead.newsroom.audit import events_for
from masthead.newsroom.models import StaffRole
from masthead.site.selectors import public_corrections
from masthead.sourcing import reports
from masthead.sourcing.models import ErrorReport
from masthead.stories import services
from masthead.stories.models import ContentVersion, Correction, Story

R = StaffRole.Role
Status = ErrorReport.Status
GOOD = {
    "what_is_wrong": "The second paragraph says 2019; the agreement was signed in 2015.",
    "evidence_url": "https://example.org/agreement",
    "email": "reader@example.net",
}


@pytest.fixture(autouse=True)
def setup(settings, monkeypatch):
    settings.REQUIRE_2FA_FOR = []
    settings.SITE_URL = "https://news.example"
    # One rate-limit window for the whole test: none ends mid-test.
    monkeypatch.setattr(rate_limits, "clock", lambda: 1_800_000_000.0)


@pytest.fixture
def desk(db):
    return make_desk("Politics")


@pytest.fixture
def other_desk(db):
    return make_desk("Economy")


@pytest.fixture
def people(desk, other_desk):
    return {
        "writer": make_staff(R.WRITER, desk, username="writer"),
        "editor": make_staff(R.DESK_EDITOR, desk, username="editor", first_name="Maryam"),
        "other_editor": make_staff(R.DESK_EDITOR, other_desk, username="other_editor"),
        "chief": make_staff(R.CHIEF_EDITOR, None, username="chief"),
        "admin": make_staff(R.ADMINISTRATOR, None, username="admin"),
        "reader": make_user("reader"),
    }


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story(people, desk) -> Story:
    """A story published through the workflow, so it can be corrected."""
    editor = people["editor"]
    story = services.create_story(
        editor,
        services.Content(headline="Nuclear talks resume", desk=desk, body="<p>Signed in 2019.</p>"),
    )
    for step in (services.submit_story, services.claim_story, services.approve_story):
        step(editor, story)
    services.publish_story(editor, story)
    story.refresh_from_db()
    assert story.is_live()
    return story


def form_url(story: Story) -> str:
    return reverse("site:report_error", args=[story.desk.slug, story.slug])


def file(client: Client, story: Story, data: dict | None = None, **extra):
    return client.post(form_url(story), data if data is not None else GOOD, **extra)


# The public form ---------------------------------------------------------------------------


def test_every_live_article_links_the_form_and_carries_no_token(client, story):
    page = client.get(story.get_absolute_url())
    html = page.content.decode()
    assert f'href="{form_url(story)}"' in html and "Report an error" in html
    assert "csrfmiddlewaretoken" not in html and "csrftoken" not in page.cookies
    assert "public" in page["Cache-Control"]


def test_the_form_is_private_unindexed_and_works_without_javascript(client, story):
    page = client.get(form_url(story))
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in html
    forms = [part.split("</form>", 1)[0] for part in html.split("<form")[1:]]
    form = next(form for form in forms if 'role="search"' not in form)  # not the header's
    assert 'method="post"' in form and "csrfmiddlewaretoken" in form and "<script" not in form
    assert "Surrogate-Key" not in page and "ETag" not in page


def test_a_report_is_filed_and_answered_with_a_thank_you_page(client, story):
    answer = file(client, story, REMOTE_ADDR="203.0.113.9")
    assert answer.status_code == 303
    assert answer["Location"] == form_url(story) + "thanks/"
    assert answer["Cache-Control"] == "private, no-store"
    thanks = client.get(answer["Location"])
    assert thanks.status_code == 200 and b"Thank you" in thanks.content
    assert thanks["Cache-Control"] == "private, no-store"

    report = ErrorReport.objects.get()
    assert (report.story, report.status) == (story, Status.NEW)
    assert report.what_is_wrong == GOOD["what_is_wrong"]
    assert (report.evidence_url, report.email) == (GOOD["evidence_url"], GOOD["email"])
    assert [e.action for e in events_for(report)] == ["error_report_file"]


def test_no_raw_address_is_stored_only_a_keyed_hash(client, story, settings):
    file(client, story, REMOTE_ADDR="203.0.113.9")
    report = ErrorReport.objects.get()
    key = sha256((reports.CLIENT_HASH_SALT + settings.SECRET_KEY).encode()).digest()
    assert report.client_hash == hmac.new(key, b"203.0.113.9", sha256).hexdigest()
    stored = " ".join(str(value) for value in ErrorReport.objects.values().get().values())
    assert "203.0.113.9" not in stored
    assert not any("203.0.113.9" in str(e.detail) for e in events_for(report))


def test_an_ipv6_client_is_one_client_across_its_64(client, story, desk):
    other = make_story("Second story", desk=desk)
    file(client, story, REMOTE_ADDR="2001:db8:1:2::1")
    file(client, other, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    file(client, other, REMOTE_ADDR="2001:db8:1:3::1")
    hashes = list(ErrorReport.objects.order_by("pk").values_list("client_hash", flat=True))
    assert hashes[0] == hashes[1] != hashes[2]


def _four_oh_four(client) -> tuple[int, bytes]:
    missing = client.get("/politics/no-such-story/report-error/")
    return missing.status_code, missing.content


@pytest.mark.parametrize("state", ["draft", "scheduled", "embargoed", "withdrawn", "old-slug"])
def test_only_live_stories_take_reports_others_answer_as_missing(client, story, desk, state):
    now = timezone.now()
    if state == "draft":
        target = make_story("A draft", desk=desk, status=Story.Status.DRAFT, published_at=None)
    elif state == "scheduled":
        target = make_story(
            "Later", desk=desk, status=Story.Status.SCHEDULED, published_at=now + timedelta(hours=2)
        )
    elif state == "embargoed":
        target = make_story("Embargoed", desk=desk, embargoed_until=now + timedelta(hours=2))
    elif state == "withdrawn":
        services.withdraw_story(_editor(), story, "Withdrawn: wrong.")
        target = Story.objects.get(pk=story.pk)
        assert client.get(target.get_absolute_url()).status_code == 410
    else:
        target = story
    url = (
        f"/{desk.slug}/an-old-slug/report-error/"
        if state == "old-slug"
        else reverse("site:report_error", args=[desk.slug, target.slug])
    )
    expected = _four_oh_four(client)
    got = client.get(url)
    assert (got.status_code, got.content) == expected
    posted = client.post(url, GOOD)
    assert (posted.status_code, posted.content) == expected
    thanks = client.get(url + "thanks/")
    assert (thanks.status_code, thanks.content) == expected
    assert not ErrorReport.objects.exists()


def _editor():
    return StaffRole.objects.get(user__username="editor").user


def test_a_report_filed_as_the_story_goes_away_is_not_stored(story):
    services.withdraw_story(_editor(), story, "Withdrawn")
    with pytest.raises(ValidationError):
        reports.file_report(story, what_is_wrong="x", client="c" * 64)
    assert not ErrorReport.objects.exists()


# Hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("what_is_wrong", ""),
        ("what_is_wrong", "   \n\u202e  "),
        ("what_is_wrong", "x" * 4001),
        ("what_is_wrong", "a null \x00 byte"),
        ("evidence_url", "javascript:alert(document.cookie)"),
        ("evidence_url", "JavaScript:alert(1)"),
        ("evidence_url", "data:text/html,<script>alert(1)</script>"),
        ("evidence_url", "ftp://example.org/file"),
        ("evidence_url", "file:///etc/passwd"),
        ("evidence_url", "https://example.org/\u202egpj.exe"),
        ("evidence_url", "https://" + "a" * 600 + ".example"),
        ("email", "reader@example.net\nBcc: victim@example.org"),
        ("email", "reader@example.net\r\nSubject: spam"),
        ("email", "a@example.net, b@example.net"),
        ("email", "Reader <reader@example.net>"),
        ("email", "not an address"),
        ("email", "r\u202eeader@example.net"),
    ],
)
def test_hostile_fields_are_refused_and_nothing_is_stored(client, story, field, value):
    answer = file(client, story, {**GOOD, field: value})
    assert answer.status_code == 400
    assert answer["Cache-Control"] == "private, no-store"
    assert b"nothing was saved yet" in answer.content
    assert not ErrorReport.objects.exists()


def test_wrong_types_and_forged_fields_change_nothing(client, story):
    answer = file(
        client,
        story,
        {
            **GOOD,
            "what_is_wrong": ["first", "second"],
            "status": "corrected",
            "client_hash": "forged",
            "story": "999",
            "decided_by": "1",
        },
    )
    assert answer.status_code == 303
    report = ErrorReport.objects.get()
    assert report.status == Status.NEW and report.client_hash != "forged"
    assert report.story == story and report.decided_by is None
    assert report.what_is_wrong == "second"  # a form field takes the last value, as Django does


def test_bidi_overrides_and_controls_are_removed_markup_is_kept_as_text(client, story, people):
    text = "Name is \u202eevil\u202c wrong\x07\x1b <script>alert(1)</script> \u200fok"
    file(client, story, {**GOOD, "what_is_wrong": text})
    report = ErrorReport.objects.get()
    assert "\u202e" not in report.what_is_wrong and "\x07" not in report.what_is_wrong
    assert "\u200f" in report.what_is_wrong  # a bidi mark, which RTL text needs, stays
    page = login(people["editor"]).get(reverse("corrections:report", args=[report.pk]))
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def test_a_body_over_the_limit_is_refused_and_nothing_is_stored(client, story, settings):
    settings.ERROR_REPORT_MAX_BODY_BYTES = 2048
    answer = file(client, story, {**GOOD, "padding": "p" * 4096})
    assert answer.status_code == 413 and b"Nothing was saved" in answer.content
    assert answer["Cache-Control"] == "private, no-store"
    assert not ErrorReport.objects.exists()


def test_other_methods_are_refused(client, story):
    assert client.put(form_url(story), GOOD).status_code == 405
    assert client.post(form_url(story) + "thanks/", GOOD).status_code == 405


def test_the_honeypot_gets_the_same_thank_you_and_stores_nothing(client, story):
    answer = file(client, story, {**GOOD, "website": "http://spam.example"})
    assert answer.status_code == 303 and answer["Location"].endswith("/report-error/thanks/")
    assert not ErrorReport.objects.exists()
    html = client.get(form_url(story)).content.decode()
    assert '<div hidden aria-hidden="true">' in html and 'tabindex="-1"' in html


def test_a_flood_past_the_hourly_limit_per_client_is_refused(client, story, desk, settings):
    settings.ERROR_REPORT_RATE_LIMIT = "3/hour"
    settings.ERROR_REPORT_STORY_RATE_LIMIT = "off"
    for _ in range(3):
        assert file(client, story, REMOTE_ADDR="198.51.100.7").status_code == 303
    refused = file(client, story, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused["Cache-Control"] == "private, no-store"
    # Another story does not help; the honeypot counts too; another client is not held back.
    other = make_story("Another", desk=desk)
    assert file(client, other, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert file(
        client, story, {**GOOD, "website": "x"}, REMOTE_ADDR="198.51.100.7"
    ).status_code == (429)
    assert file(client, story, REMOTE_ADDR="198.51.100.8").status_code == 303
    assert ErrorReport.objects.count() == 4


def test_a_client_may_report_one_story_only_so_often(client, story, desk, settings):
    settings.ERROR_REPORT_STORY_RATE_LIMIT = "2/hour"
    for _ in range(2):
        assert file(client, story).status_code == 303
    assert file(client, story).status_code == 429
    assert file(client, make_story("Another", desk=desk)).status_code == 303
    assert ErrorReport.objects.count() == 3


def test_csrf_is_enforced_on_the_public_form(story):
    browser = Client(enforce_csrf_checks=True)
    assert file(browser, story).status_code == 403
    assert not ErrorReport.objects.exists()
    form = browser.get(form_url(story))
    token = form.context["csrf_token"]
    assert file(browser, story, {**GOOD, "csrfmiddlewaretoken": str(token)}).status_code == 303
    assert ErrorReport.objects.count() == 1


# The desks' queue ----------------------------------------------------------------------------


@pytest.fixture
def report(story) -> ErrorReport:
    return reports.file_report(story, client="f" * 64, **GOOD)


@pytest.mark.parametrize(
    ("who", "queue", "sees", "page"),
    [
        ("editor", 200, True, 200),
        ("chief", 200, True, 200),
        ("other_editor", 200, False, 404),
        ("writer", 403, False, 403),
        ("admin", 403, False, 403),
        ("reader", 403, False, 403),
    ],
)
def test_who_sees_the_queue_and_a_report(people, report, who, queue, sees, page):
    client = login(people[who])
    listing = client.get(reverse("corrections:queue"))
    assert listing.status_code == queue
    assert listing["Cache-Control"] == "private, no-store"
    assert (report.what_is_wrong[:40].encode() in listing.content) is sees
    assert client.get(reverse("corrections:report", args=[report.pk])).status_code == page
    for action in ("accept", "decline"):
        answer = client.post(reverse(f"corrections:{action}", args=[report.pk]), {"reason": "No"})
        assert answer.status_code in {302, 400} if page == 200 else answer.status_code == page
    if page != 200:
        assert ErrorReport.objects.get().status == Status.NEW


def test_a_visitor_is_sent_to_sign_in(client, report):
    answer = client.get(reverse("corrections:queue"))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_the_services_check_permissions_themselves(people, report):
    for who in ("writer", "other_editor", "admin", "reader"):
        with pytest.raises(PermissionDenied):
            reports.accept_report(people[who], report.pk)
        with pytest.raises(PermissionDenied):
            reports.decline_report(people[who], report.pk, "No.")
    assert ErrorReport.objects.get().status == Status.NEW


def test_editors_see_the_count_of_new_reports_in_the_navigation(people, report):
    html = login(people["editor"]).get(reverse("backoffice:mine")).content.decode()
    assert 'aria-label="1 new">1</span>' in html
    html = login(people["other_editor"]).get(reverse("backoffice:mine")).content.decode()
    assert "Reader reports" in html and 'aria-label="1 new"' not in html
    assert (
        "Reader reports"
        not in login(people["writer"]).get(reverse("backoffice:mine")).content.decode()
    )


def _versions() -> dict[str, int]:
    return dict(ContentVersion.objects.values_list("scope", "counter"))


def test_accept_then_correct_records_the_report_and_tells_the_reader(
    people, story, report, mailoutbox, django_capture_on_commit_callbacks
):
    editor = login(people["editor"])
    answer = editor.post(reverse("corrections:accept", args=[report.pk]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("backoffice:story", args=[story.pk])
    report.refresh_from_db()
    assert (report.status, report.decided_by) == (Status.ACCEPTED, people["editor"])
    page = editor.get(answer["Location"]).content.decode()
    assert "1 accepted reader report" in page and "Report accepted" in page
    assert not mailoutbox  # accepting tells nobody yet: the correction does

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_correction(
            people["editor"], Story.objects.get(pk=story.pk), "We gave the wrong year: 2015."
        )
    report.refresh_from_db()
    assert report.status == Status.CORRECTED and report.correction.note.startswith("We gave")
    assert report.reporter_told_at is not None
    assert [e.action for e in events_for(report)][:2] == [
        "error_report_corrected",
        "error_report_accept",
    ]
    (mail,) = mailoutbox
    assert mail.to == ["reader@example.net"]
    assert "We corrected the story you reported" in mail.subject and "\n" not in mail.subject
    assert "We gave the wrong year: 2015." in mail.body
    assert "https://news.example" + story.get_absolute_url() in mail.body


def test_a_correction_records_only_accepted_reports(people, story, report):
    declined = reports.file_report(story, client="e" * 64, what_is_wrong="Wrong.")
    reports.decline_report(people["editor"], declined.pk, "It is right.")
    untouched = reports.file_report(story, client="d" * 64, what_is_wrong="Also wrong.")
    reports.accept_report(people["editor"], report.pk)
    services.publish_correction(people["editor"], Story.objects.get(pk=story.pk), "Fixed.")
    statuses = dict(ErrorReport.objects.values_list("pk", "status"))
    assert statuses == {
        report.pk: Status.CORRECTED,
        declined.pk: Status.DECLINED,
        untouched.pk: Status.NEW,
    }


def test_accepting_twice_or_after_a_decline_is_refused(people, report):
    reports.accept_report(people["editor"], report.pk)
    with pytest.raises(ValidationError, match="already accepted"):
        reports.accept_report(people["chief"], report.pk)
    reports.decline_report(people["chief"], report.pk, "On second thought, it was right.")
    with pytest.raises(ValidationError, match="already declined"):
        reports.decline_report(people["editor"], report.pk, "Again.")


def test_a_report_on_a_withdrawn_story_can_only_be_declined(people, story, report):
    services.withdraw_story(people["editor"], story, "Withdrawn: the talks never resumed.")
    with pytest.raises(ValidationError, match="withdrawn"):
        reports.accept_report(people["editor"], report.pk)
    reports.decline_report(people["editor"], report.pk, "The story was withdrawn.")
    assert ErrorReport.objects.get().status == Status.DECLINED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_deciding_at_once_the_second_waits_for_the_lock_then_is_refused(
    people, story, report, settings
):
    from masthead.stories.tests.test_revisions import race

    a, b = race(
        settings,
        "sourcing.report.after_lock",
        lambda: reports.accept_report(people["editor"], report.pk),
        lambda: reports.accept_report(people["chief"], report.pk),
    )
    assert (a.outcome, b.outcome) == ("done", "ValidationError")
    accepted = ErrorReport.objects.get()
    assert (accepted.status, accepted.decided_by) == (Status.ACCEPTED, people["editor"])
    assert [e.action for e in events_for(accepted)].count("error_report_accept") == 1


def test_decline_needs_a_reason_tells_the_reader_and_changes_nothing_public(
    people, story, report, mailoutbox, django_capture_on_commit_callbacks, client
):
    editor = login(people["editor"])
    url = reverse("corrections:decline", args=[report.pk])
    empty = editor.post(url, {"reason": "  \u202e "})
    assert empty.status_code == 400 and ErrorReport.objects.get().status == Status.NEW
    assert editor.post(url, {"reason": "x" * 2001}).status_code == 400

    before = _versions()
    public_before = client.get(story.get_absolute_url()).content
    with django_capture_on_commit_callbacks(execute=True):
        answer = editor.post(url, {"reason": "The agreement was signed in 2019: see annex 2."})
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DECLINED and report.decision_reason.startswith("The agreement")
    assert _versions() == before  # no public scope moves
    assert client.get(story.get_absolute_url()).content == public_before
    (mail,) = mailoutbox
    assert "About the error you reported" in mail.subject
    assert "The agreement was signed in 2019: see annex 2." in mail.body
    assert events_for(report).first().action == "error_report_decline"


def test_a_reader_without_email_is_told_nothing(
    people, story, mailoutbox, django_capture_on_commit_callbacks
):
    quiet = reports.file_report(story, client="c" * 64, what_is_wrong="Wrong name.")
    with django_capture_on_commit_callbacks(execute=True):
        reports.decline_report(people["editor"], quiet.pk, "Right name.")
    assert not mailoutbox and ErrorReport.objects.get().reporter_told_at is None


# Retention ------------------------------------------------------------------------------------


def test_hash_and_email_are_blanked_after_the_retention_period(story, settings):
    settings.ERROR_REPORT_RETENTION_DAYS = 30
    old = reports.file_report(story, client="a" * 64, **GOOD)
    ErrorReport.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    recent = reports.file_report(story, client="b" * 64, **GOOD)
    assert reports.expire_personal_data() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.client_hash, old.email) == ("", "")
    assert old.what_is_wrong == GOOD["what_is_wrong"]  # the report itself stays
    assert (recent.client_hash, recent.email) == ("b" * 64, GOOD["email"])
    assert reports.expire_personal_data() == 0  # nothing left to blank


def test_the_command_and_the_worker_run_the_expiry(story, settings, capsys):
    from masthead.worker.beat import load_periodic_work

    old = reports.file_report(story, client="a" * 64, **GOOD)
    ErrorReport.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=400))
    call_command("expire_error_reports")
    assert "1 report(s) older than 30 days" in capsys.readouterr().out
    assert ErrorReport.objects.get().email == ""
    paths = [entry[0] for entry in settings.PERIODIC_WORK]
    assert "masthead.sourcing.reports.expire_personal_data" in paths
    assert load_periodic_work(settings.PERIODIC_WORK)  # every entry imports


# Public counts --------------------------------------------------------------------------------


def test_the_article_and_the_corrections_page_count_corrections_after_reports(
    client, people, story
):
    url = story.get_absolute_url()
    client.get(url)  # cached before the correction
    report = reports.file_report(story, client="a" * 64, **GOOD)
    ErrorReport.objects.filter(pk=report.pk).update(received_at=timezone.now() - timedelta(hours=5))
    reports.accept_report(people["editor"], report.pk)
    services.publish_correction(people["editor"], Story.objects.get(pk=story.pk), "Wrong year.")
    services.publish_correction(people["editor"], Story.objects.get(pk=story.pk), "Wrong city.")

    html = client.get(url).content.decode()
    assert "One correction followed readers&#x27; reports." in html or (
        "One correction followed readers' reports." in html
    )
    page = client.get(reverse("site:corrections")).content.decode()
    assert "Corrections that followed readers" in page
    month = timezone.localtime().strftime("%B %Y")
    assert f'<th scope="row">{month}</th><td>2</td><td>1</td><td>5 hours</td>' in page


def test_monthly_stats_take_the_median_from_the_first_report(people, story, desk):
    from masthead.site.selectors import public_corrections

    now = timezone.now()
    for hours, target in ((2, story), (10, None), (30, None)):
        target = target or _published(people["editor"], desk, f"Story {hours}")
        first = reports.file_report(target, client="a" * 64, what_is_wrong="Wrong.")
        later = reports.file_report(target, client="b" * 64, what_is_wrong="Also wrong.")
        ErrorReport.objects.filter(pk=first.pk).update(received_at=now - timedelta(hours=hours))
        ErrorReport.objects.filter(pk=later.pk).update(received_at=now - timedelta(hours=1))
        for each in (first, later):
            reports.accept_report(people["editor"], each.pk)
        services.publish_correction(people["editor"], Story.objects.get(pk=target.pk), "Fixed.")
    (month,) = reports.monthly_report_stats(public_corrections())
    assert (month.corrections, month.from_reports) == (3, 3)
    assert 9.9 < month.median_hours < 10.1


def _published(editor, desk, headline) -> Story:
    story = services.create_story(
        editor, services.Content(headline=headline, desk=desk, body="<p>x</p>")
    )
    for step in (services.submit_story, services.claim_story, services.approve_story):
        step(editor, story)
    services.publish_story(editor, story)
    return Story.objects.get(pk=story.pk)


def test_hours_in_words():
    from masthead.sourcing.templatetags.sourcing_reports import hours_in_words

    assert [hours_in_words(h) for h in (0.4, 1, 5.5, 60)] == [
        "24 minutes",
        "1 hour",
        "5.5 hours",
        "2.5 days",
    ]


def test_a_jalali_editions_monthly_stats_count_solar_hijri_months(people, story, desk):
    # 21 Nov 2026 is 30 Aban 1405 until 20:30 UTC, then 1 Azar in Tehran (UTC+03:30): two
    # months that a Gregorian count puts in one (November).
    persian = make_edition("fa")
    times = [
        datetime(2026, 11, 21, 12, 0, tzinfo=UTC),  # 30 Aban, 15:30 in Tehran
        datetime(2026, 11, 21, 21, 0, tzinfo=UTC),  # 1 Azar, 00:30 in Tehran
        datetime(2026, 11, 25, 9, 0, tzinfo=UTC),  # 4 Azar
    ]
    for number, at in enumerate(times):
        services.publish_correction(people["editor"], Story.objects.get(pk=story.pk), f"N{number}")
        Correction.objects.filter(note=f"N{number}").update(published_at=at)

    # Read on 3 Dec 2026, the story live since November.
    Story.objects.filter(pk=story.pk).update(published_at=datetime(2026, 11, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 12, 3, tzinfo=UTC), tick=False):
        months = reports.monthly_report_stats(public_corrections(), edition=persian)
        gregorian = reports.monthly_report_stats(public_corrections())

    assert [(month.month, month.corrections) for month in months] == [
        (jdatetime.date(1405, 9, 1), 2),
        (jdatetime.date(1405, 8, 1), 1),
    ]
    assert [month.corrections for month in gregorian] == [3]
