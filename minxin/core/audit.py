from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest

from minxin.core import clock
from minxin.core.models import AuditEntry, AuditPurge


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
    """The client's address, for per-IP limits and the audit log.

    Directly exposed, that is the peer (REMOTE_ADDR). Behind the reverse proxy (BEHIND_PROXY), the peer
    is the proxy itself, so take the last X-Forwarded-For entry: the one our proxy appended. Entries
    before it come from the client and could be forged to dodge a limit, so they are never used.
    """
    if settings.BEHIND_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    value = request.META.get("REMOTE_ADDR")
    return str(value) if value else None


def audit_entries_purge(*, before: dt.datetime, reason: str) -> int:
    """Delete the entries older than `before` (a retention period has passed), recording the cutoff
    first: the log's delete trigger lets through only entries older than the latest recorded cutoff
    (migration core 0006), so no other code path can trim the log, and every trim stays on record."""
    with transaction.atomic():
        AuditPurge.objects.create(before=before, at=clock.now(), reason=reason[:200])
        deleted, _by_model = AuditEntry.objects.filter(at__lt=before).delete()
    return int(deleted)
