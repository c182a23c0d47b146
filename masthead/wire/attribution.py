"""What readers are told about the wire copy a story is based on.

The article page names the agencies ("Based on reporting by Reuters and
AFP") and its JSON-LD lists the items as ``isBasedOn``: a ``CreativeWork``
per item with its headline, its address at the agency when that is an
http(s) URL, and the agency as publisher. Read from ``StoryBasis`` only when
the article's fragments are rendered (``site.views.story`` passes it lazily),
so a warm article costs no query here; a basis is added only while a story is
not public (``wire.editorial``), and the publish that follows bumps the
story's scope, so cached copies never miss an agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from masthead.wire.models import StoryBasis


@dataclass(frozen=True)
class BasedOn:
    headline: str
    agency: str
    url: str  # http(s) only, else ""
    item_id: int | None = None  # the WireItem, when known (merging with the story's sources)


@dataclass(frozen=True)
class Credits:
    works: list[BasedOn] = field(default_factory=list)

    @property
    def agencies(self) -> list[str]:
        """Each agency once, in the order the story took them up."""
        return list(dict.fromkeys(work.agency for work in self.works if work.agency))

    def __bool__(self) -> bool:
        return bool(self.works)


def web_url(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def credits_for(story) -> Credits:
    """The wire items ``story`` is based on, as readers may see them (one query)."""
    if story is None or story.pk is None:
        return Credits()
    rows = (
        # In the order the rows were made (the primary key), not by ``added_at``: a wall
        # clock can step back between two rows (NTP, or a test's moved clock), an
        # insertion order cannot.
        StoryBasis.objects.filter(story_id=story.pk)
        .order_by("pk")
        .values_list(
            "item__headline", "item__provider", "item__source__provider", "item__source__name",
            "item__url", "item_id",
        )
    )  # fmt: skip
    return Credits(
        [
            BasedOn(headline, provider or source_provider or source_name, web_url(url), item_id)
            for headline, provider, source_provider, source_name, url, item_id in rows
        ]
    )


def based_on_objects(credits: Credits) -> list[dict]:
    """schema.org ``isBasedOn``: one ``CreativeWork`` per item."""
    works = []
    for work in credits.works:
        data = {"@type": "CreativeWork", "name": work.headline}
        if work.url:
            data["url"] = work.url
        if work.agency:
            data["publisher"] = {"@type": "Organization", "name": work.agency}
        works.append(data)
    return works
