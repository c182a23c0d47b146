"""API tokens: how a staff member's program signs in to the write API.

A token is shown once, when it is issued; only its SHA-256 digest is stored,
so a copy of the database does not hand out working tokens. SHA-256 without
a salt is enough here (unlike for passwords) because tokens are 256 random
bits, not something a person chose.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "mh_"  # noqa: S105 - a marker that makes tokens recognisable, not a secret


def digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “wire bot”.")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12,
        editable=False,
        help_text="The token's first characters, to recognise it; not enough to use it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…) of {self.user}"

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class IdempotencyKey(models.Model):
    """A staff API write's answer, kept under its client's ``Idempotency-Key``.

    Written in the same transaction as the write itself (``api/idempotency.py``):
    a row here means the write happened, and its absence that it did not.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path with its query and the body's own SHA-256.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "idempotency key"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_per_token")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
