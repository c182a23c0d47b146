"""Template tags for the head of public pages: JSON-LD, absolute addresses, feed links."""

from __future__ import annotations

import json
from datetime import datetime

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from masthead.newsroom.models import Author, Desk, edition_address
from masthead.site import structured_data
from masthead.site.absolute_urls import absolute_url
from masthead.site.editions import edition_of
from masthead.site.structured_data import SharePicture, iso
from masthead.site.summaries import story_summary
from masthead.stories.models import Label, Story, Tag

register = template.Library()

# Inside <script> only "</script" (and "<!--") can end the element early; with
# <, > and & written as JSON escapes no text can, and the JSON means the same.
_SCRIPT_SAFE = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_safe_json(data) -> str:
    """``data`` as JSON that can sit inside a ``<script>`` element unchanged."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_SAFE)


@register.simple_tag
def ld_json(data) -> SafeString:
    """``<script type="application/ld+json">…</script>`` for a structured-data dict."""
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(script_safe_json(data)),  # noqa: S308 - escaped for <script> above
    )


@register.simple_tag(takes_context=True)
def absolute(context, path: str) -> str:
    """``path`` as an absolute address of the site (``SITE_URL``, else the request's host)."""
    return absolute_url(str(path), context.get("request"))


@register.simple_tag(takes_context=True)
def share_picture(context, story: Story) -> SharePicture:
    """``{% share_picture story as picture %}``: what a shared link to ``story`` shows."""
    return structured_data.share_picture(story, context["outlet"], context.get("request"))


@register.filter
def summary(story: Story) -> str:
    """The story's summary as plain text (the template escapes it)."""
    return story_summary(story)


@register.filter
def isotime(moment: datetime | None) -> str:
    return iso(moment) or ""


def _section_feeds(context) -> list[tuple[str, str, str, dict]]:
    """(title, RSS route, Atom route, kwargs) of the feed of the section this page shows."""
    story, label, tag = context.get("story"), context.get("label"), context.get("tag")
    author, desk = context.get("author"), context.get("desk")
    if isinstance(story, Story) and story.desk_id:
        desk = story.desk
        return [(desk.name, "site:desk_feed", "site:desk_feed_atom", {"desk_slug": desk.slug})]
    if isinstance(label, Label):
        edition = context.get("edition")
        name = label.name_in(edition.language if edition is not None else None)
        return [(name, "site:label_feed", "site:label_feed_atom", {"slug": label.slug})]
    if isinstance(tag, Tag):
        return [(tag.name, "site:tag_feed", "site:tag_feed_atom", {"slug": tag.slug})]
    if isinstance(author, Author):
        name = author.shown.name  # in the edition's language (AuthorName)
        return [(name, "site:author_feed", "site:author_feed_atom", {"slug": author.slug})]
    if isinstance(desk, Desk):
        return [(desk.name, "site:desk_feed", "site:desk_feed_atom", {"desk_slug": desk.slug})]
    return []


@register.simple_tag(takes_context=True)
def feed_links(context) -> SafeString:
    """Feed autodiscovery: the section's feeds (if any), then the whole site's."""
    # The name the page's edition is read under (ایران فرانت پیج on the Persian one).
    outlet = context.get("outlet")
    site_name = context.get("site_name") or (outlet.name if outlet is not None else "")
    site_name = str(site_name) or gettext("All stories")
    feeds = [*_section_feeds(context), (site_name, "site:feed", "site:feed_atom", {})]
    # The feeds of the edition the page wears: its own on a public page, the staff member's
    # language's on an account page (accounts/interface_language.py), as the header's links.
    edition_id = edition_of(getattr(context, "request", None)).pk
    links = []
    for title, rss_route, atom_route, kwargs in feeds:
        rss = edition_address(rss_route, edition_id, **kwargs)
        atom = edition_address(atom_route, edition_id, **kwargs)
        links.append(("application/rss+xml", f"{title} (RSS)", rss))
        links.append(("application/atom+xml", f"{title} (Atom)", atom))
    return format_html_join("\n", '<link rel="alternate" type="{}" title="{}" href="{}">', links)


@register.simple_tag(takes_context=True)
def section_feed_link(context) -> SafeString:
    """A visible link to the RSS feed of the section this page lists (none elsewhere)."""
    feeds = _section_feeds(context)
    if not feeds:
        return mark_safe("")
    title, rss_route, _, kwargs = feeds[0]
    return format_html(
        '<p class="list-header__feed"><a class="feed-link" href="{}">{}</a></p>',
        reverse(rss_route, kwargs=kwargs),
        gettext("RSS feed of %(section)s") % {"section": title},
    )
