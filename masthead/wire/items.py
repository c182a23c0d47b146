"""What a parser hands over: one ``WireCopy`` per agency item, format-free.

RSS/Atom, ninjs and NewsML-G2 all become this shape, so storing, routing,
dedupe and versions are written once. Values are as the provider sent them,
checked but not yet stored: ``body_html`` is unsanitised (the store passes it
through the one sanitiser), URLs are already limited to http(s) (anything else
is dropped to ""), text fields are plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class Status:
    """The provider's publishing status, on IPTC's scale (NewsML-G2 pubStatus)."""

    USABLE = "usable"
    WITHHELD = "withheld"  # held back: not to be used for now
    CANCELED = "canceled"  # a kill: must not be used, take down what used it

    CHOICES = ((USABLE, "Usable"), (WITHHELD, "Withheld"), (CANCELED, "Killed"))


@dataclass
class WireCopy:
    provider_id: str  # the provider's own id: RSS guid, ninjs uri, NewsML-G2 guid
    version: str = ""  # the provider's version (NewsML-G2 @version, ninjs version)
    headline: str = ""
    dek: str = ""  # standfirst / description / ninjs description_text
    body_html: str = ""
    byline: str = ""
    dateline: str = ""
    language: str = ""  # BCP 47, as sent ("en", "fa-IR")
    urgency: int | None = None  # IPTC 1 (flash) .. 9 (lowest); None when not stated
    subjects: list[str] = field(default_factory=list)  # names, or qcodes when unnamed
    first_created: datetime | None = None  # aware, UTC
    version_created: datetime | None = None  # aware, UTC
    embargoed_until: datetime | None = None  # aware, UTC
    status: str = Status.USABLE
    is_correction: bool = False  # the provider marks this version as a correction
    url: str = ""  # the item's page at the provider, http(s) only
    provider: str = ""  # the agency the item names (ninjs copyrightholder, G2 provider)
    # A package (NewsML-G2 packageItem, ninjs with associations) lists its parts.
    is_package: bool = False
    parts: list[str] = field(default_factory=list)  # provider ids of the items it groups
    problems: list[str] = field(default_factory=list)  # warnings to show with the item


@dataclass
class ParsedFeed:
    """One fetched document: the items it held, and those refused with why."""

    items: list[WireCopy] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "item 3: no id", readable
    title: str = ""


class ParseError(ValueError):
    """The whole document is refused; the message says why, for the source's health."""
