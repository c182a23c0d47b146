"""Writing the audit trail: one row per action, in the caller's transaction."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from masthead.newsroom.models import AuditEvent


def record(
    actor,
    action: str,
    target: models.Model | None = None,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    **detail,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        target_label=str(target)[:300] if target is not None else "",
        from_state=from_state,
        to_state=to_state,
        note=note,
        detail=detail,
    )


def events_for(target: models.Model):
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).select_related("actor")
