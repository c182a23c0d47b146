"""Wire sources and ``StoryBasis``: how the two records of "based on agency copy" stay in step.

A ``wire`` source in a story's sources names a wire item (``wire_item``, the
``WireItem`` pk); it is what the story says it relies on (the readers' box,
JSON-LD ``isBasedOn``, ninjs ``infosources``). A ``wire.models.StoryBasis`` row
says the story was written from that item; the wire desk follows it when the
agency kills or corrects the item (``wire/notices.py`` flags or withdraws the
story). One truth, kept by one rule:

    every wire source of any revision of a story has a StoryBasis row.

``link`` enforces it on every save (``stories.services._new_revision`` calls
it, in the save's transaction): a wire source new to the story (not in its
latest revision and without a basis row yet) must name an item that exists,
that the person saving may read (they work on its desk, or are a chief editor
or administrator), and that the agency has not killed or withheld; then its
basis row is made. The agency and headline are filled in from the item when
left blank. Writing a story from items, or adding items to a story
(``wire/editorial.py``), adds both the sources and the rows.

A basis row is never removed when a later revision drops the source: an
earlier revision (perhaps the one readers saw) relied on the item, and a kill
of it must still reach the story. So the basis rows are the union of the wire
sources of all revisions (plus items recorded before sources existed).

Wire models are imported inside the function: the stories services call this
module, and the wire app imports those services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from masthead.newsroom.roles import access_for

MAX_ITEM_ID = 2**62


def _wire_ids(sources) -> list[int]:
    """The wire items ``sources`` name, each once, in their order."""
    return list(
        dict.fromkeys(
            source.get("wire_item")
            for source in sources or []
            if isinstance(source, dict) and source.get("kind") == "wire"
        )
    )


def link(actor, story, previous, sources: list[dict]) -> list[dict]:
    """``sources`` with each new wire item checked and filled in; basis rows made for all."""
    from masthead.wire.items import Status
    from masthead.wire.models import StoryBasis, WireItem
    from masthead.wire.queue import agency_of, may_see_desk

    wanted = _wire_ids(sources)
    if not wanted:
        return sources
    known = set(_wire_ids(previous)) | set(
        StoryBasis.objects.filter(story=story, item_id__in=wanted).values_list("item_id", flat=True)
    )
    items = WireItem.objects.select_related("source").in_bulk(wanted)
    access = access_for(actor)
    result = []
    for number, source in enumerate(sources, start=1):
        if source.get("kind") != "wire":
            result.append(source)
            continue
        item_id = source["wire_item"]
        item = items.get(item_id)
        if item_id not in known:
            # The same words for a missing item and one on a desk you do not work on:
            # a save must not tell who may not read an item that it exists.
            if item is None or not may_see_desk(access, item.desk_id):
                raise ValidationError(
                    {
                        "sources": f"Source {number} (wire item): there is no wire item {item_id} "
                        "you may read."
                    }
                )
            if item.status == Status.CANCELED:
                raise ValidationError(
                    {
                        "sources": f"Source {number} (wire item): “{item.headline}” was killed by "
                        "the agency: do not use it."
                    }
                )
            if item.status == Status.WITHHELD:
                raise ValidationError(
                    {
                        "sources": f"Source {number} (wire item): “{item.headline}” is withheld by "
                        "the agency: not for use now."
                    }
                )
        if item is not None:
            source = dict(source)
            source.setdefault("provider", agency_of(item)[:300])
            if item.headline:
                source.setdefault("headline", item.headline[:300])
        result.append(source)
    # In the sources' order, which readers see as the order of the agencies
    # ("Based on reporting by …"): never a set's, which varies with the ids.
    for item_id in (item_id for item_id in wanted if item_id in items):
        StoryBasis.objects.get_or_create(
            story=story,
            item_id=item_id,
            defaults={"added_by": actor if actor is not None and actor.is_authenticated else None},
        )
    return result


def wire_source(item) -> dict:
    """The source entry that names ``item`` (for stories written from it)."""
    from masthead.wire.queue import agency_of

    source = {"kind": "wire", "wire_item": item.pk, "provider": agency_of(item)[:300]}
    if item.headline:
        source["headline"] = item.headline[:300]
    return source
