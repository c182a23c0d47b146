"""Stories with sources, made through the services as a newsroom would."""

from __future__ import annotations

from masthead.stories import services
from masthead.stories.models import Story

UNNAMED = {
    "id": "u1",
    "kind": "unnamed",
    "description": "two US officials",
    "count": 2,
    "anonymity_reason": "They were not authorised to speak.",
    "how_known": "Met them at the embassy; known to our bureau chief for years.",
}
RESPONSE = {
    "id": "r1",
    "kind": "response",
    "party": "Supreme National Security Council",
    "outcome": "denied",
    "summary": "The spokesman denied the report.",
}
OUTLET = {
    "id": "o1",
    "kind": "outlet_report",
    "outlet": "Reuters",
    "title": "Officials say talks resumed",
    "url": "https://www.reuters.com/world/example",
    "date": "2026-11-30",
}


def content(desk, *sources, **fields) -> services.Content:
    return services.Content(
        headline=fields.pop("headline", "Talks resumed, officials say"),
        desk=desk,
        body="<p>First paragraph.</p><p>Second paragraph.</p>",
        sources=[dict(source) for source in sources],
        **fields,
    )


def in_edit(editor, desk, *sources, **fields) -> Story:
    """A story the editor wrote and took for editing: one step from publication."""
    story = services.create_story(editor, content(desk, *sources, **fields))
    services.submit_story(editor, story)
    services.claim_story(editor, story)
    return Story.objects.get(pk=story.pk)


def latest_sources(story: Story) -> list[dict]:
    story.refresh_from_db()
    return story.latest_revision.sources
