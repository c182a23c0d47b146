"""Every write the API app makes of its own: issuing, using and revoking tokens.

Story writes are not here: the API calls ``masthead.stories.services`` like
the back office does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from masthead.api.models import TOKEN_PREFIX, ApiToken, digest
from masthead.newsroom import audit

# last_used_at is a hint for operators, not an audit trail: writing it on
# every request would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once; never stored


@transaction.atomic
def issue_token(user, name: str, *, expires_in_days: int | None = None, actor=None) -> IssuedToken:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = None
    if expires_in_days is not None:
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or "API token",
        token_digest=digest(raw),
        hint=raw[:10],
        expires_at=expires_at,
    )
    audit.record(actor, "issue_api_token", token, note=f"for {user}")
    return IssuedToken(token=token, raw=raw)


def token_for(raw: str) -> ApiToken | None:
    """The usable token whose secret is ``raw``, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_digest=digest(raw)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def revoke_token(token: ApiToken, *, actor=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor, "revoke_api_token", token, note=f"of {token.user}")
    return token
