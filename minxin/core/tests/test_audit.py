from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from minxin.core.audit import audit_record
from minxin.core.models import AuditEntry


@pytest.mark.django_db
def test_audit_entries_are_recorded_with_actor_and_target(cast) -> None:
    entry = audit_record(actor=cast.alice, action="hall.viewed", target=cast.hall, details={"why": "check"})
    assert entry.actor_id == cast.alice.pk
    assert entry.actor_label == "alice"
    assert entry.target_type == "orgs.hall"
    assert entry.target_id == str(cast.hall.pk)


@pytest.mark.django_db
def test_the_database_refuses_to_change_an_audit_entry(cast) -> None:
    entry = audit_record(actor=cast.alice, action="hall.viewed", target=cast.hall)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing.happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "hall.viewed"


@pytest.mark.django_db
def test_granting_a_role_is_audited(cast) -> None:
    assert AuditEntry.objects.filter(action="membership.granted", details__user="bob").exists()


def test_the_client_address_is_the_peer_unless_behind_the_proxy(rf, settings) -> None:
    from minxin.core.audit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.5"
    settings.BEHIND_PROXY = True
    # the last entry is the one our proxy appended; "1.2.3.4" came from the client and may be forged
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
