"""The generated permission matrix (RELIABILITY.md A1): every staff route × person × desk × state.

The routes come from the URL conf (ninja's included), the rules from
``permission_rules.py``. For every route the test builds one newsroom (two
desks, a person in every role on the first, stories in each state on both),
then calls the route as each person on each desk's object in each state the
rule names, every call inside a savepoint rolled back after it so each cell
starts from the same rows. An allowed call answers without refusal and, for
a write, adds exactly the revisions and audit rows its rule says; a refused
one answers as ``refusal`` says and leaves every row of the newsroom as it
was (stories, revisions, audit rows, content versions, preview links, roles,
accounts, tags, images, wire sources, reports).

The service functions behind the workflow routes are matrix-tested on their
own in ``stories/tests/test_permissions.py``; this module proves the HTTP
and API doors in front of them agree.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image as PillowImage

from masthead.api.models import ApiToken
from masthead.api.services import issue_token, revoke_token
from masthead.backoffice.tests.editor_posts import form_data
from masthead.factories import (
    grant,
    make_desk,
    make_edition,
    make_staff,
    make_story,
    make_tag,
    make_user,
)
from masthead.media.models import Image
from masthead.newsroom.models import AuditEvent, Desk, StaffRole
from masthead.sourcing.models import ErrorReport
from masthead.stories import developing, services, translations
from masthead.stories.models import (
    ContentVersion,
    PreviewLink,
    Revision,
    Story,
    StoryThread,
    Tag,
)
from masthead.tests import permission_rules as rules
from masthead.tests.permission_rules import Cell, Rule
from masthead.wire.models import Source, WireItem, WireItemVersion

pytestmark = pytest.mark.django_db
R = StaffRole.Role
S = Story.Status

UNNAMED = {
    "id": "u1",
    "kind": "unnamed",
    "description": "two US officials",
    "count": 2,
    "anonymity_reason": "They were not authorised to speak.",
    "how_known": "Met them at the embassy; known to our bureau chief for years.",
}


def staff_routes() -> dict[str, str]:
    """Every named route under the staff prefixes: name → route, from the URL conf."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(rules.STAFF_PREFIXES):
                    found[namespace + (pattern.name or f"<unnamed {route}>")] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_staff_route_has_a_rule():
    """A route that no rule covers fails here, by name; so does a rule for a route gone."""
    routes = staff_routes()
    missing = sorted(
        f"{name} ({route})" for name, route in routes.items() if name not in rules.RULES
    )
    assert not missing, "Staff routes without a permission rule: " + ", ".join(missing)
    stale = sorted(set(rules.RULES) - set(routes))
    assert not stale, "Permission rules for routes that no longer exist: " + ", ".join(stale)


def test_the_route_list_is_the_whole_staff_surface():
    routes = staff_routes()
    assert "backoffice:story" in routes and "api:desk-transition-publish" in routes
    assert len(routes) >= 70  # ninja's routes are in: one per workflow step


# The newsroom every route is tried in ------------------------------------------------


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    PillowImage.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


class World:
    def __init__(self) -> None:
        self.desks = {"own": make_desk("Politics"), "other": make_desk("Economy")}
        own = self.desks["own"]
        self.people = {
            rules.NO_ROLE: make_user("norole", is_staff=True),
            rules.WRITER: make_staff(R.WRITER, own, username="writer"),
            rules.DESK_EDITOR: make_staff(R.DESK_EDITOR, own, username="editor"),
            rules.CHIEF_EDITOR: make_staff(R.CHIEF_EDITOR, None, username="chief"),
            rules.ADMINISTRATOR: make_staff(R.ADMINISTRATOR, None, username="admin"),
        }
        # A desk of a second edition the writer and the editor work on (translations).
        self.translation_desk = make_desk("Politics FA", edition=make_edition("fa"))
        grant(self.people[rules.WRITER], R.WRITER, self.translation_desk)
        grant(self.people[rules.DESK_EDITOR], R.DESK_EDITOR, self.translation_desk)
        self.other_writer = make_staff(R.WRITER, self.desks["other"], username="otherwriter")
        self.other_editor = make_staff(R.DESK_EDITOR, self.desks["other"], username="othered")
        self.tokens = {name: issue_token(user, "matrix").raw for name, user in self.people.items()}
        revoked = issue_token(self.people[rules.DESK_EDITOR], "old")
        revoke_token(revoked.token)
        self.tokens[rules.BAD_TOKEN] = revoked.raw
        self.stories: dict[tuple[str, str, str], Story] = {}
        self.clients: dict[str, Client] = {}

    # Objects the routes name, made on first use (before any cell runs).

    def story(self, desk: str, state: str, kind: str = "story") -> Story:
        key = (desk, state, kind)
        if key not in self.stories:
            self.stories[key] = self._story(desk, state, kind)
        return self.stories[key]

    def _story(self, desk: str, state: str, kind: str) -> Story:
        now = timezone.now()
        creator = self.people[rules.WRITER] if desk == "own" else self.other_writer
        timing: dict = {"published_at": now - timedelta(hours=1)}
        status = state
        if state in (S.SCHEDULED, rules.EMBARGOED):
            status = S.SCHEDULED
            timing = {"published_at": now + timedelta(hours=3)}
            if state == rules.EMBARGOED:
                timing = {"published_at": now - timedelta(hours=1)}
                timing["embargoed_until"] = now + timedelta(hours=3)
        elif state in rules.WORKING:
            timing = {"age": None}
        extra = {"sources": [dict(UNNAMED)]} if kind in ("unnamed", "approved") else {}
        story = make_story(
            f"{desk} {state} {kind}",
            desk=self.desks[desk],
            status=status,
            created_by=creator,
            **timing,
            **extra,
        )
        services.snapshot_revision(story)
        story.refresh_from_db()
        if kind == "approved":
            from masthead.sourcing.services import approve_source

            approve_source(self._editor_of(desk), story, "u1", "Known to the bureau for years.")
            story.refresh_from_db()
        return story

    def _editor_of(self, desk: str):
        return self.people[rules.DESK_EDITOR] if desk == "own" else self.other_editor

    def kwargs(self, rule: Rule, cell: Cell) -> dict:
        target = rule.target
        if target == "none":
            return {}
        if target == "story":
            return {"story_id": self.story(cell.desk, cell.state).pk}
        if target == "linked_story":
            story = self.story(cell.desk, cell.state)
            if story.translation_key is None:
                translations.link(story, self.translation_draft(cell.desk))
                story.refresh_from_db()
            return {"story_id": story.pk}
        if target == "revision":
            story = self.story(cell.desk, cell.state)
            return {"story_id": story.pk, "revision_id": story.latest_revision_id}
        if target == "preview_link":
            story = self.story(cell.desk, cell.state)
            link = PreviewLink.objects.filter(story=story).first()
            if link is None:
                link, _ = services.share_preview(self._editor_of(cell.desk), story)
            return {"story_id": story.pk, "link_id": link.pk}
        if target in ("unnamed_source", "approved_source"):
            kind = "unnamed" if target == "unnamed_source" else "approved"
            story = self.story(cell.desk, cell.state, kind)
            return {"story_id": story.pk, "source_id": "u1"}
        if target == "image":
            return {"image_id": self.image(cell.desk).pk}
        if target == "tag":
            return {"tag_id": make_tag("Oil").pk}
        if target == "user":
            return {"user_id": self.other_writer.pk}
        if target == "desk":
            return {"desk_id": self.desks[cell.desk].pk}
        if target in ("source", "paused_source", "push_source"):
            return {"source_id": self.source(cell.desk, target).pk}
        if target == "item":
            return {"item_id": self.item(cell.desk).pk}
        if target == "report":
            return {"report_id": self.report(cell.desk).pk}
        raise AssertionError(f"unknown target {target}")

    def translation_draft(self, desk: str) -> Story:
        """The writer's draft on the second edition's desk, one per story to pair it with."""
        key = ("translation", desk, "")
        if key not in self.stories:
            draft = make_story(
                f"Translation {desk}",
                desk=self.translation_desk,
                status=S.DRAFT,
                age=None,
                created_by=self.people[rules.WRITER],
            )
            services.snapshot_revision(draft)
            self.stories[key] = draft
        return self.stories[key]

    def image(self, desk: str) -> Image:
        """An image in no story, of ``desk``, uploaded by a writer of that desk."""
        uploader = self.people[rules.WRITER] if desk == "own" else self.other_writer
        image = Image.objects.filter(desk=self.desks[desk]).first()
        return image or Image.objects.create(
            file=png_upload(), alt_text="A bus lane", uploaded_by=uploader, desk=self.desks[desk]
        )

    def thread(self) -> StoryThread:
        return StoryThread.objects.first() or developing.create_thread(
            self.people[rules.CHIEF_EDITOR], "Matrix coverage"
        )

    def source(self, desk: str, target: str = "source") -> Source:
        kind = Source.Kind.PUSH if target == "push_source" else Source.Kind.RSS
        slug = f"{target}-{desk}".replace("_", "-")
        return Source.objects.get_or_create(
            slug=slug,
            defaults={
                "name": slug,
                "kind": kind,
                "provider": "Reuters",
                "url": "" if kind == Source.Kind.PUSH else "https://feeds.example.com/w.xml",
                "desk": self.desks[desk],
                "paused": target == "paused_source",
            },
        )[0]

    def item(self, desk: str) -> WireItem:
        source = self.source(desk)
        item = WireItem.objects.filter(source=source).first()
        if item is None:
            now = timezone.now()
            item = WireItem.objects.create(
                source=source,
                desk=source.desk,
                provider="Reuters",
                provider_id=f"urn:matrix:{desk}",
                headline=f"Wire item {desk}",
                body="<p>First paragraph.</p>",
                fingerprint=f"fp-{desk}",
                received_at=now,
                updated_at=now,
            )
            WireItemVersion.objects.create(
                item=item, version=item.version, headline=item.headline, body=item.body,
                received_at=now,
            )  # fmt: skip
        return item

    def report(self, desk: str) -> ErrorReport:
        story = self.story(desk, S.PUBLISHED)
        report = ErrorReport.objects.filter(story=story).first()
        return report or ErrorReport.objects.create(
            story=story, what_is_wrong="The minister's name is misspelt."
        )

    def client(self, actor: str) -> Client:
        if actor not in self.clients:
            client = Client()
            if actor in self.people:
                client.force_login(self.people[actor])
            self.clients[actor] = client
        return self.clients[actor]


def payload(world: World, name: str, rule: Rule, cell: Cell) -> dict:
    """The form a route is sent: one that goes through when the person may."""
    story = world.story(cell.desk, cell.state) if cell.state else None
    later = (timezone.now() + timedelta(hours=5)).isoformat()
    forms = {
        "": dict,
        "claim": lambda: {"action": "claim"},
        "story_form": lambda: form_data(story, headline="Edited in the matrix"),
        "slug": lambda: {"slug": "matrix-new-address"},
        "developing": lambda: {"action": "start"},
        "thread": lambda: {"thread": world.thread().pk},
        "translate": lambda: {"desk": world.translation_desk.pk},
        "link": lambda: {"other": world.translation_draft(cell.desk).pk},
        "base_revision": lambda: {"base_revision": story.latest_revision_id},
        "approval": lambda: {"reason": "Known to the bureau for years."},
        "image": lambda: {"files": png_upload(), "desk": ""},
        "focal_point": lambda: {"focal_x": "0.3", "focal_y": "0.6"},
        "merge": lambda: {"into": make_tag("Petrol").pk},
        "deactivate": lambda: {"active": "0"},
        "wire_write": lambda: {
            "desk": world.desks[cell.desk].pk,
            "item": [world.item(cell.desk).pk],
        },
        "wire_add": lambda: {"story": world.story(cell.desk, S.IN_EDIT).pk},
        "confirm": lambda: {"confirm": "on"},
        "reason": lambda: {"reason": "We checked: the name is right."},
        "note": lambda: {"note": "A note for the record."},
        "when": lambda: {"when": later},
        "api_create": lambda: {"headline": "From the API", "desk": world.desks[cell.desk].slug},
        "api_save": lambda: api_content(story),
    }
    return forms[rule.payload]()


def api_content(story: Story) -> dict:
    """The staff API's PUT body for ``story``'s latest revision, with a new headline."""
    content = services.Content.of(story.latest_revision)
    return {
        "base_revision": story.latest_revision_id,
        "headline": "Saved over the API",
        "desk": content.desk.slug,
        "dek": content.dek,
        "body": content.body,
        "label": content.label.slug if content.label else None,
        "dateline": content.dateline,
        "tags": [tag.slug for tag in content.tags],
        "authors": [author.pk for author in content.authors],
        "language": content.language,
        "seo_title": content.seo_title,
        "seo_description": content.seo_description,
    }


def fingerprint() -> dict:
    """Every row a staff route could change, as plain values."""
    User = get_user_model()
    return {
        "stories": list(Story.objects.order_by("pk").values()),
        "revisions": Revision.objects.count(),
        "audit": AuditEvent.objects.count(),
        "versions": list(ContentVersion.objects.order_by("pk").values()),
        "previews": list(PreviewLink.objects.order_by("pk").values()),
        "roles": list(StaffRole.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values("pk", "is_active", "username", "email")),
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "revoked_at", "token_digest")),
        "desks": list(Desk.objects.order_by("pk").values()),
        "tags": list(Tag.objects.order_by("pk").values()),
        "images": list(Image.objects.order_by("pk").values()),
        "sources": list(Source.objects.order_by("pk").values("pk", "paused", "push_secret")),
        "items": WireItem.objects.count(),
        "reports": list(ErrorReport.objects.order_by("pk").values("pk", "status")),
    }


def cells_of(rule: Rule) -> list[Cell]:
    cells = []
    for actor in rule.actors:
        refused_at_the_door = actor in rules.AT_THE_DOOR
        for desk in rule.desks[:1] if refused_at_the_door else rule.desks:
            for state in rule.states[:1] if refused_at_the_door else rule.states or (None,):
                cells.append(Cell(actor, desk, state))
    return cells


def call(world: World, name: str, rule: Rule, cell: Cell):
    url = reverse(name, kwargs=world.kwargs(rule, cell))
    data = payload(world, name, rule, cell) if rule.method != "GET" or rule.payload else {}
    if name.startswith("api:"):
        headers = {}
        if cell.actor != rules.NO_TOKEN:
            headers["Authorization"] = f"Bearer {world.tokens[cell.actor]}"
        client = world.client(rules.NO_TOKEN)
        method = getattr(client, rule.method.lower())
        if rule.method == "GET":
            return method(url, headers=headers)
        return method(url, data, content_type="application/json", headers=headers)
    client = world.client(cell.actor)
    if rule.query:
        url += "?" + rule.query
    return getattr(client, rule.method.lower())(url, data)


def refusal(name: str, rule: Rule, cell: Cell) -> tuple[int, ...]:
    """The statuses a refusal may answer with for this cell."""
    is_api = name.startswith("api:")
    if cell.actor in (rules.NO_TOKEN, rules.BAD_TOKEN):
        return (401,)
    if cell.actor == rules.ANONYMOUS:
        return (302,)
    if is_api:
        names_story = rule.target == "story"
        return (404,) if names_story and not rules.reads_story(cell) else (403,)
    if cell.actor == rules.NO_ROLE:
        return (403,)
    if callable(rule.hides):
        hidden = not rule.hides(cell)
    else:
        hidden = rule.hides == "story" and not rules.reads_story(cell)
        hidden = hidden and cell.state not in rules.LIVE_STATES
    if rule.refuses_by_redirect:
        return (302, 404) if hidden else (302, 403)
    return (404,) if hidden else (403,)


def check_cell(world: World, name: str, rule: Rule, cell: Cell) -> str | None:
    """None if the cell answered as its rule says; otherwise what went wrong."""
    writes = rule.method != "GET"
    before = fingerprint() if writes else {}
    response = call(world, name, rule, cell)
    after = fingerprint() if writes else {}
    allowed = rule.public or (cell.actor not in rules.AT_THE_DOOR and rule.may(cell))
    status = response.status_code
    if rule.public:
        return None if status in (200, 302) else f"{cell}: a public route answered {status}"
    if not allowed:
        expected = refusal(name, rule, cell)
        if status not in expected:
            return f"{cell}: refused should answer {expected}, answered {status}"
        if cell.actor == rules.ANONYMOUS and "/account/" not in response.get("Location", ""):
            return f"{cell}: anonymous should go to sign in, went to {response.get('Location')}"
        changed = [key for key in before if before[key] != after[key]]
        if changed:
            return f"{cell}: refused, yet changed {changed}"
        return None
    if status in (401, 403, 404, 405) or (
        status == 302 and "/account/" in response.get("Location", "")
    ):
        return f"{cell}: allowed, yet answered {status}"
    if status >= 400:
        return f"{cell}: allowed, but answered {status}: {response.content[:300]!r}"
    if not writes:
        return None
    effect = rule.effect
    revisions = after["revisions"] - before["revisions"]
    audit = after["audit"] - before["audit"]
    if (revisions, audit) != (effect.revisions, effect.audit_rows):
        return (
            f"{cell}: allowed, made {revisions} revisions and {audit} audit rows, "
            f"expected {effect.revisions} and {effect.audit_rows}"
        )
    if effect.changes and before == after:
        return f"{cell}: allowed, yet changed nothing"
    return None


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.mark.parametrize("name", sorted(rules.RULES))
def test_route(name):
    """Every cell of one route: allowed and refused as its rule says, refusals change nothing."""
    rule = rules.RULES[name]
    world = World()
    cells = cells_of(rule)
    # Make every object and session before the first cell, so each savepoint starts
    # from the same rows (a session made inside one would be rolled back with it).
    for cell in cells:
        world.client(cell.actor)
        world.kwargs(rule, cell)
        if rule.payload:
            payload(world, name, rule, cell)
    outcomes = {True: 0, False: 0}
    problems = []
    for cell in cells:
        with transaction.atomic():
            problem = check_cell(world, name, rule, cell)
            transaction.set_rollback(True)
        if problem:
            problems.append(problem)
        outcomes[cell.actor not in rules.AT_THE_DOOR and rule.may(cell)] += 1
    assert not problems, f"{name}:\n" + "\n".join(problems)
    if not rule.public:
        assert outcomes[True] and outcomes[False], f"{name} must be tried allowed and refused"
