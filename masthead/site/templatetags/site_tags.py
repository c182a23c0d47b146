"""Template tags of the public site: times readers can trust, and shared fragments.

``{% fragment "name" "scope" other_scope … [by value …] %}…{% endfragment %}``
renders its content once per version of its scopes (``site/fragments.py``);
``by`` names further values the markup depends on (the current desk …).
A template with ``preview`` in its context renders every fragment itself.
``{% edition_url "site:masthead" %}`` is the address of a public route in the
edition the page wears (the header's and footer's links, which an account page
also shows: ``accounts/interface_language.py``).
``{% recent_posts story %}`` is the Recent Posts box of an article;
``{% body_figures story.body %}`` renders the pictures of its body's figures.
``{{ count|native_digits }}`` (or ``{% filter native_digits %}…{% endfilter %}``
around a sentence with a count) writes numbers in the digits of the page's
language: ``۱۲`` on a Persian page, ``12`` on an English one.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from urllib.parse import quote

from django import template
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

from masthead.media import figures
from masthead.media.models import Image
from masthead.media.templatetags.media_tags import picture
from masthead.newsroom import calendars
from masthead.newsroom.calendars import date_text, date_time_text
from masthead.newsroom.models import edition_address
from masthead.site import selectors
from masthead.site.editions import edition_of
from masthead.site.fragments import PrivateFragments, fragments_for, shared_part
from masthead.site.relative_time import (
    refresh_relative_times_text,
    relative_time,
    style_attributes,
)
from masthead.site.structured_data import iso
from masthead.stories.models import Story, listing_parts
from masthead.stories.versions import SITE, front_scope

register = template.Library()

FULL_FORMAT = "j F Y, H:i T"
DAY_FORMAT = "j F Y"


@register.filter(is_safe=True)
def native_digits(value):
    """``value``'s numbers in the digits of the active language (``calendars.native_digits``,
    the table Jalali dates and relative times use): ``12`` → ``۱۲`` on a Persian page.

    Only text changes: the tags, attributes (``href="#p3"``, ``datetime``) and character
    references of markup passed through it keep their ASCII digits.
    """
    text = calendars.native_digits_in_markup(str(value), translation.get_language() or "")
    return mark_safe(text) if isinstance(value, SafeData) else text  # noqa: S308 - same markup


def _style(context) -> tuple[str, str, str]:
    """The language, calendar and (explicit) time zone of the page's edition."""
    edition = context.get("edition")
    if edition is None:
        return "en", "gregorian", ""
    return edition.language, edition.calendar, edition.time_zone


@register.simple_tag(takes_context=True)
def edition_url(context, route: str, **slugs: str) -> str:
    """``{% edition_url "site:home" %}``: the route's address in the edition the page wears,
    built from the edition (``edition_address``), not from the URL configuration serving the
    page. On a public page that is the same address ``{% url %}`` gives (its edition serves
    it); on an account page, served by the main host's routes, it is the address in the
    edition of the staff member's language: ``/fa/``, or ``https://fa.news.example/``."""
    return edition_address(route, edition_of(getattr(context, "request", None)).pk, **slugs)


@register.simple_tag(takes_context=True)
def reltime(context, moment: datetime | None):
    """``<time datetime="…" data-relative>16 mins ago</time>``, kept true by script,
    in the words and calendar of the page's edition (``site/relative_time.py``)."""
    if moment is None:
        return ""
    language, calendar, zone = _style(context)
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone) if zone else None)
    return format_html(
        '<time datetime="{}" title="{}" data-relative{}>{}</time>',
        iso(moment),
        date_time_text(local, calendar, language, FULL_FORMAT),
        mark_safe(style_attributes(language, calendar, zone)),  # noqa: S308 - validated values
        relative_time(moment, language=language, calendar=calendar, zone=zone),
    )


@register.simple_tag(takes_context=True)
def fulltime(context, moment: datetime | None):
    """``<time datetime="…">25 November 2026, 14:03 UTC</time>`` in the edition's zone and
    calendar (``۱۲ آذر ۱۴۰۵، ۱۳:۳۰``); the ``datetime`` attribute stays ISO 8601."""
    if moment is None:
        return ""
    language, calendar, zone = _style(context)
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone) if zone else None)
    return format_html(
        '<time datetime="{}">{}</time>',
        iso(moment),
        date_time_text(local, calendar, language, FULL_FORMAT),
    )


@register.simple_tag(takes_context=True)
def edition_day(context, moment: datetime | None) -> str:
    """The day of ``moment`` as the page's edition writes it: “3 December 2026”, “۱۲ آذر ۱۴۰۵”."""
    if moment is None:
        return ""
    language, calendar, zone = _style(context)
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone) if zone else None)
    return date_text(local, calendar, language, DAY_FORMAT)


@register.simple_tag(takes_context=True)
def edition_month(context, month) -> str:
    """A month of the corrections table in the page's calendar: “December 2026”, “آذر ۱۴۰۵”."""
    language, _calendar, _zone = _style(context)
    return calendars.month_text(month, language) if month is not None else ""


def _fragments(context):
    """The request's fragments, or None where this render must not share any."""
    if context.get("preview"):
        return None
    request = getattr(context, "request", None)
    fragments = fragments_for(request)
    return fragments if fragments.shared else None


class FragmentNode(template.Node):
    def __init__(self, name: str, scopes, vary, nodelist):
        self.name, self.scopes, self.vary, self.nodelist = name, scopes, vary, nodelist

    def render(self, context) -> str:
        fragments = _fragments(context)
        if fragments is None:
            return self.nodelist.render(context)
        scopes = [str(scope.resolve(context)) for scope in self.scopes]
        vary = [value.resolve(context) for value in self.vary]
        return fragments.html(self.name, scopes, lambda: self.nodelist.render(context), vary)


@register.filter
def label_name(label, language: str | None = None) -> str:
    """``{{ story.label|label_name:edition.language }}``: the label in the edition's language."""
    return label.name_in(language) if label is not None else ""


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            '{% fragment %} needs a name and at least one scope: {% fragment "header" "site" %}'
        )
    name = bits[1].strip("\"'")
    arguments = bits[2:]
    vary = []
    if "by" in arguments:
        at = arguments.index("by")
        arguments, vary = arguments[:at], arguments[at + 1 :]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        name,
        [parser.compile_filter(scope) for scope in arguments],
        [parser.compile_filter(value) for value in vary],
        nodelist,
    )


@register.simple_tag(takes_context=True)
def cards(context, stories, **shape) -> str:
    """``{% cards front.top level=3 %}``: a card (``site/_card.html``) for each of ``stories``
    (a list, or one), each kept by its story's version (``PageFragments.pieces``).

    After a publish, the home page renders the cards of the stories that moved
    (the new lead, the one it pushed down), not thirty. ``shape`` is the card's
    look (``size``, ``level``, ``compact``, ``show_image``), part of each key.
    ``stories`` are story rows or ``selectors.Listed`` (id and version only:
    the rows of the cards being made are read then), each with the counter of
    its version as ``version``, read with the list (``versions.story_counter``).
    Bylines and renditions are read for the cards being made only. A story
    gone since its list was read has no card.
    """
    if stories is None:
        return ""
    listed = [stories] if hasattr(stories, "pk") else list(stories)
    by_pk = {story.pk: story for story in listed}
    fragments = _fragments(context) or PrivateFragments(None)
    versions_of = {pk: story.version for pk, story in by_pk.items()}
    card = context.template.engine.get_template("site/_card.html")

    def produce(missing: list[int]) -> dict[int, str]:
        rendered = {}
        for story in _card_rows([by_pk[pk] for pk in missing], shape):
            with context.push(story=story, **shape):
                rendered[story.pk] = card.render(context)
        return rendered

    kept = fragments.pieces("card", versions_of, produce, vary=sorted(shape.items()))
    html = "".join(kept[story.pk] for story in listed if story.pk in kept)
    return mark_safe(html)  # noqa: S308 - our template's output


def _card_rows(listed: list, shape: dict) -> list[Story]:
    """Story rows for ``listed`` with what their cards show: rows as given, ``Listed`` read
    (live ones only), then the bylines and the lead picture's renditions if the card shows them."""
    rows = [story for story in listed if isinstance(story, Story)]
    wanted = [story.pk for story in listed if not isinstance(story, Story)]
    if wanted:
        rows += Story.objects.live().for_listing(complete=False).filter(pk__in=wanted)
    bylines, renditions = listing_parts()
    if not shape.get("compact"):
        prefetch_related_objects(rows, bylines)
    if shape.get("show_image"):
        prefetch_related_objects([story for story in rows if story.lead_image_id], renditions)
    return rows


def _recent_posts_box(stories, edition) -> str:
    context = {"recent_posts": stories, "edition": edition}
    return render_to_string("site/_recent_posts.html", context)


def _recent_posts_fragment(story, exclude, edition) -> tuple[frozenset[int], str]:
    """The box of ``story``'s edition without ``exclude``, and which stories it lists."""
    stories = selectors.recent_posts(story.desk.edition_id, exclude=exclude)
    return frozenset(story.pk for story in stories), _recent_posts_box(stories, edition)


@register.simple_tag(takes_context=True)
def recent_posts(context, story):
    """The Recent Posts box beside ``story``: the newest others, shared by every article.

    One fragment per version of the edition's ``front`` scope serves every article but the
    newest few; those (the ones it lists) get their own, since they must not list themselves.
    """
    fragments = _fragments(context)
    edition = context.get("edition")
    if fragments is None:
        return _recent_posts_box(context.get("recent_posts") or [], edition)
    front = front_scope(story.desk.edition_id)
    scopes = (front, SITE)
    produce = lambda: _recent_posts_fragment(story, None, edition)  # noqa: E731
    # The fragment's key holds the request's edition, the story's (site/fragments.py).
    listed, html = fragments.value("recent-posts", scopes, produce)
    if story.pk in listed:
        produce = lambda: _recent_posts_fragment(story, story, edition)  # noqa: E731
        listed, html = fragments.value("recent-posts", scopes, produce, vary=[story.pk])
        return mark_safe(refresh_relative_times_text(html))  # noqa: S308 - our own markup
    # The box every other article of the edition shows: the page cache renews it alone.
    html = shared_part(
        fragments.request, refresh_relative_times_text(html),
        f"recent-posts:{story.desk.edition_id}", [front], story.pk, listed,
    )  # fmt: skip
    return mark_safe(html)  # noqa: S308 - our own rendered markup


# How wide a body figure is shown: the article column, or the screen on a phone.
FIGURE_SIZES = "(min-width: 48rem) 46rem, 100vw"


@register.simple_tag(takes_context=True)
def body_figures(context, body: str) -> SafeString:
    """``{% body_figures story.body %}``: the (sanitised) body, each figure's picture
    rendered by ``{% picture %}``.

    Figures name their image by id (``media/figures.py``): the picture readers
    get is written from the image row, never from the stored ``<img>``. One
    query per body; it runs inside the article's cached fragment, so a warm
    page pays nothing. On a preview, files carry the preview token, which
    opens an unpublished revision's images (``site/media.py``).
    """
    body = body or ""
    ids = figures.image_ids(body)
    if not ids:
        return mark_safe(body)  # noqa: S308 - sanitised on save (newsroom/sanitize.py)
    images = Image.objects.in_bulk(ids)
    preview_token = context.get("preview_token") or ""
    query = f"preview={quote(preview_token, safe='')}" if preview_token else ""

    def render(image_id: int, stored: str) -> str:
        image = images.get(image_id)
        if image is None:
            return ""  # a deleted image: the figure keeps its caption
        return picture(image, sizes=FIGURE_SIZES, loading="lazy", query=query)

    # The sanitised body with pictures our own tag wrote from image rows.
    return mark_safe(figures.replace_images(body, render))  # noqa: S308
