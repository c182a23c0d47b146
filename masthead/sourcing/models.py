"""The outlet's sourcing rules (as it enforces them) and readers' error reports.

A story's sources themselves live in its content (``StoryContent.sources``,
see ``kinds.py``) so they are revisioned with it. The rules are a table in
``rules.py``; ``SourcingRule`` holds only what the outlet chose for each
(enforced or not, and which policy page states it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SourcingRule(models.Model):
    """The outlet's choice for one rule of ``rules.RULES``: whether publish enforces it."""

    code = models.CharField(max_length=40, unique=True)
    is_enforced = models.BooleanField(default=True)
    policy_page = models.ForeignKey(
        "newsroom.PolicyPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The public page that states the rule.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({'enforced' if self.is_enforced else 'off'})"


class ErrorReport(models.Model):
    """A reader's report that a story is wrong, in its desk's corrections queue.

    No raw address is stored: ``client_hash`` is a keyed hash of the client,
    kept for rate limiting and abuse review and blanked, with the e-mail,
    after the retention period.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        CORRECTED = "corrected", "Corrected"
        DECLINED = "declined", "Declined"

    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="error_reports"
    )
    what_is_wrong = models.TextField()
    evidence_url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    client_hash = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    correction = models.ForeignKey(
        "stories.Correction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="error_reports",
    )
    reporter_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="error_report_queue_idx"),
            models.Index(fields=["client_hash", "-received_at"], name="error_report_client_idx"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} on story {self.story_id} ({self.status})"
