"""Small factory functions for tests and benchmarks: one row each, sensible defaults."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.text import slugify

from masthead.newsroom.models import Author, Desk, Edition, Outlet
from masthead.stories.models import Byline, Label, Story, Tag

_numbers = itertools.count(1)


def make_outlet(**fields) -> Outlet:
    return Outlet.objects.create(**{"name": "Test Outlet", "short_name": "TO", **fields})


def make_author(name: str | None = None, **fields) -> Author:
    name = name or f"Author {next(_numbers)}"
    fields.setdefault("slug", slugify(name))
    return Author.objects.create(name=name, **fields)


def make_edition(url_root: str = "fa", **fields) -> Edition:
    """A second edition; Persian, Jalali and in Tehran's zone unless told otherwise."""
    values = {
        "name": f"Edition {url_root}",
        "slug": url_root,
        "language": "fa",
        "calendar": "jalali",
        "time_zone": "Asia/Tehran",
        "publication_name": "ایران فرانت پیج",
        **fields,
    }
    edition = Edition(url_root=url_root, **values)
    edition.full_clean()
    edition.save()
    return edition


def make_desk(name: str | None = None, **fields) -> Desk:
    name = name or f"Desk {next(_numbers)}"
    fields.setdefault("slug", slugify(name))
    return Desk.objects.create(name=name, **fields)


def make_label(name: str = "Exclusive", kind: str = Label.Kind.EXCLUSIVE) -> Label:
    return Label.objects.get_or_create(slug=slugify(name), defaults={"name": name, "kind": kind})[0]


def make_tag(name: str | None = None) -> Tag:
    name = name or f"Tag {next(_numbers)}"
    return Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]


def make_story(
    headline: str | None = None,
    *,
    desk: Desk | None = None,
    authors: list[Author] | None = None,
    tags: list[Tag] | None = None,
    published_at: datetime | None = None,
    age: timedelta | None = timedelta(hours=1),
    status: str = Story.Status.PUBLISHED,
    **fields,
) -> Story:
    """A story; published an hour ago unless told otherwise."""
    if published_at is None and age is not None:
        published_at = timezone.now() - age
    story = Story.objects.create(
        headline=headline or f"Headline number {next(_numbers)}",
        desk=desk or Desk.objects.first() or make_desk(),
        status=status,
        published_at=published_at,
        updated_at=published_at,
        body=fields.pop("body", "<p>Body text.</p>"),
        **fields,
    )
    for position, author in enumerate(authors or []):
        Byline.objects.create(story=story, author=author, position=position)
    if tags:
        story.tags.set(tags)
    return story


STEPS = ("draft", "scheduled", "embargoed", "published", "withdrawn")


def take_to(editor, story: Story, step: str) -> Story:
    """``story``, a draft, taken through the workflow services by ``editor`` to ``step`` (one
    of ``STEPS``; scheduled and embargoed for tomorrow), read again."""
    from masthead.stories import services

    if step not in STEPS:
        raise ValueError(f"no step {step!r}; one of {', '.join(STEPS)}")
    if step == "draft":
        return story
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    tomorrow = timezone.now() + timedelta(days=1)
    if step in ("scheduled", "embargoed"):
        services.schedule_story(editor, story, tomorrow, embargo=step == "embargoed")
    else:
        services.publish_story(editor, story)
        if step == "withdrawn":
            services.withdraw_story(editor, story, "Legal advice")
    return Story.objects.get(pk=story.pk)


def make_preview_link(revision, made_by=None) -> str:
    """An open preview link to ``revision``; its token."""
    from django.utils import timezone

    from masthead.stories.preview import open_link

    _, token = open_link(revision.story, revision, made_by, timezone.now())
    return token


TEST_PASSWORD = "correct horse battery"  # noqa: S105 - test accounts only


def make_user(username: str | None = None, password: str = TEST_PASSWORD, **fields):
    from django.contrib.auth import get_user_model

    username = username or f"user{next(_numbers)}"
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_staff(role: str, desk: Desk | None = None, username: str | None = None, **fields):
    """A staff account holding ``role`` (on ``desk`` for desk roles), with an author profile."""
    from masthead.newsroom.models import StaffRole

    user = make_user(username, is_staff=True, **fields)
    make_author(f"{user.username.title()} Person", user=user)
    StaffRole.objects.create(user=user, role=role, desk=desk)
    return user


def grant(user, role: str, desk: Desk | None = None):
    from masthead.newsroom.models import StaffRole

    StaffRole.objects.create(user=user, role=role, desk=desk)
    if hasattr(user, "_masthead_access"):
        del user._masthead_access
    return user


def editor_of(desk: Desk):
    from masthead.newsroom.models import StaffRole

    return make_staff(StaffRole.Role.DESK_EDITOR, desk)
