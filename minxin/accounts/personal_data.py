"""Accounts' part of personal data (PIPL): the citizen account itself, sign-in sessions and codes,
and the audit log's retention.

An account is anonymised, never deleted: other apps' rows refer to it (an application, a booking, a
rating). Anonymised, it holds no phone, no ID number and cannot be signed in to again; a later
sign-in with the same phone makes a new account."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.accounts.models import Citizen, OtpChallenge
from minxin.core import clock
from minxin.core.audit import audit_entries_purge
from minxin.core.personal_data import Erasure, Subject

logger = logging.getLogger(__name__)
ERASED_PREFIX = "erased:"


def citizen_is_erased(citizen: Citizen) -> bool:
    return citizen.phone_hash.startswith(ERASED_PREFIX)


def citizen_subject(citizen: Citizen) -> Subject:
    return Subject(
        citizen_id=citizen.pk,
        public_id=str(citizen.public_id),
        phone_hash=citizen.phone_hash,
        id_number_hash=citizen.id_number_hash,
    )


def citizen_export(subject: Subject) -> dict[str, Any]:
    citizen = Citizen.objects.get(pk=subject.citizen_id)
    return {
        "public_id": str(citizen.public_id),
        "phone": citizen.phone_masked,
        "id_number": citizen.id_number_masked,
        "created_at": citizen.created_at.isoformat(),
        "last_sign_in_at": citizen.last_sign_in_at.isoformat() if citizen.last_sign_in_at else None,
        "one_time_codes_sent": OtpChallenge.objects.filter(phone_hash=citizen.phone_hash).count(),
    }


def _anonymise(citizens: Any) -> int:
    """Anonymise the citizens of a queryset in one statement (the unique phone hash becomes a marker
    that no phone can hash to)."""
    return int(
        citizens.exclude(phone_hash__startswith=ERASED_PREFIX).update(
            phone_hash=Concat(Value(ERASED_PREFIX), Cast("public_id", CharField(max_length=40))),
            phone_masked="",
            phone_encrypted="",
            id_number_hash="",
            id_number_masked="",
            id_number_encrypted="",
        )
    )


def _sessions_of(citizen_id: int) -> list[str]:
    """The session keys signed in to this citizen. Sessions are opaque to the database, so this decodes
    the unexpired ones: a citizen's erasure is rare, and clearsessions keeps the table short."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if session.get_decoded().get("citizen_id") == citizen_id:
            keys.append(session.session_key)
    return keys


@transaction.atomic
def citizen_erase(subject: Subject) -> Erasure:
    OtpChallenge.objects.filter(phone_hash=subject.phone_hash).delete()
    Session.objects.filter(session_key__in=_sessions_of(subject.citizen_id)).delete()
    erased = _anonymise(Citizen.objects.filter(pk=subject.citizen_id))
    erasure = Erasure(erased=erased)
    erasure.kept.append(
        _(
            "The audit log keeps the record that your data was exported or erased, without your phone, "
            "for %(years)d years (the law requires the operator to keep such records)."
        )
        % {"years": settings.AUDIT_RETENTION_DAYS // 365}
    )
    return erasure


def citizens_retention() -> int:
    """Worker job: anonymise accounts not signed in to for CITIZEN_INACTIVE_DAYS, delete expired
    sessions (Django's clearsessions) and audit entries older than AUDIT_RETENTION_DAYS."""
    now = clock.now()
    cutoff = now - dt.timedelta(days=settings.CITIZEN_INACTIVE_DAYS)
    idle = Citizen.objects.filter(
        Q(last_sign_in_at__lt=cutoff) | Q(last_sign_in_at__isnull=True, created_at__lt=cutoff)
    )
    done = _anonymise(idle)
    call_command("clearsessions")
    return done + audit_retention()


def audit_retention() -> int:
    """Deletes audit entries older than AUDIT_RETENTION_DAYS (the longest period), through the one path
    the log's triggers allow (core.audit.audit_entries_purge, which records the cutoff)."""
    cutoff = clock.now() - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return audit_entries_purge(before=cutoff, reason=f"retention: {settings.AUDIT_RETENTION_DAYS} days")


def register() -> None:
    """Called from AccountsConfig.ready()."""
    from minxin.core.personal_data import register_personal_data

    register_personal_data(
        app="accounts",
        label=gettext_lazy("Your account"),
        export=citizen_export,
        erase=citizen_erase,
        retention=citizens_retention,
        retention_every_seconds=24 * 3600,
        order=1000,
    )
