"""A GET changes nothing (RELIABILITY.md §2.5 E2, CSRF's other half).

A page another site embeds (``<img src=/desk/stories/7/unlock/>``) makes the
signed-in editor's browser GET it with their cookies and no CSRF token: so every
back-office, account and staff-API address is crawled with GET, as each kind of
staff member, and the database must be exactly as it was. The routes come from
the URL conf, so an address added later is crawled without a change here; a route
whose parameters cannot be filled fails the test until it is filled or listed in
``NOT_CRAWLED`` with the reason. Mapped in docs/security.md.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from masthead.api.services import issue_token
from masthead.factories import (
    editor_of,
    make_desk,
    make_preview_link,
    make_staff,
    make_story,
    make_tag,
    make_user,
)
from masthead.media.models import Image
from masthead.media.tests.images import png_bytes
from masthead.newsroom.models import StaffRole
from masthead.sourcing.models import ErrorReport
from masthead.stories import services
from masthead.stories.models import PreviewLink, Story
from masthead.wire.models import Source, WireItem, WireItemVersion

pytestmark = pytest.mark.django_db

CRAWLED_PREFIXES = ("desk/", "account/", "api/desk/", "admin/")
# Rows a GET may write, and why that is not a state change a forged request could use.
MAY_CHANGE = {
    "sessions.session": "the visitor's own session (messages read, a reset token kept)",
    "wire.seen": "the read receipt of a wire item the person opened (docs/wire-queue.md)",
    "api.apitoken": "a token's last use, written at most once a minute",
    "stories.editlock": (
        "opening the editor takes the story's 120-second soft lock, which warns and never "
        "blocks (docs/back-office.md, Soft locks): a forged GET can only show the person as "
        "editing for two minutes"
    ),
    "otp_totp.totpdevice": (
        "opening two-factor set-up stores an unconfirmed device for the QR code; a forged GET "
        "can only restart the person's own unfinished set-up, never add a device that signs in"
    ),
}
# Routes not crawled, and why.
NOT_CRAWLED = {
    "admin/": "Django's admin: crawled at its index only (its change forms are Django's)",
}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def staff_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if prefix + str(pattern.pattern) == "admin/":
                    yield "admin/"
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    routes = dict.fromkeys(walk(get_resolver().url_patterns))
    return [route for route in routes if route.startswith(CRAWLED_PREFIXES)]


def _tables_that_may_change() -> set[str]:
    return {apps.get_model(label)._meta.db_table for label in MAY_CHANGE}


def _record_writes(url: str, writes: list):
    """An execute wrapper noting each statement that writes a row outside ``MAY_CHANGE``."""
    allowed = _tables_that_may_change()

    def record(execute, sql, params, many, context):
        words = sql.lstrip().split(None, 3)
        if words and words[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            table = (words[2] if words[0].upper() != "UPDATE" else words[1]).strip('"`')
            if table not in allowed:
                writes.append((url, sql[:160]))
        return execute(sql, params, many, context)

    return record


def database_state() -> dict[str, str]:
    """A digest of every row of every table, by model (what a snapshot diff compares)."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in MAY_CHANGE or not model._meta.managed:
            continue
        digest = hashlib.sha256()
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
        state[label] = digest.hexdigest()
    return state


@pytest.fixture
def newsroom(settings):
    settings.REQUIRE_2FA_FOR = []
    desk = make_desk("Politics")
    editor = editor_of(desk)
    writer = make_staff(StaffRole.Role.WRITER, desk, username="writer")
    chief = make_staff(StaffRole.Role.CHIEF_EDITOR, username="chief")
    admin = make_staff(StaffRole.Role.ADMINISTRATOR, username="admin")
    root = make_user("root", is_superuser=True, is_staff=True)
    live = make_story("Talks resume in Vienna", desk=desk, authors=None)
    draft = make_story(
        "Draft on the vote",
        desk=desk,
        status=Story.Status.DRAFT,
        age=None,
        created_by=writer,
        sources=[{"kind": "person", "name": "A minister", "id": "s1"}],
    )
    for story in (live, draft):
        services.snapshot_revision(story)
    make_preview_link(draft.latest_revision, made_by=editor)
    image = Image(alt_text="Delegates", caption="Talks", credit="Masthead")
    image.file.save("photo.png", ContentFile(png_bytes(40, 24)), save=False)
    image.save()
    tag = make_tag("Iran")
    source = Source.objects.create(
        name="Reuters World",
        slug="reuters-world",
        kind=Source.Kind.RSS,
        provider="Reuters",
        url="https://feeds.example.com/world.xml",
        desk=desk,
    )
    item = WireItem.objects.create(
        source=source,
        desk=desk,
        provider="Reuters",
        provider_id="urn:test:1",
        headline="Wire copy",
        body="<p>Words.</p>",
        fingerprint="fp1",
    )
    WireItemVersion.objects.create(
        item=item, version=item.version, headline=item.headline, body=item.body
    )
    ErrorReport.objects.create(story=live, what_is_wrong="The date is wrong.")
    issue_token(editor, name="crawler")
    pool = {
        "story_id": [str(live.pk), str(draft.pk)],
        "revision_id": [str(draft.latest_revision_id)],
        "link_id": [str(PreviewLink.objects.get().pk)],
        "source_id": [str(source.pk), "s1"],
        "item_id": [str(item.pk)],
        "report_id": [str(ErrorReport.objects.get().pk)],
        "image_id": [str(image.pk)],
        "tag_id": [str(tag.pk)],
        "user_id": [str(writer.pk)],
        "desk_id": [str(desk.pk)],
        "slug": [desk.slug],
        "uidb64": [urlsafe_base64_encode(force_bytes(writer.pk))],
        "token": [default_token_generator.make_token(writer)],
    }
    people = {"writer": writer, "editor": editor, "chief": chief, "admin": admin, "root": root}
    return pool, people


def addresses(pool: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Every crawled address, and the routes that could not be filled."""
    found, unfilled = [], []
    for route in staff_routes():
        if route in NOT_CRAWLED:
            found.append("/" + route)
            continue
        names = [m["name"] for m in _PARAMETER.finditer(route)]
        if any(name not in pool for name in names):
            unfilled.append(route)
            continue
        urls = ["/" + route]
        for name in names:
            parameter = re.compile(rf"<(?:[^>:]+:)?{re.escape(name)}>")
            urls = [parameter.sub(value, url) for url in urls for value in pool[name]]
        found.extend(urls)
    return found, unfilled


@pytest.mark.parametrize("who", ["writer", "editor", "chief", "admin", "root", "anonymous"])
def test_a_get_of_any_staff_address_changes_nothing(client, newsroom, who):
    pool, people = newsroom
    urls, unfilled = addresses(pool)
    assert not unfilled, f"routes whose parameters the crawl cannot fill: {unfilled}"
    if who != "anonymous":
        client.force_login(people[who])
    api_headers = {}
    if who == "editor":
        api_headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(people['editor'], name='g')}"}
    before = database_state()
    writes: list[tuple[str, str]] = []
    statuses = {}

    for url in urls:
        headers = api_headers if url.startswith("/api/") else {}
        with connection.execute_wrapper(_record_writes(url, writes)):
            statuses[url] = client.get(url, **headers).status_code
            for method in ("head", "options"):
                getattr(client, method)(url, **headers)

    after = database_state()
    changed = sorted(label for label in before if before[label] != after[label])
    assert not changed, f"a GET/HEAD/OPTIONS as {who} changed {changed}: {writes}"
    assert not writes, writes
    assert 500 not in statuses.values(), [u for u, s in statuses.items() if s == 500]
    assert len(urls) > 60
    if who in ("editor", "chief"):
        assert sum(1 for s in statuses.values() if s == 200) > 25, statuses


def test_the_snapshot_sees_a_change(newsroom):
    """The comparison above can fail: a real write shows in it."""
    before = database_state()
    draft = Story.objects.get(status=Story.Status.DRAFT)
    Story.objects.filter(pk=draft.pk).update(headline=draft.headline + " (changed)")
    assert database_state() != before
    assert connection.vendor in ("sqlite", "postgresql")


def _csrf_token_of(client) -> str:
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return token


@pytest.mark.parametrize("forgery", ["no token", "another session's token", "hostile origin"])
def test_every_staff_post_refuses_a_forged_request_and_writes_nothing(newsroom, forgery):
    """Each back-office and account address, POSTed as a signed-in chief editor the way
    another site could make their browser do it: 403, and the database as it was."""
    from django.test import Client

    pool, people = newsroom
    urls, _unfilled = addresses(pool)
    victim = Client(enforce_csrf_checks=True)
    victim.force_login(people["chief"])
    attacker = Client(enforce_csrf_checks=True)
    attacker_token = _csrf_token_of(attacker)
    victim_token = _csrf_token_of(victim)
    token, headers = {
        "no token": ("", {}),
        "another session's token": (attacker_token, {}),
        "hostile origin": (victim_token, {"HTTP_ORIGIN": "https://evil.example"}),
    }[forgery]
    before = database_state()

    answers = {}
    for url in urls:
        if url.startswith("/api/"):
            continue  # bearer tokens only: a cookie is no credential there (E2 row)
        try:
            resolve(url)
        except Resolver404:
            continue  # a value of another route's parameter (source ids are ints and strs)
        data = {"csrfmiddlewaretoken": token} if token else {}
        answers[url] = victim.post(url, data, **headers).status_code

    assert database_state() == before
    assert {url for url, status in answers.items() if status != 403} == set(), answers
    assert len(answers) > 50
