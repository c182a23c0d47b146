"""A story's summary, as search engines, link previews and feed readers show it.

The SEO description if editors wrote one, else the dek, else the opening
words of the body as plain text (block ends become spaces, so paragraphs do
not run together).
"""

from __future__ import annotations

import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

from masthead.stories.models import Story

SUMMARY_WORDS = 50
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figcaption|dd|dt|td|th)\s*>|<br\s*/?>", re.I)


def body_excerpt(body: str, words: int = SUMMARY_WORDS) -> str:
    text = " ".join(strip_tags(_BLOCK_END.sub(" ", body or "")).split())
    return Truncator(text).words(words, truncate="…")


def story_summary(story: Story) -> str:
    """Plain text: escape it wherever it goes."""
    return story.seo_description or story.dek or body_excerpt(story.body)
