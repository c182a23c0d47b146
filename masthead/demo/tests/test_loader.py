from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from masthead.demo.loader import GENERATED_STORIES, load_demo
from masthead.demo.seed import load_seed
from masthead.newsroom.models import Author, Desk, Outlet
from masthead.site.relative_time import relative_time
from masthead.stories.models import Story

pytestmark = pytest.mark.django_db

LEAD_SLUG = "trump-cancels-imminent-attack-on-iran-says-not-after-war"


@pytest.fixture
def demo():
    return load_demo()


def test_desks_are_the_six_services(demo):
    assert list(Desk.objects.values_list("name", flat=True)) == [
        "Politics",
        "Economy",
        "Society",
        "Culture",
        "Sports",
        "Media Wire",
    ]
    assert all(desk.editor and desk.email for desk in Desk.objects.all())


def test_the_collective_author_has_the_bio_from_the_page(demo):
    staff = Author.objects.get(name="IFP Editorial Staff")

    assert staff.is_collective
    assert staff.bio == load_seed().author_bio


def test_the_seed_story_is_the_live_lead_without_page_chrome(demo):
    lead = Story.objects.live().get(slug=LEAD_SLUG)

    assert lead.top_rank == 1
    assert lead.label.name == "IFP Exclusive"
    assert [b.author.name for b in lead.ordered_bylines()] == ["IFP Editorial Staff"]
    assert lead.body.count("<p>") == 14
    assert "Recent Posts" not in lead.body and "is composed of dozens" not in lead.body
    assert lead.lead_image and lead.lead_image.alt_text and lead.lead_image.credit


def test_recent_posts_have_the_ages_of_the_page(demo):
    now = timezone.now()
    seed = load_seed()

    for post in seed.recent_posts:
        story = Story.objects.live().get(headline=post.headline)
        assert story.dek == post.opening
        assert relative_time(story.published_at, now) == relative_time(now - post.age, now)


def test_recent_posts_are_the_newest_live_stories(demo):
    newest = list(Story.objects.live().exclude(slug=LEAD_SLUG).newest_first()[:6])

    assert [s.headline for s in newest] == [p.headline for p in load_seed().recent_posts]


def test_every_list_paginates(demo, settings):
    per_page = settings.PAGE_SIZE
    live = Story.objects.live()

    assert live.count() == GENERATED_STORIES + 7
    for desk in Desk.objects.all():
        assert live.filter(desk=desk).count() > per_page, desk
    for author in Author.objects.filter(stories__isnull=False).distinct():
        assert live.filter(bylines__author=author).count() > per_page, author
    for tag_name in ("Iran", "Oil", "Football"):
        assert live.filter(tags__name=tag_name).count() > per_page, tag_name


def test_loading_twice_changes_nothing_but_times(demo):
    counts = {
        model: model.objects.count() for model in (Story, Author, Desk, Outlet, get_user_model())
    }
    first_headlines = list(
        Story.objects.order_by("slug").values_list("headline", "slug", "desk_id")
    )

    load_demo(now=timezone.now() + timedelta(minutes=5))

    assert {model: model.objects.count() for model in counts} == counts
    assert (
        list(Story.objects.order_by("slug").values_list("headline", "slug", "desk_id"))
        == first_headlines
    )


def test_generated_archive_is_deterministic(demo):
    first = list(Story.objects.order_by("slug").values_list("slug", "dek", "body"))
    Story.objects.all().delete()

    load_demo()

    assert list(Story.objects.order_by("slug").values_list("slug", "dek", "body")) == first


def test_demo_staff_can_log_in(demo, client, settings):
    settings.REQUIRE_2FA_FOR = []  # as `masthead demo` runs
    login = {"username": "admin", "password": "masthead-demo"}
    assert client.post("/account/login/", login).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/account/logout/")
    login["username"] = "editor.politics"
    assert client.post("/account/login/", login).status_code == 302
    # The admin is for superusers only; editors get the back office.
    assert client.get("/admin/").status_code == 302
    assert client.get("/desk/").status_code == 200


def test_outlet_says_it_is_a_demo(demo, client):
    assert Outlet.current().is_demo
    assert "This is a demo outlet" in client.get("/").content.decode()


def test_management_command_prints_the_logins(capsys):
    call_command("load_demo")

    out = capsys.readouterr().out
    assert "Demo outlet loaded: 313 stories." in out
    assert "admin" in out and "masthead-demo" in out
