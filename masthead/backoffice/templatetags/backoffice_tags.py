"""Template helpers of the back office: a story's state as an editor sees it, the
outlet's time zone (``backoffice/outlet_time.py``), and dates and numbers in the
calendar and digits of the staff member's interface language
(``newsroom/calendars.py``)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe
from js_asset import Media

from masthead.backoffice import outlet_time
from masthead.backoffice.forms import AUDIT_ACTIONS
from masthead.newsroom import calendars
from masthead.site.structured_data import iso
from masthead.stories.models import Story

register = template.Library()


@register.filter(expects_localtime=True)
def desk_date(value, django_format: str) -> str:
    """Django's ``date`` filter in the interface language's calendar and digits:
    ``{{ moment|desk_date:"j M, H:i" }}`` → ``3 Dec, 13:30`` or ``۱۲ آذر، ۱۳:۳۰``."""
    if value in (None, ""):
        return ""
    return calendars.format_in(value, django_format, translation.get_language() or "")


@register.filter(is_safe=True)
def desk_digits(value):
    """``value``'s numbers in the interface language's digits: ``12`` → ``۱۲``. Markup
    (``{% filter desk_digits %}…{% endfilter %}``) keeps the digits of its tags."""
    text = calendars.native_digits_in_markup(str(value), translation.get_language() or "")
    return mark_safe(text) if isinstance(value, SafeData) else text  # noqa: S308 - same markup


@register.filter
def label_word(label) -> str:
    """A label in the staff member's language (``Label.names``): تحلیل, not Analysis."""
    return label.name_in(translation.get_language()) if label is not None else ""


@register.filter
def state(story: Story) -> str:
    """The effective state's value: a scheduled story whose time came is published."""
    return story.effective_status()


@register.filter
def state_label(story: Story) -> str:
    return Story.Status(story.effective_status()).label


@register.filter
def state_word(state: str) -> str:
    """A state code of the audit trail (``in_edit``) in words of the active language.

    English keeps the code as it always showed; other languages get the state's label.
    """
    language = (translation.get_language() or "en").split("-")[0]
    if not state or state not in Story.Status.values or language == "en":
        return state
    return str(Story.Status(state).label)


@register.filter
def byline_names(story: Story) -> str:
    return ", ".join(byline.author.name for byline in story.bylines.all())


@register.filter
def action_label(action: str) -> str:
    return dict(AUDIT_ACTIONS).get(action, action.replace("_", " "))


@register.filter
def isotime(moment: datetime | None) -> str:
    """A ``<time datetime>`` value: UTC to the second, as HTML wants it (no microseconds)."""
    return iso(moment) or ""


@register.simple_tag
def outlet_zone(moment=None) -> str:
    """The outlet's zone and its offset (now, or at ``moment``): "Asia/Tehran, UTC+03:30"."""
    return outlet_time.zone_label(moment)


@register.filter
def in_utc(moment) -> str:
    """``moment`` in UTC, to the second: "2 Dec 2026, 16:15:00 UTC"."""
    return outlet_time.in_utc(moment) if moment else ""


@register.filter
def with_csp_nonce(media, nonce) -> Media:
    """Form media whose tags carry the page's CSP nonce: the body editor's import map is inline."""
    return Media.from_media(media, nonce=str(nonce))
