from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from minxin.core import clock
from minxin.core.models import AuditEntry


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one audit entry. Call it inside the transaction of the action it records, so that the
    action and its record commit or roll back together."""
    actor_id = getattr(actor, "pk", None)
    return AuditEntry.objects.create(
        at=clock.now(),
        actor_id=actor_id,
        actor_label=str(getattr(actor, "username", "") or (actor or "")),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
        ip=client_ip(request) if request is not None else None,
    )


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. X-Forwarded-For is not trusted here: the reverse proxy sets REMOTE_ADDR
    (see docs/deploy.md), so a client cannot forge its way around per-IP limits."""
    value = request.META.get("REMOTE_ADDR")
    return str(value) if value else None
