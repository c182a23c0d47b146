from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from masthead.api import cursors
from masthead.factories import make_author, make_label, make_story, make_tag
from masthead.newsroom.models import Author
from masthead.stories.models import Correction, Label, Story

pytestmark = pytest.mark.django_db


def headlines(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["headline"] for item in response.json()["items"]]


def test_the_index_links_every_collection(client, newsroom):
    body = client.get("/api/").json()

    assert body["links"]["stories"] == "http://testserver/api/stories"
    assert body["openapi"] == "http://testserver/api/openapi.json"
    assert body["docs"] == "http://testserver/api/docs"


def test_a_story_in_full(client, newsroom):
    story = newsroom.story
    Correction.objects.create(story=story, note="An earlier version misspelt a name.")

    body = client.get(f"/api/stories/{story.pk}").json()

    assert body["headline"] == "Talks resume in Vienna"
    assert body["api_url"] == f"http://testserver/api/stories/{story.pk}"
    assert body["url"] == "http://testserver/politics/talks-resume-in-vienna/"
    assert body["body"] == "<p>First paragraph of the report.</p><p>Second paragraph.</p>"
    assert body["label"] == {"name": "IFP Exclusive", "slug": "ifp-exclusive", "kind": "exclusive"}
    assert [b["author"]["name"] for b in body["bylines"]] == ["Nima Sadeghi", "IFP Editorial Staff"]
    assert [t["slug"] for t in body["tags"]] == ["iran", "nuclear-talks"]
    assert body["lead_image"]["credit"] == "Reuters/Jane Doe"
    assert body["lead_image"]["width"] == 40
    assert body["corrections"][0]["note"] == "An earlier version misspelt a name."
    assert body["published_at"].endswith("Z")


def test_internal_fields_never_leave(client, newsroom, editor):
    Story.objects.filter(pk=newsroom.story.pk).update(
        notes_to_editor="Source is the minister's aide", top_rank=1
    )

    text = client.get(f"/api/stories/{newsroom.story.pk}").content.decode()
    listing = client.get("/api/stories").content.decode()

    # (``pubstatus`` is public: every item says "usable"; the workflow ``status`` is not.)
    for secret in ("minister's aide", "notes_to_editor", "modified_at", "created_by", '"status"'):
        assert secret not in text
        assert secret not in listing
    assert editor.username not in text


def test_lists_are_newest_first_and_summaries(client, newsroom):
    make_story("Newer story", desk=newsroom.desk, age=timedelta(minutes=5))

    response = client.get("/api/stories")

    assert headlines(response) == ["Newer story", "Talks resume in Vienna"]
    assert "body" not in response.json()["items"][0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("desk=politics", ["Talks resume in Vienna"]),
        ("desk=economy", ["Markets calm"]),
        ("author=nima-sadeghi", ["Talks resume in Vienna"]),
        ("author=sara-ahmadi", ["Markets calm"]),
        ("tag=iran", ["Talks resume in Vienna"]),
        ("tag=markets", ["Markets calm"]),
        ("label=analysis", ["Markets calm"]),
        ("language=fa", ["Markets calm"]),
        ("desk=politics&tag=markets", []),
        ("desk=no-such-desk", []),
        ("label=ifp-exclusive", ["Talks resume in Vienna"]),
        ("label=no-such-label", []),
    ],
)
def test_filters(client, newsroom, query, expected):
    make_story(
        "Markets calm",
        desk=newsroom.other_desk,
        authors=[make_author("Sara Ahmadi")],
        tags=[make_tag("Markets")],
        label=make_label("Analysis", kind=Label.Kind.ANALYSIS),
        language="fa",
        age=timedelta(hours=5),
    )

    assert headlines(client.get(f"/api/stories?{query}")) == expected


def test_a_label_that_is_not_a_slug_is_refused_with_a_problem(client, newsroom):
    response = client.get("/api/stories?label=analysis%27%20OR%201%3D1%20--")

    assert response.status_code == 422
    assert [error["parameter"] for error in response.json()["errors"]] == ["label"]


def test_updated_since_takes_the_last_public_update(client, newsroom):
    old = make_story("Old but corrected", desk=newsroom.desk, age=timedelta(days=3))
    make_story("Old and untouched", desk=newsroom.desk, age=timedelta(days=3))
    Story.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(minutes=1))
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    response = client.get("/api/stories", {"updated_since": since})

    assert headlines(response) == ["Old but corrected"]


def test_an_inactive_authors_stories_are_not_listed_by_author(client, newsroom):
    Author.objects.filter(pk=newsroom.reporter.pk).update(is_active=False)

    assert headlines(client.get("/api/stories?author=nima-sadeghi")) == []


def walk(client, query: str) -> list[str]:
    seen, url = [], f"/api/stories?{query}"
    while url:
        body = client.get(url).json()
        seen += [item["headline"] for item in body["items"]]
        url = body["next_url"]
    return seen


def test_cursor_pages_walk_every_story_once_in_order(client, newsroom):
    same_moment = timezone.now() - timedelta(minutes=30)
    for number in range(7):
        make_story(f"Tied {number}", desk=newsroom.desk, published_at=same_moment)

    seen = walk(client, "limit=3")

    assert len(seen) == len(set(seen)) == 8
    assert seen[-1] == "Talks resume in Vienna"
    assert seen[:7] == [f"Tied {n}" for n in range(6, -1, -1)]


def test_a_cursor_keeps_its_place_when_new_stories_arrive(client, newsroom):
    for number in range(3):
        make_story(f"Early {number}", desk=newsroom.desk, age=timedelta(hours=3 + number))
    first = client.get("/api/stories?limit=2").json()
    make_story("Breaking after the first page", desk=newsroom.desk, age=timedelta(seconds=1))

    second = client.get("/api/stories", {"limit": 2, "cursor": first["next_cursor"]})

    assert [item["headline"] for item in first["items"]] == ["Talks resume in Vienna", "Early 0"]
    assert headlines(second) == ["Early 1", "Early 2"]


def test_a_cursor_given_out_before_cursors_were_stable_still_reads(client, newsroom):
    from django.core import signing

    for number in range(3):
        make_story(f"Early {number}", desk=newsroom.desk, age=timedelta(hours=3 + number))
    first = client.get("/api/stories?limit=2").json()
    position = cursors.decode(first["next_cursor"], {})
    # How cursors were signed before: with the time, under the first salt.
    payload = {"p": position[0].isoformat(), "i": position[1], "f": cursors.filters_digest({})}
    old = signing.dumps(payload, salt=cursors.LEGACY_SALT)

    second = client.get("/api/stories", {"limit": 2, "cursor": old})

    assert headlines(second) == ["Early 1", "Early 2"]


def test_next_links_carry_the_filters_and_the_link_header(client, newsroom):
    for number in range(3):
        make_story(f"Politics {number}", desk=newsroom.desk)

    response = client.get("/api/stories?desk=politics&limit=2")
    next_url = response.json()["next_url"]

    assert response["Link"] == f'<{next_url}>; rel="next"'
    assert parse_qs(urlsplit(next_url).query)["desk"] == ["politics"]


def test_the_last_page_has_no_cursor(client, newsroom):
    body = client.get("/api/stories?limit=100").json()

    assert body["next_cursor"] is None
    assert body["next_url"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "",  # empty means "first page", answered below
        "eyJwIjoiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsImkiOjEsImYiOiJ4In0:1:forged",
        "x" * 401,
    ],
)
def test_bad_cursors_are_refused_with_a_problem(client, newsroom, cursor):
    response = client.get("/api/stories", {"cursor": cursor})

    if cursor == "":
        assert response.status_code == 200
        return
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_altered_cursor_is_refused(client, newsroom):
    for number in range(3):
        make_story(f"Story {number}", desk=newsroom.desk)
    cursor = client.get("/api/stories?limit=1").json()["next_cursor"]
    altered = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]

    response = client.get("/api/stories", {"limit": 1, "cursor": altered})

    assert response.status_code == 400
    assert response.json()["type"] == "/api/problems/invalid-cursor"


def test_a_cursor_from_a_list_with_other_filters_is_refused(client, newsroom):
    for number in range(3):
        make_story(f"Story {number}", desk=newsroom.desk)
    cursor = client.get("/api/stories?limit=1&desk=politics").json()["next_cursor"]

    response = client.get("/api/stories", {"limit": 1, "cursor": cursor, "desk": "economy"})

    assert response.status_code == 400
    assert "other filters" in response.json()["detail"]


def test_a_cursor_signed_elsewhere_is_refused(client, newsroom, settings):
    foreign = cursors.encode(timezone.now(), 1, {})
    settings.SECRET_KEY = "another installation's secret key, long enough to be one"

    response = client.get("/api/stories", {"cursor": foreign})

    assert response.status_code == 400


@pytest.mark.parametrize("limit", ["0", "101", "-1", "many"])
def test_the_page_size_is_bounded(client, newsroom, limit):
    response = client.get("/api/stories", {"limit": limit})

    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "limit"


@pytest.mark.parametrize(
    "query",
    [
        "/api/stories?language=fa&language=en",
        "/api/stories?desk=politics&desk=economy",
        "/api/stories?limit=1&limit=100",
        "/api/tags?limit=1&limit=2",
    ],
)
def test_a_parameter_given_twice_is_refused_not_guessed(client, newsroom, query):
    response = client.get(query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    repeated = query.split("?")[1].split("=")[0]
    assert f"“{repeated}” once" in response.json()["detail"]


def test_desks(client, newsroom, editor):
    newsroom.desk.editor = editor.author
    newsroom.desk.save()

    desks = client.get("/api/desks").json()
    one = client.get("/api/desks/politics").json()

    assert [desk["slug"] for desk in desks] == ["economy", "politics"]
    assert one["email"] == "politics@example.org"
    assert one["editor"]["name"] == editor.author.name
    assert client.get("/api/desks/nowhere").status_code == 404


def test_authors_are_those_with_a_public_page(client, newsroom):
    make_author("Former Reporter", is_active=False)

    slugs = [author["slug"] for author in client.get("/api/authors").json()]

    assert "nima-sadeghi" in slugs
    assert "former-reporter" not in slugs
    assert client.get("/api/authors/former-reporter").status_code == 404
    assert client.get("/api/authors/nima-sadeghi").json()["job_title"] == "Journalist"


def test_tags_are_those_of_live_stories(client, newsroom):
    make_story("Draft", desk=newsroom.desk, status=Story.Status.DRAFT, tags=[make_tag("Merger")])
    make_tag("Unused")

    slugs = [tag["slug"] for tag in client.get("/api/tags").json()["items"]]

    assert slugs == ["iran", "nuclear-talks"]
    assert client.get("/api/tags/iran").status_code == 200
    assert client.get("/api/tags/merger").status_code == 404
    assert client.get("/api/tags/unused").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/stories/999999",
        "/api/stories/9223372036854775808",
        "/api/stories/0",
        "/api/desks/%00",
        "/api/tags/a%20b",
        "/api/authors/x%00y",
        "/api/problems/nothing-like-it",
    ],
)
def test_missing_things_are_404_problems(client, newsroom, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_problem_types_describe_themselves(client, newsroom):
    body = client.get("/api/problems/stale-revision").json()

    assert body["type"] == "/api/problems/stale-revision"
    assert body["status"] == 409


# The tag list, a page at a time.


def test_tag_pages_walk_every_tag_once_by_name(client, newsroom):
    names = ["Zagros", "Ahvaz", "Mashhad", "karaj", "Qom", "Élysée", "Tabriz"]
    make_story("Tagged", desk=newsroom.desk, tags=[make_tag(name) for name in names])
    expected = [tag["slug"] for tag in client.get("/api/tags").json()["items"]]
    url, seen, pages = "/api/tags?limit=2", [], 0

    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += [tag["slug"] for tag in body["items"]]
        assert len(body["items"]) <= 2
        if body["next_url"]:
            assert response["Link"] == f'<{body["next_url"]}>; rel="next"'
            assert parse_qs(urlsplit(body["next_url"]).query)["cursor"] == [body["next_cursor"]]
        url, pages = body["next_url"], pages + 1

    assert seen == expected
    assert len(seen) == len(names) + 2  # and the two of the newsroom's story
    assert pages == 5


def test_the_tag_list_is_one_page_by_default(client, newsroom):
    body = client.get("/api/tags").json()

    assert [tag["slug"] for tag in body["items"]] == ["iran", "nuclear-talks"]
    assert body["next_cursor"] is None
    assert body["next_url"] is None


@pytest.mark.parametrize("limit", ["0", "101", "-1", "x", "1e3", ""])
def test_the_tag_page_size_is_bounded(client, newsroom, limit):
    response = client.get(f"/api/tags?limit={limit}")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["parameter"] == "limit"


@pytest.mark.parametrize("cursor", ["garbage", "x" * 401, "eyJwIjoiMjAyNi0xMS0yNSJ9:abc:def"])
def test_bad_tag_cursors_are_refused_with_a_problem(client, newsroom, cursor):
    response = client.get(f"/api/tags?cursor={cursor}")

    assert response.status_code in {400, 422}
    assert response["Content-Type"].startswith("application/problem+json")
    if response.status_code == 400:
        assert response.json()["type"] == "/api/problems/invalid-cursor"


def test_a_story_list_cursor_is_refused_by_the_tag_list(client, newsroom):
    make_story("Another", desk=newsroom.desk)
    story_cursor = client.get("/api/stories?limit=1").json()["next_cursor"]
    make_story("Tagged", desk=newsroom.desk, tags=[make_tag("Zagros")])
    tag_cursor = client.get("/api/tags?limit=1").json()["next_cursor"]

    from_stories = client.get(f"/api/tags?cursor={story_cursor}")
    from_tags = client.get(f"/api/stories?cursor={tag_cursor}")

    for response in (from_stories, from_tags):
        assert response.status_code == 400
        assert response.json()["type"] == "/api/problems/invalid-cursor"


def test_an_altered_tag_cursor_is_refused(client, newsroom):
    make_story("Tagged", desk=newsroom.desk, tags=[make_tag("Zagros")])
    cursor = client.get("/api/tags?limit=1").json()["next_cursor"]
    signature = cursor.split(":", 1)[1]
    forged = cursors.encode_name("a", 1, "tags").split(":", 1)[0] + ":" + signature

    response = client.get(f"/api/tags?cursor={forged}")

    assert response.status_code == 400
    assert response.json()["type"] == "/api/problems/invalid-cursor"
