"""Public pages. Thin: parse the request, call a selector, render."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from masthead.newsroom.models import Author, Desk
from masthead.site import selectors
from masthead.site.caching import public_page
from masthead.stories.models import Byline, Story, StorySlug, Tag
from masthead.stories.preview import PreviewUnavailable, revision_for_token


@require_safe
@public_page
def home(request):
    return render(request, "site/home.html", {"front": selectors.front_page()})


def _find_story(slug: str) -> Story | None:
    story_rows = Story.objects.select_related("desk", "label", "lead_image").prefetch_related(
        Prefetch("bylines", queryset=Byline.objects.select_related("author", "author__photo")),
        "tags",
    )
    story = story_rows.filter(slug=slug).first()
    if story is None:
        old = StorySlug.objects.filter(slug=slug).only("story_id").first()
        if old is not None:
            story = story_rows.filter(pk=old.story_id).first()
    return story


@require_safe
@public_page
def story(request, desk_slug: str, slug: str):
    found = _find_story(slug)
    if found is None:
        raise Http404("No such story.")
    if found.is_withdrawn:
        return render(request, "site/410.html", {"story": found}, status=410)
    if not found.is_live():
        # Exactly the answer for a story that never existed: nothing leaks.
        raise Http404("No such story.")
    if found.slug != slug or found.desk.slug != desk_slug:
        return HttpResponsePermanentRedirect(found.get_absolute_url())
    context = {
        "story": found,
        "bylines": found.ordered_bylines(),
        "tags": list(found.tags.all()),
        "corrections": list(found.corrections.all()),
        "recent_posts": selectors.recent_posts(exclude=found),
    }
    return render(request, "site/story.html", context)


@require_safe
@never_cache
def preview(request, token: str):
    """A revision exactly as readers will see it, through a signed, expiring link."""
    try:
        revision = revision_for_token(token)
    except PreviewUnavailable as error:
        return render(request, "site/preview_unavailable.html", {"reason": str(error)}, status=404)
    draft = selectors.story_from_revision(revision)
    context = {
        "story": draft.story,
        "bylines": draft.bylines,
        "tags": draft.tags,
        "corrections": list(revision.story.corrections.all()),
        "recent_posts": selectors.recent_posts(exclude=revision.story),
        "preview": revision,
    }
    response = render(request, "site/story.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
@public_page
def corrections(request):
    page = selectors.paginate(selectors.public_corrections(), request.GET.get("page"), 50)
    return render(request, "site/corrections.html", {"page": page, "corrections": page.object_list})


def _story_list(request, template: str, stories, **context):
    page = selectors.paginate(stories, request.GET.get("page"), settings.PAGE_SIZE)
    return render(request, template, {"page": page, "stories": page.object_list, **context})


@require_safe
@public_page
def desk(request, desk_slug: str):
    section = get_object_or_404(Desk.objects.select_related("editor"), slug=desk_slug)
    stories = selectors.live_stories().filter(desk=section)
    return _story_list(request, "site/desk.html", stories, desk=section)


@require_safe
@public_page
def author(request, slug: str):
    person = get_object_or_404(Author.objects.select_related("photo"), slug=slug, is_active=True)
    stories = selectors.live_stories().filter(bylines__author=person)
    return _story_list(request, "site/author.html", stories, author=person)


@require_safe
@public_page
def tag(request, slug: str):
    topic = get_object_or_404(Tag, slug=slug)
    stories = selectors.live_stories().filter(tags=topic)
    return _story_list(request, "site/tag.html", stories, tag=topic)


@require_safe
@public_page
def masthead(request):
    desks = Desk.objects.select_related("editor", "editor__photo")
    collectives = Author.objects.filter(kind=Author.Kind.COLLECTIVE, is_active=True)
    return render(request, "site/masthead.html", {"desks": desks, "collectives": collectives})


@public_page
def page_not_found(request, exception=None):
    return render(request, "site/404.html", status=404)


def server_error(request):
    # No context processors: the database may be why we are here.
    return HttpResponseServerError(loader.get_template("site/500.html").render())
