"""The demo's live wire: each agency's feed, released over time, read by the real parsers."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import timezone

from masthead.demo import wire
from masthead.factories import make_desk
from masthead.wire.items import Status
from masthead.wire.models import Source
from masthead.wire.parsers import parse, sniff

SOURCES = {entry["slug"]: entry for entry in wire.wire_data()[0]}


def _feed(slug, start, now):
    entry = SOURCES[slug]
    pairs = wire.released(slug, start, now)
    body, content_type = wire.RENDERERS[entry["kind"]](
        entry["provider"], f"https://www.{slug}.example/", pairs, start
    )
    assert sniff(body) == entry["kind"]
    return parse(body, entry["kind"], content_type=content_type)


@pytest.mark.parametrize("slug", SOURCES)
def test_each_feed_parses_with_the_real_parser_and_fills_over_time(slug):
    start = timezone.now()
    at_start = _feed(slug, start, start)
    later = _feed(slug, start, start + timedelta(hours=1))
    assert at_start.refused == [] and later.refused == []
    assert 2 <= len(at_start.items) < len(later.items)
    for item in later.items:
        assert item.headline and item.body_html and item.provider_id
        assert item.first_created <= start + timedelta(hours=1)
        assert item.problems == []


def test_a_second_version_replaces_the_first_in_the_feed():
    start = timezone.now()
    item_id = "cna-2026-118277"
    before = _feed("caspian-news-agency", start, start + timedelta(minutes=5))
    after = _feed("caspian-news-agency", start, start + timedelta(minutes=10))
    [first] = [item for item in before.items if item.provider_id == item_id]
    [second] = [item for item in after.items if item.provider_id == item_id]
    assert first.headline.startswith("URGENT")
    assert not second.headline.startswith("URGENT")
    assert first.first_created == second.first_created


def test_the_agency_kills_an_item_later():
    start = timezone.now()
    item_id = "urn:gws:2026:basra-protest-4515"
    before = _feed("gulf-wire-service", start, start + timedelta(minutes=15))
    after = _feed("gulf-wire-service", start, start + timedelta(minutes=25))
    [urgent] = [item for item in before.items if item.provider_id == item_id]
    [killed] = [item for item in after.items if item.provider_id == item_id]
    assert urgent.status == Status.USABLE and urgent.urgency == 2
    assert killed.status == Status.CANCELED


def test_each_version_of_an_item_is_listed_once():
    # A later version and its item share an id, never a version number.
    _, items = wire.wire_data()
    ids = [(item.id, item.version) for item in items]
    assert len(ids) == len(set(ids))


def test_the_demo_feed_url_exists_only_when_the_demo_serves_it(settings):
    assert settings.DEMO_WIRE is False
    with pytest.raises(Resolver404):
        resolve("/demo/wire/gulf-wire-service/")


@pytest.mark.django_db
def test_the_view_serves_a_set_up_source_and_nothing_else():
    desks = {"media-wire": make_desk(slug="media-wire"), "economy": make_desk(slug="economy")}
    wire.load_sources(desks, timezone.now())
    request = RequestFactory().get("/demo/wire/levant-press-agency/")
    response = wire.feed(request, "levant-press-agency")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.iptc.g2")
    assert parse(response.content, "newsml").items
    with pytest.raises(wire.Http404):
        wire.feed(request, "no-such-agency")


@pytest.mark.django_db
def test_loading_again_keeps_each_sources_release_clock(settings):
    settings.DEMO_URL = "http://127.0.0.1:8123"
    desks = {"media-wire": make_desk(slug="media-wire"), "economy": make_desk(slug="economy")}
    now = timezone.now()
    first = {source.slug: source.created_at for source in wire.load_sources(desks, now)}
    again = wire.load_sources(desks, now + timedelta(hours=2))
    assert {source.slug: source.created_at for source in again} == first
    assert Source.objects.count() == 3
    assert all(s.url.startswith("http://127.0.0.1:8123/demo/wire/") for s in again)
    rule = Source.objects.get(slug="caspian-news-agency").rules.get()
    assert rule.desk == desks["economy"]


@pytest.mark.urls("masthead.demo.tests.demo_urls")
@pytest.mark.django_db(transaction=True)
def test_the_demo_worker_fills_the_media_wire_queue_while_you_watch(live_server, settings):
    """The demo's sources polled over HTTP, through the guard, the parsers and the store."""
    import time_machine

    from masthead.wire.models import StoryBasis, WireItem
    from masthead.wire.tasks import schedule_due_sources

    settings.DEMO_URL = live_server.url
    settings.WIRE_ALLOWED_PRIVATE_HOSTS = [urlsplit(live_server.url).hostname]
    desks = {"media-wire": make_desk(slug="media-wire"), "economy": make_desk(slug="economy")}
    start = timezone.now()
    wire.load_sources(desks, start)

    def poll_at(moment):
        with time_machine.travel(moment, tick=False):
            return schedule_due_sources()

    assert poll_at(start + timedelta(seconds=10)) == 3
    first = WireItem.objects.count()
    assert first == 9  # what the agencies had out before the demo started
    assert not WireItem.objects.filter(source__last_error__gt="").exists()
    economy = WireItem.objects.get(provider_id="cna-2026-118231")
    assert economy.desk == desks["economy"]  # the demo's routing rule
    assert WireItem.objects.exclude(desk=desks["economy"]).filter(desk=desks["media-wire"]).count()

    poll_at(start + timedelta(minutes=5))
    assert WireItem.objects.get(provider_id="cna-2026-118277").headline.startswith("URGENT")
    poll_at(start + timedelta(minutes=14))
    urgent = WireItem.objects.get(provider_id="urn:gws:2026:basra-protest-4515")
    assert urgent.urgency == 2 and urgent.status == Status.USABLE
    update = WireItem.objects.get(provider_id="cna-2026-118277")
    assert update.versions.count() == 2  # the urgent first take, then the full story

    poll_at(start + timedelta(minutes=30))
    urgent.refresh_from_db()
    assert urgent.status == Status.CANCELED
    assert WireItem.objects.count() == 15
    held = WireItem.objects.get(provider_id="urn:gws:2026:unicef-yemen-4520")
    assert held.embargoed_until > timezone.now()
    assert not StoryBasis.objects.exists()
