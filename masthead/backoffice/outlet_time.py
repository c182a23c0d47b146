"""The outlet's time zone in the back office: what a time field says, and reading what is typed.

Times are stored in UTC and shown in the outlet's zone, ``settings.TIME_ZONE``
(DESIGN invariant 6, ``docs/configuration.md``). Every time field of the back
office names that zone and its offset ("Asia/Tehran, UTC+03:30") and shows
the UTC equivalent of what is typed (``OutletDateTimeInput``; the page script
keeps it current while typing). A wall-clock time in a zone with daylight
saving may not exist (the hour skipped when clocks go forward) or exist twice
(the hour repeated when they go back): Django's ``DateTimeField`` refuses
both with one vague message, so ``OutletDateTimeField`` says which it is and
what to do. Built on ``zoneinfo``; nothing else is needed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime

from masthead.newsroom.calendars import format_in

INPUT_FORMAT = "%Y-%m-%dT%H:%M:%S"
UTC_FORMAT = "j M Y, H:i:s"  # the page script writes the same (en-GB, 24-hour)


def zone_name() -> str:
    return timezone.get_current_timezone_name()


def utc_offset(moment: datetime | None = None) -> str:
    """The zone's offset at ``moment`` (now by default): "UTC+03:30", "UTC−05:00", "UTC+00:00"."""
    offset = timezone.localtime(moment or timezone.now()).utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else "−"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(moment: datetime | None = None) -> str:
    """How a time field names its zone: "Asia/Tehran, UTC+03:30" (just "UTC" for UTC)."""
    name = zone_name()
    return "UTC" if name in ("UTC", "Etc/UTC") else f"{name}, {utc_offset(moment)}"


def in_utc(moment: datetime) -> str:
    """``moment`` in UTC, in the interface language's calendar and digits."""
    return _formatted(moment.astimezone(UTC), UTC_FORMAT) + " UTC"


def _formatted(moment: datetime, django_format: str) -> str:
    return format_in(moment, django_format, translation.get_language() or "")


def _wall(moment: datetime) -> str:
    return format_date(moment, "H:i \\o\\n j F Y")


def outlet_aware(naive: datetime) -> datetime:
    """``naive`` read as a wall-clock time in the outlet's zone; ValidationError if it
    does not exist there or exists twice."""
    zone = timezone.get_current_timezone()
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive
    if not exists:
        raise ValidationError(
            f"There is no {_wall(naive)} in {zone_name()}: the clocks go forward that "
            "night. Choose another time.",
            code="nonexistent",
        )
    if first.utcoffset() != second.utcoffset():
        raise ValidationError(
            f"{_wall(naive)} happens twice in {zone_name()}: the clocks go back that night "
            f"(first at {in_utc(first)}, then at {in_utc(second)}). Choose a time outside "
            "that hour.",
            code="ambiguous",
        )
    return first


def _parse_naive(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return parse_datetime(str(value).strip())
    except ValueError:
        return None


class OutletDateTimeInput(forms.DateTimeInput):
    """A ``datetime-local`` input with its zone and the UTC equivalent of its value."""

    input_type = "datetime-local"
    template_name = "backoffice/widgets/outlet_datetime.html"

    def __init__(self, attrs=None):
        super().__init__({"step": "1", **(attrs or {})}, format=INPUT_FORMAT)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        hint_id = f"{context['widget']['attrs'].get('id', name)}-utc"
        context["widget"]["attrs"]["aria-describedby"] = hint_id
        context["hint_id"] = hint_id
        context["zone"] = zone_name()
        context["zone_label"] = zone_label()
        context["utc_text"] = self._utc_text(value)
        return context

    @staticmethod
    def _utc_text(value) -> str:
        moment = _parse_naive(value) if value not in (None, "") else None
        if moment is None:
            return ""
        if timezone.is_aware(moment):
            return in_utc(moment)
        try:
            return in_utc(outlet_aware(moment))
        except ValidationError as error:
            return error.messages[0]


class OutletDateTimeField(forms.DateTimeField):
    """A date and time typed in the outlet's zone, to the second, read DST-safely."""

    widget = OutletDateTimeInput
    input_formats = [INPUT_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = _parse_naive(value)
        if moment is None:
            moment = BaseTemporalField.to_python(self, value)  # the input formats
        if timezone.is_aware(moment):
            return moment
        return outlet_aware(moment)
