"""The source form refuses what a source must never be: hostile addresses and
folders, silly intervals, duplicates, and auto-publish by the wrong person."""

from __future__ import annotations

import pytest

from masthead.newsroom.roles import access_for
from masthead.wire.models import Source
from masthead.wire.source_forms import RuleFormSet, SourceForm, destination_refusal
from masthead.wire.tests.sources.support import make_source

pytestmark = pytest.mark.django_db


def source_form(people, home, role="editor", instance=None, **data):
    values = {
        "name": "Agency wire",
        "slug": "agency-wire",
        "kind": "rss",
        "provider": "Agency",
        "url": "https://feeds.example.com/world.xml",
        "folder": "",
        "desk": str(home.pk),
        "interval_seconds": "300",
        **data,
    }
    return SourceForm(values, instance=instance, access=access_for(people[role]))


def test_a_good_feed_is_accepted(people, desk):
    form = source_form(people, desk)
    assert form.is_valid(), form.errors


SCHEME = "only http and https addresses"
PRIVATE = "(an operator can allow a host in WIRE_ALLOWED_PRIVATE_HOSTS)"
LOCAL = "a name on this machine or its private network"
REFUSED_URLS = [
    ("javascript:alert(1)", SCHEME),
    ("JaVaScRiPt:alert(1)", SCHEME),
    ("file:///etc/passwd", SCHEME),
    ("gopher://example.com/", SCHEME),
    ("ftp://example.com/feed.xml", SCHEME),
    ("data:text/html,<script>alert(1)</script>", SCHEME),
    ("feeds.example.com/rss", SCHEME),
    ("http://127.0.0.1:6379/", "127.0.0.1 is a loopback address " + PRIVATE),
    ("http://10.0.0.1/feed", "10.0.0.1 is a private address " + PRIVATE),
    ("http://192.168.1.10/feed", "is a private address"),
    ("http://172.16.0.5/feed", "is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "metadata address"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://0.0.0.0/", "unspecified address"),
    ("http://[::1]/", "loopback address"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1"),
    ("http://[64:ff9b::a00:1]/", "NAT64 form of 10.0.0.1"),
    ("http://[fd00::1]/", "private"),
    ("http://2130706433/", "unusual spelling of an IP address"),
    ("http://0x7f.1/", "unusual spelling of an IP address"),
    ("http://017700000001/", "unusual spelling of an IP address"),
    ("http://feeds.example.com:6379/", "port 6379 is not allowed"),
    ("http://localhost/feed", LOCAL),
    ("http://LOCALHOST./feed", LOCAL),
    ("http://api.localhost/feed", LOCAL),
    ("http://printer.local/feed", LOCAL),
    ("http://metadata.google.internal/", LOCAL),
    ("http://intranet/feed", LOCAL),
    ("http://allowed.example@127.0.0.1/", "user name or password"),
    ("http://user:secret@feeds.example.com/", "user name or password"),
    ("http://127.0.0.1\\@feeds.example.com/", "backslash"),
    ("http://feeds.example.com/a b", "spaces or control characters"),
    ("http:///feed", "no host"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
def test_hostile_addresses_are_refused(people, desk, url, reason):
    form = source_form(people, desk, url=url)
    assert not form.is_valid()
    assert reason in " ".join(form.errors["url"])
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://feeds.reuters.example/world.xml",
        "http://93.184.216.34/rss",
        "https://[2606:4700::1]/f",
    ],
)
def test_public_addresses_pass_the_check(url):
    assert destination_refusal(url) is None


def test_an_operator_allows_a_private_host(people, desk, settings):
    settings.WIRE_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1", "Wire.Local"]
    assert source_form(people, desk, url="http://127.0.0.1:8123/feed.xml").is_valid()
    assert source_form(people, desk, url="http://wire.local/feed.xml").is_valid()
    assert not source_form(people, desk, url="http://10.0.0.1/feed.xml").is_valid()


@pytest.mark.parametrize("kind", ["rss", "ninjs", "newsml"])
def test_a_feed_needs_an_address(people, desk, kind):
    form = source_form(people, desk, kind=kind, url="")
    assert not form.is_valid()
    assert "needs the address" in form.errors["url"][0]


def test_a_push_source_needs_neither_address_nor_folder(people, desk):
    form = source_form(people, desk, kind="push", url="http://10.0.0.1/", folder="/etc")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["url"], form.cleaned_data["folder"]) == ("", "")


# Drop folders -------------------------------------------------------------------------------


def test_a_folder_inside_the_drop_root_is_accepted(people, desk, drop_root):
    (drop_root / "afp").mkdir()
    form = source_form(people, desk, kind="folder", url="", folder="afp")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["folder"] == str(drop_root / "afp")
    assert form.cleaned_data["url"] == ""


@pytest.mark.parametrize(
    ("folder", "reason"),
    [
        ("../../etc", "must be inside"),
        ("/etc", "must be inside"),
        ("afp/../../outside", "must be inside"),
        ("missing", "There is no folder"),
        ("", "Name a folder"),
        ("a-file.xml", "is a file"),
        ("escape", "must be inside"),
    ],
)
def test_hostile_folders_are_refused(people, desk, drop_root, tmp_path, folder, reason):
    (drop_root / "afp").mkdir()
    (tmp_path / "outside").mkdir()
    (drop_root / "a-file.xml").write_text("<x/>")
    (drop_root / "escape").symlink_to(tmp_path / "outside")
    form = source_form(people, desk, kind="folder", url="", folder=folder)
    assert not form.is_valid()
    assert reason in " ".join(form.errors["folder"])


def test_two_sources_do_not_share_a_drop_folder(people, desk, drop_root):
    (drop_root / "afp").mkdir()
    make_source(desk, name="AFP", kind="folder", url="", folder=str(drop_root / "afp"))
    form = source_form(people, desk, kind="folder", url="", folder=str(drop_root / "afp"))
    assert not form.is_valid()
    assert "already the drop folder of “AFP”" in form.errors["folder"][0]


# Other fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "ok"),
    [
        ("59", False),
        ("60", True),
        ("86400", True),
        ("86401", False),
        ("10" * 30, False),
        ("-60", False),
        ("1e3", False),
        ("", False),
    ],
)
def test_the_interval_is_a_minute_to_a_day(people, desk, interval, ok):
    assert source_form(people, desk, interval_seconds=interval).is_valid() is ok


def test_a_duplicate_slug_or_name_is_refused(people, desk, source):
    form = source_form(people, desk, slug="reuters-world")
    assert not form.is_valid() and "slug" in form.errors
    form = source_form(people, desk, name="Reuters World", slug="another")
    assert not form.is_valid() and "name" in form.errors


def test_the_slug_is_made_from_the_name_when_empty(people, desk):
    form = source_form(people, desk, name="Reuters — Middle East", slug="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["slug"] == "reuters-middle-east"


@pytest.mark.parametrize("name", ["Bad\x00name", "Bad\x1bname", "Bad\x85name", "Bad\ufffename"])
def test_control_characters_in_the_name_are_refused(people, desk, name):
    form = source_form(people, desk, name=name)
    assert not form.is_valid() and "name" in form.errors


def test_a_zero_width_non_joiner_stays(people, desk):
    form = source_form(people, desk, name="خبرگزاری\u200cها", slug="irna")
    assert form.is_valid(), form.errors
    assert "\u200c" in form.cleaned_data["name"]


def test_an_editor_may_only_choose_desks_they_edit(people, desk, other_desk):
    form = source_form(people, desk, desk=str(other_desk.pk))
    assert not form.is_valid() and "desk" in form.errors
    assert source_form(people, desk, role="chief", desk=str(other_desk.pk)).is_valid()


def test_fields_the_form_does_not_have_are_ignored(people, desk):
    form = source_form(
        people,
        desk,
        push_secret="mine",
        paused="on",
        items_received="99",
        next_poll_at="2000-01-01",
    )
    assert form.is_valid()
    source = form.save(commit=False)
    assert (source.push_secret, source.paused, source.items_received) == ("", False, 0)


# Routing rules -----------------------------------------------------------------------------------


def rule_data(rows, initial=0):
    data = {
        "rules-TOTAL_FORMS": str(len(rows)),
        "rules-INITIAL_FORMS": str(initial),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"rules-{index}-{key}"] = value
    return data


def rules_formset(people, source, rows, role="editor", initial=0):
    return RuleFormSet(
        rule_data(rows, initial), instance=source, prefix="rules", access=access_for(people[role])
    )


def test_rule_filters_are_tidied(people, source, desk):
    formset = rules_formset(
        people,
        source,
        [{"desk": str(desk.pk), "keywords": " Tehran ,, oil,", "subjects": "politics"}],
    )
    assert formset.is_valid(), formset.errors
    (rule,) = formset.rules_to_keep()
    assert rule.keywords == "Tehran, oil"


@pytest.mark.parametrize("urgency", ["0", "10", "-1", "x"])
def test_urgency_is_one_to_nine(people, source, desk, urgency):
    formset = rules_formset(people, source, [{"desk": str(desk.pk), "max_urgency": urgency}])
    assert not formset.is_valid()


def test_auto_publish_by_an_editor_of_another_desk_is_refused(people, other_desk, desk):
    source = make_source(other_desk)
    row = {"desk": str(desk.pk), "auto_publish": "on", "publish_as": str(people["editor"].pk)}
    formset = rules_formset(people, source, [row], role="other_editor")
    assert not formset.is_valid()
    assert "Only an editor of the Politics desk" in str(formset.errors)


def test_publish_as_a_writer_is_refused(people, source, desk):
    row = {"desk": str(desk.pk), "auto_publish": "on", "publish_as": str(people["writer"].pk)}
    formset = rules_formset(people, source, [row])
    assert not formset.is_valid()


def test_auto_publish_needs_publish_as(people, source, desk):
    formset = rules_formset(people, source, [{"desk": str(desk.pk), "auto_publish": "on"}])
    assert not formset.is_valid()
    assert "Say whom" in str(formset.errors)


def test_a_rule_of_another_source_cannot_be_edited_through_this_one(people, source, desk):
    from masthead.wire import sources_admin
    from masthead.wire.models import RoutingRule

    elsewhere = make_source(desk)
    foreign = RoutingRule.objects.create(source=elsewhere, desk=desk, keywords="secret")
    rows = [{"id": str(foreign.pk), "desk": str(desk.pk), "keywords": "hijacked", "DELETE": ""}]
    formset = rules_formset(people, source, rows, initial=1)
    if formset.is_valid():
        sources_admin.save_source(
            people["editor"], source, formset.rules_to_keep(), formset.rules_to_delete()
        )
    assert RoutingRule.objects.get(pk=foreign.pk).keywords == "secret"
    assert RoutingRule.objects.get(pk=foreign.pk).source == elsewhere
    rows[0]["DELETE"] = "on"
    formset = rules_formset(people, source, rows, initial=1)
    if formset.is_valid():
        sources_admin.save_source(
            people["editor"], source, formset.rules_to_keep(), formset.rules_to_delete()
        )
    assert RoutingRule.objects.filter(pk=foreign.pk).exists()


def test_too_many_rules_are_refused(people, source, desk):
    formset = rules_formset(people, source, [{"desk": str(desk.pk)}] * 21)
    assert not formset.is_valid()
