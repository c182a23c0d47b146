"""Preview links: one revision of a story, for someone without a login.

A link is a row (``PreviewLink``): bound to one revision, made by someone,
valid for ``PREVIEW_SECONDS``, and closed by hand (revoked) or by a workflow
step the link was not made for (``Transition.closes_previews``: a story
returned, pulled back, unscheduled or withdrawn), so every link can be
listed and none outlives the story's withdrawal. Its token is
``<selector>.<secret>``: 96 random bits that find the row and 256 that prove
the link, kept only as a SHA-256 and compared in constant time
(``hmac.compare_digest``), so the database holds nothing that opens a link.

Rows rather than ``django.core.signing`` (which this module used before): a
signed token cannot be revoked or listed before it expires.

Every link that opens nothing — malformed, altered, unknown, expired,
closed, or under embargo — raises the same ``PreviewUnavailable``, and the
public page answers it with one 404 for all, the same as a token that never
existed: a link says nothing about the story it belonged to.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from masthead.stories import release_clock
from masthead.stories.models import PreviewLink, Revision, Story

PREVIEW_SECONDS = 48 * 3600
_SELECTOR_BYTES = 12
_SECRET_BYTES = 32
# Longer than any token this module makes: refused before a query.
_MAX_TOKEN = 100


class PreviewUnavailable(Exception):
    """The link opens nothing (now): whatever the reason, it is not said."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def open_link(story: Story, revision: Revision, made_by, now: datetime) -> tuple[PreviewLink, str]:
    """A new link to ``revision`` and its token (shown once: only its hash is kept)."""
    selector = secrets.token_urlsafe(_SELECTOR_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    link = PreviewLink.objects.create(
        story=story,
        revision=revision,
        selector=selector,
        secret_hash=_digest(secret),
        created_by=made_by if made_by is not None and made_by.is_authenticated else None,
        created_at=now,
        expires_at=now + timedelta(seconds=PREVIEW_SECONDS),
    )
    return link, f"{selector}.{secret}"


def close_links(story: Story, reason: str, closed_by, now: datetime) -> int:
    """Close every open link of ``story``; how many were open."""
    return PreviewLink.objects.filter(
        story=story, closed_at__isnull=True, expires_at__gt=now
    ).update(
        closed_at=now,
        closed_by=closed_by if closed_by is not None and closed_by.is_authenticated else None,
        closed_reason=reason,
    )


def revision_for_token(token: str, now: datetime | None = None) -> Revision:
    """The revision an open link shows; PreviewUnavailable for any other token.

    By the clock that releases stories (``release_clock``): a server whose clock runs
    ahead must not open an embargoed story's link before readers may see it.
    """
    now = now or release_clock.now()
    selector, _, secret = token.partition(".")
    if not selector or not secret or len(token) > _MAX_TOKEN:
        raise PreviewUnavailable
    link = (
        PreviewLink.objects.select_related(
            "revision__story", "revision__desk", "revision__label", "revision__lead_image"
        )
        .filter(selector=selector)
        .first()
    )
    if link is None or not hmac.compare_digest(link.secret_hash, _digest(secret)):
        raise PreviewUnavailable
    story = link.revision.story
    if not link.is_open(now) or story.is_withdrawn:
        raise PreviewUnavailable
    if story.embargoed_until is not None and story.embargoed_until > now:
        raise PreviewUnavailable
    return link.revision
