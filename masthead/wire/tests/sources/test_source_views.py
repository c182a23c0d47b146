"""The wire source pages over HTTP: who sees and does what, and what they see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from masthead.newsroom.models import AuditEvent
from masthead.wire.models import RoutingRule, Source, WireItem
from masthead.wire.tests.sources.support import MANAGERS, ROLES, VIEWERS, make_source

pytestmark = pytest.mark.django_db

BASE = "/desk/wire/sources/"


def state(source: Source) -> tuple:
    row = Source.objects.filter(pk=source.pk).first()
    if row is None:
        return (None,)
    return (row.paused, row.next_poll_at, row.push_secret, row.name, AuditEvent.objects.count())


# Who sees the list and the pages ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_list_per_role(client_for, source, other_desk, role):
    elsewhere = make_source(other_desk, name="Economy Wire")
    response = client_for(role).get(BASE)
    if role == "anonymous":
        assert response.status_code == 302 and "/account/login/" in response["Location"]
        return
    if role == "reader":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert (
        response["Cache-Control"] == "private, no-store" or "no-store" in response["Cache-Control"]
    )
    page = response.content.decode()
    assert ("Reuters World" in page) == (role in VIEWERS)
    assert ("Economy Wire" in page) == (role in {"admin", "chief", "other_editor", "other_writer"})
    edit_link = f'href="{BASE}{source.pk}/"'
    assert (edit_link in page) == (role in MANAGERS)
    assert (f"{BASE}{source.pk}/pause/" in page) == (role in MANAGERS)
    assert (f'href="{BASE}new/"' in page) == (role in MANAGERS | {"other_editor"})
    del elsewhere


@pytest.mark.parametrize("role", ROLES)
def test_the_edit_page_per_role(client_for, source, role):
    response = client_for(role).get(f"{BASE}{source.pk}/")
    expected = {
        "anonymous": 302,
        "reader": 403,
        "writer": 403,
        "other_editor": 404,
        "other_writer": 404,
    }.get(role, 200)
    assert response.status_code == expected


def test_a_missing_source_and_another_desks_source_answer_alike(client_for, source):
    client = client_for("other_editor")
    hidden = client.get(f"{BASE}{source.pk}/")
    missing = client.get(f"{BASE}{source.pk + 1000}/")
    assert hidden.status_code == missing.status_code == 404
    assert len(hidden.content) == len(missing.content)


# Actions ---------------------------------------------------------------------------------


def _prepare(source: Source, action: str) -> None:
    if action == "resume":
        Source.objects.filter(pk=source.pk).update(paused=True)
    if action == "secret":
        Source.objects.filter(pk=source.pk).update(kind=Source.Kind.PUSH, url="")


AUDITED = {
    "pause": "wire_source_pause",
    "resume": "wire_source_resume",
    "poll": "wire_source_poll_now",
    "secret": "wire_source_secret",
    "delete": "wire_source_delete",
}


@pytest.mark.parametrize("action", sorted(AUDITED))
@pytest.mark.parametrize("role", ROLES)
def test_actions_per_role(client_for, source, role, action):
    _prepare(source, action)
    before = state(source)
    response = client_for(role).post(f"{BASE}{source.pk}/{action}/")
    if role in MANAGERS:
        assert response.status_code == (200 if action == "secret" else 302)
        assert AuditEvent.objects.filter(action=AUDITED[action]).count() == 1
        assert state(source) != before
        return
    expected = {"anonymous": 302, "reader": 403, "writer": 403}.get(role, 404)
    assert response.status_code == expected
    assert state(source) == before


@pytest.mark.parametrize("action", sorted(AUDITED))
def test_actions_refuse_get(client_for, source, action):
    _prepare(source, action)
    before = state(source)
    assert client_for("editor").get(f"{BASE}{source.pk}/{action}/").status_code == 405
    assert state(source) == before


@pytest.mark.parametrize("action", sorted(AUDITED))
def test_actions_need_the_csrf_token(people, source, action):
    _prepare(source, action)
    before = state(source)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["editor"])
    assert client.post(f"{BASE}{source.pk}/{action}/").status_code == 403
    assert state(source) == before


def test_pause_then_resume_from_the_list(client_for, source):
    client = client_for("editor")
    response = client.post(f"{BASE}{source.pk}/pause/", follow=True)
    assert "“Reuters World” is paused." in response.content.decode()
    assert Source.objects.get(pk=source.pk).paused
    response = client.post(f"{BASE}{source.pk}/pause/", follow=True)
    assert "already paused" in response.content.decode()
    assert AuditEvent.objects.filter(action="wire_source_pause").count() == 1
    response = client.post(f"{BASE}{source.pk}/resume/", {"next": "edit"})
    assert response["Location"] == f"{BASE}{source.pk}/"


def test_poll_now_makes_the_source_due(client_for, source):
    Source.objects.filter(pk=source.pk).update(next_poll_at=timezone.now() + timedelta(hours=3))
    client_for("chief").post(f"{BASE}{source.pk}/poll/")
    assert Source.objects.get(pk=source.pk).next_poll_at <= timezone.now()


def test_a_source_with_items_is_archived(client_for, source, desk):
    WireItem.objects.create(
        source=source, desk=desk, provider_id="1", headline="x", fingerprint="f"
    )
    response = client_for("editor").post(f"{BASE}{source.pk}/delete/", follow=True)
    assert "archived (paused) instead of deleted" in response.content.decode()
    assert Source.objects.get(pk=source.pk).paused


# The push secret ---------------------------------------------------------------------------


def test_the_secret_is_shown_once_to_its_manager(client_for, desk):
    push = make_source(desk, kind=Source.Kind.PUSH, url="", name="Agency push", slug="agency-push")
    client = client_for("editor")
    response = client.post(f"{BASE}{push.pk}/secret/")
    page = response.content.decode()
    secret = Source.objects.get(pk=push.pk).push_secret
    assert len(secret) == 64 and secret in page
    assert "no-store" in response["Cache-Control"]
    assert "X-Masthead-Signature" in page and "X-Masthead-Timestamp" in page
    for url in (BASE, f"{BASE}{push.pk}/"):
        assert secret not in client.get(url).content.decode()
    assert secret not in client_for("writer").get(BASE).content.decode()
    assert not AuditEvent.objects.filter(note__contains=secret).exists()


def test_a_writer_cannot_get_the_secret(client_for, desk):
    push = make_source(desk, kind=Source.Kind.PUSH, url="", push_secret="s" * 64)
    for url in (BASE, f"{BASE}{push.pk}/"):
        assert "s" * 64 not in client_for("writer").get(url).content.decode()
    assert client_for("writer").post(f"{BASE}{push.pk}/secret/").status_code == 403
    assert Source.objects.get(pk=push.pk).push_secret == "s" * 64


# Creating and editing --------------------------------------------------------------------------


def form_data(desk, rules=(), initial=0, **fields):
    data = {
        "name": "AFP World",
        "slug": "afp-world",
        "kind": "rss",
        "provider": "AFP",
        "url": "https://feeds.example.com/afp.xml",
        "folder": "",
        "desk": str(desk.pk),
        "interval_seconds": "300",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(initial),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, rule in enumerate(rules):
        for key, value in rule.items():
            data[f"rules-{index}-{key}"] = value
    return data


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_source_per_role(client_for, desk, role):
    response = client_for(role).post(f"{BASE}new/", form_data(desk))
    if role in MANAGERS:
        assert response.status_code == 302
        source = Source.objects.get(slug="afp-world")
        event = AuditEvent.objects.get(action="wire_source_create")
        assert event.target_id == source.pk
        return
    assert not Source.objects.exists()
    assert (
        response.status_code
        == {
            "anonymous": 302,
            "reader": 403,
            "writer": 403,
            "other_writer": 403,
            "other_editor": 400,  # the Politics desk is not among their choices
        }[role]
    )


def test_an_invalid_form_keeps_what_was_typed(client_for, desk):
    data = form_data(desk, url="javascript:alert(1)", name="My new feed")
    response = client_for("editor").post(f"{BASE}new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="My new feed"' in page
    assert (
        "Not allowed: only http and https addresses can be fetched (this one is javascript)."
        in page
    )
    assert not Source.objects.exists()


def test_a_script_in_the_name_is_inert(client_for, desk):
    name = "</title><script>alert(1)</script><img src=x onerror=alert(2)>"
    client = client_for("editor")
    assert client.post(f"{BASE}new/", form_data(desk, name=name, slug="x")).status_code == 302
    source = Source.objects.get(slug="x")
    Source.objects.filter(pk=source.pk).update(last_error='<b onmouseover="alert(3)">boom</b>')
    for url in (BASE, f"{BASE}{source.pk}/"):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b onmouseover" not in page
    audit_page = client_for("chief").get("/desk/audit/").content.decode()
    assert "<script>alert(1)" not in audit_page


def test_rules_and_auto_publish_through_the_page(client_for, people, source, desk, other_desk):
    rules = [
        {"desk": str(other_desk.pk), "keywords": "oil, gas", "ORDER": "2"},
        {
            "desk": str(desk.pk),
            "auto_publish": "on",
            "publish_as": str(people["editor"].pk),
            "ORDER": "1",
        },
    ]
    data = form_data(desk, rules, name="Reuters World", slug="reuters-world")
    response = client_for("editor").post(f"{BASE}{source.pk}/", data)
    assert response.status_code == 302, response.content.decode()
    assert list(source.rules.values_list("desk_id", "position", "auto_publish")) == [
        (desk.pk, 0, True),
        (other_desk.pk, 1, False),
    ]
    event = AuditEvent.objects.get(action="wire_autopublish_on")
    assert event.actor == people["editor"]


def test_an_administrator_cannot_turn_auto_publish_on(client_for, people, source, desk):
    rules = [{"desk": str(desk.pk), "auto_publish": "on", "publish_as": str(people["editor"].pk)}]
    response = client_for("admin").post(
        f"{BASE}{source.pk}/", form_data(desk, rules, name="Changed", slug="reuters-world")
    )
    assert response.status_code == 400
    assert (
        "Only an editor of the Politics desk may turn on auto-publish." in response.content.decode()
    )
    assert not RoutingRule.objects.exists()
    assert Source.objects.get(pk=source.pk).name == "Reuters World"


def test_fields_outside_the_form_are_not_applied(client_for, source, desk):
    data = form_data(
        desk,
        name="Reuters World",
        slug="reuters-world",
        push_secret="planted",
        paused="on",
        items_received="5000",
        failures="9",
        last_error="planted",
    )
    assert client_for("editor").post(f"{BASE}{source.pk}/", data).status_code == 302
    row = Source.objects.get(pk=source.pk)
    assert (row.push_secret, row.paused, row.items_received, row.failures, row.last_error) == (
        "",
        False,
        0,
        0,
        "",
    )


def test_an_editor_cannot_move_a_source_away_through_the_page(client_for, source, desk, other_desk):
    data = form_data(other_desk, name="Reuters World", slug="reuters-world")
    response = client_for("editor").post(f"{BASE}{source.pk}/", data)
    assert response.status_code == 400
    assert Source.objects.get(pk=source.pk).desk == desk


# What the list shows --------------------------------------------------------------------------


def test_the_list_shows_health(client_for, source):
    now = timezone.now()
    Source.objects.filter(pk=source.pk).update(
        last_success_at=now - timedelta(minutes=16),
        last_error="The server answered 503 Service Unavailable",
        last_error_at=now - timedelta(minutes=4),
        failures=3,
        items_received=1234,
        next_poll_at=now + timedelta(minutes=5, seconds=30),
    )
    page = client_for("writer").get(BASE).content.decode()
    row = re.search(r'<tr class="source[^"]*" data-source="reuters-world">(.*?)</tr>', page, re.S)
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))
    assert "Failing" in cells
    assert "16 mins ago" in cells
    assert "The server answered 503 Service Unavailable" in cells and "4 mins ago" in cells
    assert " 3 " in cells and "1234" in cells
    assert "in 5 mins" in cells
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+" data-when>', page
    )
    assert "Pause" not in cells  # a writer sees health, not the buttons


def test_a_paused_and_a_push_source_say_so(client_for, desk):
    make_source(desk, name="Paused feed", slug="paused-feed", paused=True)
    make_source(desk, name="Pushed", slug="pushed", kind=Source.Kind.PUSH, url="")
    page = client_for("editor").get(BASE).content.decode()
    assert re.search(r'data-source="paused-feed">.*?Paused.*?Resume', page, re.S)
    assert re.search(r'data-source="pushed">.*?sent to us', page, re.S)


def test_an_overdue_source_is_flagged(client_for, source):
    Source.objects.filter(pk=source.pk).update(next_poll_at=timezone.now() - timedelta(hours=2))
    assert "Overdue" in client_for("editor").get(BASE).content.decode()
