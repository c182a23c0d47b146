"""Signed, expiring preview links to one revision of a story.

Built on ``django.core.signing``: the link carries the revision id, signed
with the site's secret key and a salt of its own, and is valid for
``PREVIEW_SECONDS`` from when it was made. Nothing in it can be guessed or
altered, it names one revision only, and an embargoed story's links open
nothing before the embargo ends.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.utils import timezone

from masthead.stories.models import Revision

PREVIEW_SECONDS = 48 * 3600
_SALT = "masthead.stories.preview"


class PreviewUnavailable(Exception):
    """The link is malformed, altered, expired, or the story is under embargo."""


def preview_token(revision: Revision) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(revision.pk))


def revision_for_token(token: str, now: datetime | None = None) -> Revision:
    try:
        revision_id = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=PREVIEW_SECONDS)
    except signing.SignatureExpired:
        raise PreviewUnavailable("This preview link has expired.") from None
    except signing.BadSignature:
        raise PreviewUnavailable("This preview link is not valid.") from None
    revision = (
        Revision.objects.select_related("story", "desk", "label", "lead_image")
        .filter(pk=revision_id)
        .first()
    )
    if revision is None:
        raise PreviewUnavailable("This preview link is not valid.")
    embargo = revision.story.embargoed_until
    if embargo is not None and embargo > (now or timezone.now()):
        raise PreviewUnavailable("This story is under embargo; its preview opens when it ends.")
    return revision
