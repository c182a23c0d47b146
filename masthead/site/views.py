"""Public pages. Thin: parse the request, call a selector, render."""

from __future__ import annotations

import sys

from django.conf import settings
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from masthead.database_outage import is_database_outage, is_out_of_room, outage_response
from masthead.newsroom.editions import all_editions, urlconf_for_root
from masthead.newsroom.models import Author, Desk, PolicyPage
from masthead.search.normalize import fold_arabic_script
from masthead.site import (
    fragments,
    live_coverage,
    pagination,
    reporting,
    selectors,
    structured_data,
)
from masthead.site.absolute_urls import absolute_url, main_url
from masthead.site.editions import edition_of
from masthead.site.http import mark_private, public_response, surrogate_keys
from masthead.site.query import query_parameters
from masthead.sourcing import reports as report_stats
from masthead.stories import translations, versions
from masthead.stories.models import Byline, Label, OldAddress, Story, StorySlug, Tag
from masthead.stories.preview import PreviewUnavailable, revision_for_token
from masthead.stories.versions import SITE, every_front_scope, front_scope
from masthead.wire.attribution import credits_for


@query_parameters(*OldAddress.ID_PARAMETERS)
@require_safe
@public_response
def home(request):
    if any(name in request.GET for name in OldAddress.ID_PARAMETERS):
        # /?p=123 is a post of the outlet's previous site: its story, or the 404
        # page (page_not_found looks the address up), never a copy of the front.
        raise Http404("No such post.")
    front = front_scope(edition_of(request).pk)
    context = {
        # Lazy: read only when the shared fragments of this version are cold.
        "front": SimpleLazyObject(lambda: selectors.front_page(edition_of(request))),
        "front_scope": front,
        "structured_data": SimpleLazyObject(lambda: [_website_structured_data(request)]),
    }
    response = render(request, "site/home.html", context)
    return surrogate_keys(response, front)


def _website_structured_data(request) -> dict:
    outlet, policies = selectors.outlet_of(request), selectors.published_policies(request)
    return structured_data.website(outlet, policies, request)


def _find_story(slug: str, front: str) -> Story | None:
    """The story at ``slug`` (or that had it), with the counters of what its page shows,
    ``front`` being the front scope of the page's edition.

    The counters are read in the same statement as the row (``selectors.story_row``).
    """
    story = selectors.story_row(front=front, slug=slug)
    if story is None:
        old = StorySlug.objects.filter(slug=slug).only("story_id").first()
        if old is not None:
            story = selectors.story_row(front=front, pk=old.story_id)
    if story is None and fold_arabic_script(slug) != slug:
        # Typed on the other keyboard (Arabic ي for Persian ی …): the story's one address.
        return _find_story(fold_arabic_script(slug), front)
    return story


@require_safe
@public_response
def story(request, desk_slug: str, slug: str):
    front, pending_front = fragments.front_scopes(request)
    found = _find_story(slug, front)
    if found is None:
        raise Http404("No such story.")
    scope = f"story:{found.pk}"
    if found.is_gone:
        # Withdrawn after readers saw it. A story they never saw falls through to
        # the 404 below, exactly like one that never existed.
        gone = render(request, "site/410.html", {"story": found}, status=410)
        return surrogate_keys(gone, scope)
    if not found.is_live():
        # Exactly the answer for a story that never existed: nothing leaks.
        raise Http404("No such story.")
    if (
        found.slug != slug
        or found.desk.slug != desk_slug
        or found.desk.edition_id != edition_of(request).pk
    ):
        # An old slug, another desk, or another edition's root: its one address.
        moved = HttpResponsePermanentRedirect(found.get_absolute_url())
        return surrogate_keys(moved, scope)
    fragments.use_counters(
        request,
        {
            scope: found.story_version,
            SITE: found.site_version,
            front: found.front_version,
            pending_front: found.pending_front_version,
        },
    )
    # Lazy: a render whose fragments are warm reads none of these.
    parts = SimpleLazyObject(lambda: selectors.story_parts(found))
    thread_scopes = live_coverage.article_scopes(found)
    group_scopes = translation_scopes(found)
    context = {
        "story": found,
        "story_scope": scope,
        # The head and the article name the group's live others (hreflang, "read in").
        "translation_scope": group_scopes[0] if group_scopes else scope,
        "alternates": SimpleLazyObject(lambda: translations.live_alternates(found)),
        "thread_scope": thread_scopes[0] if thread_scopes else "",
        "bylines": SimpleLazyObject(lambda: parts.bylines),
        "tags": SimpleLazyObject(lambda: parts.tags),
        "corrections": SimpleLazyObject(lambda: parts.corrections),
        # The agencies whose copy it is based on (wire/attribution.py), with the
        # wire sources an editor listed, each item once (site/reporting.py).
        "based_on": SimpleLazyObject(
            lambda: reporting.merged_credits(credits_for(found), found.sources)
        ),
    }
    reporting.add_to_context(request, context)
    context["structured_data"] = SimpleLazyObject(
        lambda: _article_structured_data(request, context)
    )
    response = render(request, "site/story.html", context)
    fragments.label_shared_part(request, response)  # Recent Posts
    # The story's last public update: the Last-Modified of a page first seen.
    response["Last-Modified"] = http_date((found.updated_at or found.published_at).timestamp())
    return surrogate_keys(response, scope, front, *thread_scopes, *group_scopes)


def translation_scopes(story: Story) -> tuple[str, ...]:
    """The scope of ``story``'s translation group, if it has one."""
    key = story.translation_key
    return (versions.translation_scope(key),) if key is not None else ()


def _article_structured_data(request, context: dict) -> list[dict]:
    story = context["story"]
    article = structured_data.article(
        story,
        bylines=context["bylines"],
        tags=context["tags"],
        corrections=context["corrections"],
        based_on=context["based_on"],
        outlet=selectors.outlet_of(request),
        policies=selectors.published_policies(request),
        request=request,
    )
    article = live_coverage.live_blog_posting(article, story, context["corrections"], request)
    return [article, structured_data.breadcrumbs(story, request)]


@require_safe
def preview(request, token: str):
    """A revision exactly as readers will see it, through a preview link (stories/preview.py)."""
    fragments.private(request)  # draft content: nothing shared is read or written
    try:
        revision = revision_for_token(token)
    except PreviewUnavailable:
        # One answer for every link that opens nothing, whatever the reason.
        return _preview_headers(render(request, "site/preview_unavailable.html", status=404))
    draft = selectors.story_from_revision(revision)
    context = {
        "story": draft.story,
        "bylines": draft.bylines,
        "tags": draft.tags,
        "corrections": list(revision.story.corrections.all()),
        "recent_posts": selectors.recent_posts(draft.story.desk.edition_id, exclude=revision.story),
        # The page as its edition's readers will see it (language, direction, dates).
        "edition": draft.story.desk.edition,
        "preview": revision,
        "based_on": reporting.merged_credits(credits_for(revision.story), draft.story.sources),
        # The lead image of an unpublished revision opens only with the link (site/media.py).
        "preview_token": token,
    }
    reporting.add_to_context(request, context)
    return _preview_headers(render(request, "site/story.html", context))


def _preview_headers(response: HttpResponse) -> HttpResponse:
    """Kept by no cache, listed by no search engine, and the link never sent on."""
    mark_private(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@query_parameters(*pagination.QUERY_PARAMETERS)
@require_safe
@public_response
def corrections(request):
    edition = edition_of(request)
    front = front_scope(edition.pk)
    page = pagination.paginate(selectors.public_corrections(edition), request, 50)
    if not isinstance(page, pagination.Page):
        return surrogate_keys(page, front)
    context = {"page": page, "corrections": page.items}
    if page.is_first:
        # Readers' reports that led to corrections, per month (sourcing/reports.py):
        # they change only when a correction is published, which bumps the edition's front.
        context["report_months"] = SimpleLazyObject(
            lambda: report_stats.monthly_report_stats(
                selectors.public_corrections(edition), edition=edition
            )
        )
    return surrogate_keys(render(request, "site/corrections.html", context), front)


def _story_list(request, template: str, stories, short: bool = False, **context):
    """A list page, or the redirect an old ``?page=N`` address gets (site/pagination.py)."""
    page = pagination.paginate(stories, request, settings.PAGE_SIZE, short=short)
    if not isinstance(page, pagination.Page):
        return page
    return render(request, template, {"page": page, "stories": page.items, **context})


@query_parameters(*pagination.QUERY_PARAMETERS)
@require_safe
@public_response
def desk(request, desk_slug: str):
    # A desk of another edition is not at this root: 404, as for no desk.
    desks = Desk.objects.select_related("editor").filter(edition_id=edition_of(request).pk)
    section = get_object_or_404(desks, slug=desk_slug)
    stories = selectors.live_stories().filter(desk=section)
    response = _story_list(request, "site/desk.html", stories, desk=section)
    return surrogate_keys(response, f"desk:{section.pk}")


@query_parameters(*pagination.QUERY_PARAMETERS)
@require_safe
@public_response
def author(request, slug: str):
    person = get_object_or_404(Author.objects.select_related("photo"), slug=slug, is_active=True)
    stories = selectors.edition_stories(edition_of(request)).filter(bylines__author=person)
    short = pagination.is_short(Byline.objects.filter(author=person))
    response = _story_list(
        request, "site/author.html", stories, short, author=person,
        structured_data=[structured_data.profile_page(person, request)],
        no_bylines_policy=reporting.policy_of_kind(
            selectors.published_policies(request), PolicyPage.Kind.NO_BYLINES
        ),
    )  # fmt: skip
    return surrogate_keys(response, f"author:{person.pk}")


@query_parameters(*pagination.QUERY_PARAMETERS)
@require_safe
@public_response
def tag(request, slug: str):
    topic = Tag.objects.filter(slug=slug).first()
    if topic is None:
        moved = selectors.moved_tag(slug)  # renamed or merged: 301 to where it is now
        if moved is None:
            raise Http404("No such tag.")
        redirect = HttpResponsePermanentRedirect(moved.get_absolute_url())
        return surrogate_keys(redirect, f"tag:{moved.pk}")
    if not selectors.is_carried_by_live_story(topic):
        raise Http404("No such tag.")
    stories = selectors.edition_stories(edition_of(request)).filter(tags=topic)
    short = pagination.is_short(Story.tags.through.objects.filter(tag=topic))
    response = _story_list(request, "site/tag.html", stories, short, tag=topic)
    return surrogate_keys(response, f"tag:{topic.pk}")


@require_safe
@public_response
def masthead(request):
    edition = edition_of(request)
    desks = list(
        Desk.objects.filter(edition_id=edition.pk).select_related("editor", "editor__photo")
    )
    staff = selectors.masthead_staff(desks)
    outlet = selectors.outlet_of(request)
    context = {
        "desks": desks,
        "collectives": selectors.edition_collectives(edition),
        "staff": staff,
        "about": edition.about_with(outlet),
        "address": edition.address_with(outlet),
    }
    return surrogate_keys(render(request, "site/masthead.html", context))


@query_parameters(*pagination.QUERY_PARAMETERS)
@require_safe
@public_response
def label(request, slug: str):
    kind_of_work = get_object_or_404(Label, slug=slug)
    if not selectors.is_carried_by_live_story(kind_of_work):
        raise Http404("No such label.")
    stories = selectors.edition_stories(edition_of(request)).of_label(kind_of_work)
    response = _story_list(request, "site/label.html", stories, label=kind_of_work)
    return surrogate_keys(response, f"label:{kind_of_work.pk}")


@require_safe
@public_response
def policy(request, slug: str):
    page = get_object_or_404(PolicyPage.objects.published(), slug=slug)
    if page.edition_id != edition_of(request).pk:
        # Another edition's page (policy slugs are unique across editions): its one address.
        return surrogate_keys(HttpResponsePermanentRedirect(page.get_absolute_url()))
    response = render(request, "site/policy.html", {"policy": page})
    response["Last-Modified"] = http_date(page.updated_at.timestamp())
    return surrogate_keys(response)


# Staff-only and unlisted addresses crawlers need not try.
ROBOTS_DISALLOW = ("/admin/", "/desk/", "/account/", "/preview/")


@require_safe
@public_response
def robots_txt(request):
    """Where crawlers may go, and where the sitemaps are.

    The main host names the sitemap index and the news sitemap of each edition on it; an
    edition's own host names its news sitemap and the main host's index (a sitemap may list
    another host's addresses only if that host's robots.txt names it).
    """
    edition = edition_of(request)
    if edition.host:
        disallowed = ["/preview/"]
        sitemaps = [
            main_url(reverse("site:sitemap_index", urlconf=settings.ROOT_URLCONF), request),
            absolute_url(reverse("site:sitemap", kwargs={"section": "news"}), request),
        ]
    else:
        disallowed = list(ROBOTS_DISALLOW)
        sitemaps = [absolute_url(reverse("site:sitemap_index"), request)]
        for each in all_editions():
            if each.host:
                continue  # named by its own host's robots.txt
            # Each edition has its own news sitemap (and preview links) under its root.
            urlconf = urlconf_for_root(each.url_root)
            news = reverse("site:sitemap", urlconf=urlconf, kwargs={"section": "news"})
            sitemaps.append(absolute_url(news, request))
            if each.url_root:
                disallowed.append(f"/{each.url_root}/preview/")
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed), ""]
    lines += [f"Sitemap: {address}" for address in sitemaps]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    return surrogate_keys(response)


@public_response
def page_not_found(request, exception=None):
    moved = _moved_from_old_site(request)
    if moved is not None:
        return moved
    # A 404 may turn into a story when one is published at that address, or into a 301
    # when a story of another edition is (its one address): every edition's front.
    return surrogate_keys(render(request, "site/404.html", status=404), *every_front_scope())


def _moved_from_old_site(request) -> HttpResponse | None:
    """A 301 to the story that had this address on the outlet's previous site, if it is public.

    Read only here, after every route failed: the article path never pays for it.
    The answer names the story's address here, never a stored URL (no open redirect);
    a story readers may not see answers the plain 404, as if it had no old address.
    """
    key = OldAddress.key(request.path_info, request.GET)
    if key is None:
        return None
    story_id = OldAddress.objects.filter(path=key).values_list("story_id", flat=True).first()
    if story_id is None:
        return None
    # Through the public gate: live, or withdrawn after readers saw it (its address answers 410).
    story = (
        Story.objects.live().select_related("desk").filter(pk=story_id).first()
        or Story.objects.gone().select_related("desk").filter(pk=story_id).first()
    )
    if story is None:
        return None
    moved = HttpResponsePermanentRedirect(story.get_absolute_url())
    return surrogate_keys(moved, f"story:{story.pk}", front_scope(story.edition_id))


def server_error(request):
    # Django calls this while handling the exception a view or middleware raised.
    error = sys.exc_info()[1]
    if is_out_of_room(error):  # a full disk: nothing stored, said so (R10)
        return outage_response(request, no_room=True)
    if is_database_outage(error):
        return outage_response(request)
    # No context processors: the database may be why we are here.
    return HttpResponseServerError(loader.get_template("site/500.html").render())
