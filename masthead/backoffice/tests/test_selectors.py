"""The board and lists: who sees which stories, in which column, in bounded queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from masthead.backoffice import selectors
from masthead.factories import make_author, make_label
from masthead.newsroom.roles import access_for
from masthead.stories.models import Byline, Story

pytestmark = pytest.mark.django_db
S = Story.Status


def bulk_stories(desk, count: int, status: str, *, published: bool = False, **fields):
    now = timezone.now()
    rows = [
        Story(
            headline=f"{status} {number}",
            slug=f"{desk.slug}-{status}-{number}",
            desk=desk,
            status=status,
            published_at=now - timedelta(minutes=number) if published else None,
            **fields,
        )
        for number in range(count)
    ]
    return Story.objects.bulk_create(rows)


def column(columns, state):
    return next(c for c in columns if c.state == state)


def test_board_of_2000_stories_takes_a_bounded_number_of_queries(
    people, desk, other_desk, django_assert_max_num_queries
):
    for place in (desk, other_desk):
        bulk_stories(place, 900, S.PUBLISHED, published=True)
        for status in (S.DRAFT, S.SUBMITTED, S.IN_EDIT, S.READY, S.WITHDRAWN):
            bulk_stories(place, 20, status)
    author = make_author("Busy Writer")
    Byline.objects.bulk_create(
        Byline(story=story, author=author) for story in Story.objects.all()[:300]
    )
    chief = access_for(people["chief"])
    # One query per column (two for Published), bylines prefetched per column, one for locks.
    with django_assert_max_num_queries(17):
        columns = selectors.board(chief, selectors.BoardFilter())
    assert len(column(columns, S.PUBLISHED).stories) == selectors.BOARD_PAGE
    assert column(columns, S.PUBLISHED).has_more
    assert len(column(columns, S.DRAFT).stories) == selectors.BOARD_PAGE
    with django_assert_max_num_queries(17):
        selectors.board(chief, selectors.BoardFilter(desk_id=desk.pk, author_id=author.pk))


def test_board_page_renders_in_bounded_queries(client_for, desk, django_assert_max_num_queries):
    bulk_stories(desk, 300, S.PUBLISHED, published=True)
    bulk_stories(desk, 60, S.DRAFT)
    client = client_for("chief")
    with django_assert_max_num_queries(40):
        assert client.get("/desk/board/").status_code == 200


@pytest.mark.parametrize("own_ids_limit", [selectors.OWN_IDS_LIMIT, 1])
def test_writers_see_their_own_stories_only(people, desk, monkeypatch, own_ids_limit):
    # A prolific writer (more stories than OWN_IDS_LIMIT) takes the subquery path.
    monkeypatch.setattr(selectors, "OWN_IDS_LIMIT", own_ids_limit)
    writer = people["writer"]
    mine = Story.objects.create(headline="Mine", desk=desk, created_by=writer)
    bylined = Story.objects.create(headline="Bylined", desk=desk)
    Byline.objects.create(story=bylined, author=writer.author)
    Story.objects.create(headline="Not mine", desk=desk, created_by=people["other_writer"])
    columns = selectors.board(access_for(writer), selectors.BoardFilter())
    assert {s.pk for s in column(columns, S.DRAFT).stories} == {mine.pk, bylined.pk}


def test_desk_editors_see_their_desks(people, desk, other_desk):
    Story.objects.create(headline="Here", desk=desk)
    Story.objects.create(headline="Elsewhere", desk=other_desk)
    columns = selectors.board(access_for(people["editor"]), selectors.BoardFilter())
    assert [s.headline for s in column(columns, S.DRAFT).stories] == ["Here"]


def test_a_scheduled_story_whose_time_came_is_in_published(people, desk):
    now = timezone.now()
    came = Story.objects.create(
        headline="Came out", desk=desk, status=S.SCHEDULED, published_at=now - timedelta(minutes=1)
    )
    later = Story.objects.create(
        headline="Later", desk=desk, status=S.SCHEDULED, published_at=now + timedelta(hours=1)
    )
    embargoed = Story.objects.create(
        headline="Embargoed",
        desk=desk,
        status=S.SCHEDULED,
        published_at=now - timedelta(minutes=1),
        embargoed_until=now + timedelta(hours=1),
    )
    columns = selectors.board(access_for(people["chief"]), selectors.BoardFilter(), now=now)
    assert [s.pk for s in column(columns, S.PUBLISHED).stories] == [came.pk]
    assert {s.pk for s in column(columns, S.SCHEDULED).stories} == {later.pk, embargoed.pk}


def test_filters_by_label_author_and_date(people, desk):
    label = make_label("Analysis", "analysis")
    author = make_author("Kaveh Nouri")
    Story.objects.create(headline="Labelled", desk=desk, label=label)
    bylined = Story.objects.create(headline="Bylined", desk=desk)
    Byline.objects.create(story=bylined, author=author)
    Story.objects.create(headline="Old", desk=desk)
    Story.objects.filter(headline="Old").update(modified_at=timezone.now() - timedelta(days=30))
    chief = access_for(people["chief"])

    def drafts(**filters):
        found = selectors.board(chief, selectors.BoardFilter(**filters))
        return {s.headline for s in column(found, S.DRAFT).stories}

    assert drafts(label_id=label.pk) == {"Labelled"}
    assert drafts(author_id=author.pk) == {"Bylined"}
    today = timezone.localdate()
    assert drafts(changed_from=today) == {"Labelled", "Bylined"}
    assert drafts(changed_to=today - timedelta(days=10)) == {"Old"}
    # The last date there is bounds nothing (it used to overflow into a 500).
    assert drafts(changed_to=date.max) == {"Labelled", "Bylined", "Old"}


def test_one_column_pages_on(client_for, desk):
    bulk_stories(desk, 30, S.DRAFT)
    client = client_for("chief")
    first = client.get("/desk/board/?state=draft").content.decode()
    assert 'More <span class="flip-in-rtl" aria-hidden="true">→</span></a>' in first
    second = client.get("/desk/board/?state=draft&page=2").content.decode()
    assert second.count('class="card"') == 5
    assert client.get("/desk/board/?state=nonsense").status_code == 404
    assert client.get("/desk/board/?page=0").status_code == 404


def test_my_stories_lists_created_and_bylined(people, desk):
    created = Story.objects.create(headline="Created", desk=desk, created_by=people["writer"])
    bylined = Story.objects.create(headline="Bylined", desk=desk)
    Byline.objects.create(story=bylined, author=people["writer"].author)
    Story.objects.create(headline="Other", desk=desk)
    stories, has_more = selectors.my_stories(people["writer"])
    assert {s.pk for s in stories} == {created.pk, bylined.pk}
    assert not has_more


def test_my_stories_pages_created_and_bylined_newest_change_first_each_once(people, desk):
    writer = people["writer"]
    now = timezone.now()
    both = Story.objects.create(headline="Both", desk=desk, created_by=writer)
    Byline.objects.create(story=both, author=writer.author)
    mine = [both]
    for number in range(7):
        story = Story.objects.create(
            headline=f"Mine {number}", desk=desk, created_by=writer if number % 2 else None
        )
        if not number % 2:
            Byline.objects.create(story=story, author=writer.author)
        mine.append(story)
    Story.objects.create(headline="Not mine", desk=desk)
    for age, story in enumerate(mine):
        Story.objects.filter(pk=story.pk).update(modified_at=now - timedelta(minutes=age))

    first, more = selectors.my_stories(writer, page=1, per_page=3)
    second, _ = selectors.my_stories(writer, page=2, per_page=3)
    third, last_more = selectors.my_stories(writer, page=3, per_page=3)

    assert more and not last_more
    assert [s.headline for s in first + second + third] == [s.headline for s in mine]


def test_published_column_pages_merge_published_and_came_out_in_order(people, desk):
    now = timezone.now()
    expected = []
    for number in range(9):
        status = S.SCHEDULED if number % 3 == 0 else S.PUBLISHED
        expected.append(
            Story.objects.create(
                headline=f"Out {number}",
                desk=desk,
                status=status,
                published_at=now - timedelta(minutes=number),
            )
        )
    chief = access_for(people["chief"])

    def page(number):
        columns = selectors.board(
            chief, selectors.BoardFilter(), only=S.PUBLISHED, page=number, per_page=4, now=now
        )
        return columns[0]

    pages = [page(1), page(2), page(3)]
    assert [s.headline for p in pages for s in p.stories] == [s.headline for s in expected]
    assert [p.has_more for p in pages] == [True, True, False]
