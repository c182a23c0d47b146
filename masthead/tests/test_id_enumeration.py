"""Walking ids (RELIABILITY.md A3): what nobody may see answers as what does not exist.

Stories in the works on one desk, their revisions, preview links and images,
and ids around them (±N) that belong to nothing. Anonymous visitors, a writer
and an editor of another desk, and a writer of the same desk who does not own
the story walk the ids through the back office, the staff API, the public API
and the public preview address. For every address, every id the person may
not see must answer exactly as an id that does not exist: the same status,
the same body length (ids of the same number of digits) and the same headers
but for ``Date`` and ``X-Request-ID`` (``answers.headers_of``).
"""

from __future__ import annotations

import io
import secrets
from collections import defaultdict
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PillowImage

from masthead.api.services import issue_token
from masthead.factories import make_desk, make_preview_link, make_staff, make_story
from masthead.media.models import Image
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.models import Story
from masthead.tests.answers import headers_of

pytestmark = pytest.mark.django_db
R = StaffRole.Role
S = Story.Status
AROUND = 100  # ids either side of each real one (RELIABILITY.md A3)


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.REQUIRE_2FA_FOR = []


@pytest.fixture(autouse=True)
def no_api_rate_limit(settings):
    # Two hundred ids a minute on one token is past the staff API's 120/min: its 429s
    # would differ from the 404s compared here (throttling has tests of its own).
    settings.API_RATE_LIMIT = "off"


def png_upload() -> SimpleUploadedFile:
    out = io.BytesIO()
    PillowImage.new("RGB", (40, 30), (10, 200, 10)).save(out, "PNG")
    return SimpleUploadedFile("secret.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def newsroom():
    desk, other = make_desk("Politics"), make_desk("Economy")
    owner = make_staff(R.WRITER, desk, username="owner")
    people = {
        "colleague": make_staff(R.WRITER, desk, username="colleague"),
        "other writer": make_staff(R.WRITER, other, username="otherwriter"),
        "other editor": make_staff(R.DESK_EDITOR, other, username="othereditor"),
    }
    hidden = []
    for state in (S.DRAFT, S.SUBMITTED, S.IN_EDIT, S.READY, S.WITHDRAWN):
        story = make_story(f"Secret {state}", desk=desk, status=state, age=None, created_by=owner)
        services.snapshot_revision(story)
        story.refresh_from_db()
        hidden.append(story)
    image = Image.objects.create(file=png_upload(), alt_text="x", uploaded_by=owner, desk=desk)
    link_token = make_preview_link(hidden[0].latest_revision, made_by=owner)
    # The other desk's writer has a draft of their own, to try diffs against ours.
    theirs = make_story("Their draft", desk=other, status=S.DRAFT, age=None,
                        created_by=people["other writer"])  # fmt: skip
    services.snapshot_revision(theirs)
    theirs.refresh_from_db()
    return {
        "people": people,
        "stories": hidden,
        "image": image,
        "token": link_token,
        "theirs": theirs,
    }


def addresses(newsroom, who: str) -> dict[str, list[int]]:
    """Address pattern → the real hidden ids it names."""
    stories = [story.pk for story in newsroom["stories"]]
    revisions = [story.latest_revision_id for story in newsroom["stories"]]
    first = newsroom["stories"][0]
    theirs = newsroom["theirs"]
    own = {}
    if who == "other writer":
        # A diff or preview of their own story against our hidden revisions.
        own = {
            f"/desk/stories/{theirs.pk}/history/?from={{}}": revisions,
            f"/desk/stories/{theirs.pk}/revisions/{{}}/preview/": revisions,
        }
    return {
        **own,
        "/desk/stories/{}/": stories,
        "/desk/stories/{}/history/": stories,
        f"/desk/stories/{first.pk}/revisions/{{}}/preview/": revisions,
        "/desk/stories/{}/revisions/" + f"{first.latest_revision_id}/preview/": stories,
        f"/desk/stories/{first.pk}/history/?from={{}}": revisions,
        "/desk/media/{}/": [newsroom["image"].pk],
        "/api/desk/stories/{}": stories,
        "/api/stories/{}": stories,
        "/api/stories/{}/ninjs": stories,
    }


def walk(client: Client, pattern: str, real: list[int], headers=None, skip=()) -> list[str]:
    """Every id around the real ones but ``skip`` (what the walker may see); answers grouped
    by the id's length must be one."""
    ids = {n for pk in real for n in range(max(1, pk - AROUND), pk + AROUND + 1)}
    ids |= {pk + 1000 for pk in real}  # surely nothing, of more digits
    ids -= set(skip) - set(real)
    answers = defaultdict(set)
    for number in sorted(ids):
        response = client.get(pattern.format(number), headers=headers or {})
        if response.status_code == 302:
            # Signed out: every address goes to the sign-in page, and back to itself after.
            address = pattern.format(number)
            assert response["Location"] == f"{settings.LOGIN_URL}?next={quote(address, '/')}"
            answers[len(str(number))].add((302, "to sign in"))
            continue
        answers[len(str(number))].add(
            (
                response.status_code,
                len(response.content),
                tuple(sorted(headers_of(response, "Set-Cookie").items())),
            )
        )
    return [
        f"{pattern} ({digits}-digit ids): {sorted(seen, key=str)}"
        for digits, seen in answers.items()
        if len(seen) != 1
    ]


@pytest.mark.parametrize("who", ["anonymous", "colleague", "other writer", "other editor"])
def test_hidden_ids_answer_as_missing_ones(newsroom, who):
    client = Client()
    token = None
    if who != "anonymous":
        client.force_login(newsroom["people"][who])
        token = issue_token(newsroom["people"][who], "walk").raw
    theirs = newsroom["theirs"]
    # What the other desk may open: its own draft and revision.
    visible = {theirs.pk, theirs.latest_revision_id} if who.startswith("other") else set()
    problems = []
    for pattern, real in addresses(newsroom, who).items():
        headers = {"Authorization": f"Bearer {token}"} if pattern.startswith("/api/desk/") else {}
        if pattern.startswith("/api/desk/") and token is None:
            continue  # no token: 401 for every id, before any lookup (the matrix proves it)
        problems += walk(client, pattern, real, headers, skip=visible)
    assert not problems, "\n".join(problems)


def test_preview_tokens_answer_as_made_up_ones(newsroom):
    """A closed link, a link of a withdrawn story and a made-up token: one answer."""
    client = Client()
    real = newsroom["token"]
    assert client.get(f"/preview/{real}/").status_code == 200
    story = newsroom["stories"][0]
    services.submit_story(story.created_by, story)
    services.pull_back_story(story.created_by, story)  # closes its preview links
    made_up = [secrets.token_urlsafe(len(real) * 3 // 4)[: len(real)] for _ in range(3)]
    answers = set()
    for token in [real, *made_up, real[:-1] + ("A" if real[-1] != "A" else "B")]:
        response = client.get(f"/preview/{token}/")
        answers.add(
            (
                response.status_code,
                len(response.content),
                tuple(sorted(headers_of(response).items())),
            )
        )
    assert len(answers) == 1, answers
    assert next(iter(answers))[0] == 404
