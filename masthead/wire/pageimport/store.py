"""Storing an imported article as a draft, through the stories services.

The draft is made by ``stories.services.create_story`` in the name of the
importing staff member, so the permission check, the revision and the audit
record are the same as for a story typed in the back office. Re-importing
the same page (same ``source_key``) saves a new revision of its draft with
``save_story`` (or changes nothing when the page has not changed); it never
makes a second story.

Where the page's fields go:

* headline, body (``<p>`` paragraphs, subheads, quotes) and language → the story;
* byline → authors, each found by name or created (a name with "Staff",
  "Desk", "Team" … becomes a collective);
* kicker → the story's label only when an editor already made a label of
  that name: labels are the outlet's own list of kinds of work, and a
  partner's kicker ("World Exclusive") is not one of ours. Otherwise it is
  kept on the ``ImportedPage`` and in the notes to the editor;
* publication date and lead image URL → ``ImportedPage`` and the notes to the
  editor. The draft's own publication time stays empty: it is set when an
  editor publishes it, and a time in the past on a draft would make it look
  published to every list that sorts by time.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from masthead.backoffice.services import save_notes_to_editor
from masthead.newsroom.models import Author, Desk
from masthead.newsroom.slugs import unicode_slug
from masthead.stories import services
from masthead.stories.models import Label, Story
from masthead.wire.models import ImportedPage
from masthead.wire.pageimport.article import Article

_COLLECTIVE = re.compile(
    r"\b(staff|desk|team|editorial|newsroom|agencies|agency|bureau|editors|correspondents)\b",
    re.IGNORECASE,
)


@dataclass
class ImportResult:
    story: Story
    outcome: str  # "created", "updated" or "unchanged"
    label: Label | None
    notes: str


def fingerprint(article: Article, desk: Desk) -> str:
    record = {**article.as_json(), "desk": desk.pk, "language": article.language}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def import_article(
    actor,
    article: Article,
    *,
    desk: Desk,
    source_key: str,
    source_url: str = "",
    source_file: str = "",
) -> ImportResult:
    record = (
        ImportedPage.objects.select_for_update()
        .select_related("story")
        .filter(source_key=source_key)
        .first()
    )
    label = _label_for(article.kicker)
    content = services.Content(
        headline=article.headline,
        desk=desk,
        body=article.body_html(),
        label=label,
        language=article.language,
        authors=[_author(name) for name in article.authors],
    )
    where = source_url or source_file
    digest = fingerprint(article, desk)
    if record is None:
        story = services.create_story(actor, content, note=f"Imported from {where}")
        if not article.authors and story.bylines.exists():
            # create_story bylines the actor by default; the page named nobody.
            content.authors = []
            services.save_story(
                actor, story, content, story.latest_revision_id, note="No byline on the page"
            )
        record = ImportedPage(story=story, source_key=source_key, imported_by=actor)
        outcome = "created"
    elif record.fingerprint == digest:
        outcome, story = "unchanged", record.story
    else:
        story = record.story
        if content.label is None and story.label_id and not article.kicker:
            content.label = story.label  # an editor's label survives a re-import
        services.save_story(
            actor, story, content, story.latest_revision_id, note=f"Re-imported from {where}"
        )
        outcome = "updated"
    notes = _notes(article, where, label)
    if outcome != "unchanged":
        record.source_url, record.source_file = source_url, source_file
        record.kicker, record.byline = article.kicker, article.byline[:300]
        record.published, record.lead_image_url = article.published, article.lead_image
        record.fingerprint, record.updated_at = digest, timezone.now()
        record.full_clean(exclude=["story", "imported_by"])
        record.save()
        save_notes_to_editor(actor, story, _with_editors_notes(notes, story))
    story.refresh_from_db()
    return ImportResult(story=story, outcome=outcome, label=label, notes=notes)


def _with_editors_notes(notes: str, story: Story) -> str:
    """The import's paragraph of notes first; what editors added after it is kept."""
    current = Story.objects.values_list("notes_to_editor", flat=True).get(pk=story.pk)
    first, _, rest = current.partition("\n\n")
    if not first.startswith("Imported from"):
        rest = current
    return f"{notes}\n\n{rest}".strip()


def _label_for(kicker: str) -> Label | None:
    if not kicker:
        return None
    return (
        Label.objects.filter(name__iexact=kicker).first()
        or Label.objects.filter(slug=unicode_slug(kicker)).first()
    )


def _author(name: str) -> Author:
    found = Author.objects.filter(name__iexact=name).order_by("pk").first()
    if found is not None:
        return found
    base = unicode_slug(name, 110) or "author"
    slug, number = base, 1
    while Author.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    kind = Author.Kind.COLLECTIVE if _COLLECTIVE.search(name) else Author.Kind.PERSON
    author = Author(name=name, slug=slug, kind=kind)
    author.clean()
    author.save()
    return author


def _notes(article: Article, where: str, label: Label | None) -> str:
    lines = [f"Imported from {where}."]
    if article.published:
        lines.append(f"Originally published: {article.published}.")
    if article.kicker and label is None:
        lines.append(f"Kicker on the original page: “{article.kicker}” (no label of that name).")
    if article.lead_image:
        lines.append(f"Lead image on the original page: {article.lead_image}")
    return "\n".join(lines)
