from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, transaction

from minxin.core.audit import audit_entries_purge, audit_record
from minxin.core.models import AuditEntry, AuditPurge


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


def _entry_at(when: dt.datetime, action: str) -> AuditEntry:
    with time_machine.travel(when, tick=False):
        return audit_record(actor=None, action=action)


@pytest.mark.django_db
def test_a_purge_deletes_only_entries_older_than_its_recorded_cutoff(cast) -> None:
    _entry_at(dt.datetime(2019, 5, 1, tzinfo=dt.UTC), "test.old")
    _entry_at(dt.datetime(2021, 5, 1, tzinfo=dt.UTC), "test.newer")
    cutoff = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert audit_entries_purge(before=cutoff, reason="retention: 6 years") == 1
    assert list(AuditEntry.objects.filter(action__startswith="test.").values_list("action", flat=True)) == [
        "test.newer"
    ]
    assert AuditPurge.objects.get().before == cutoff  # the trim is on record


@pytest.mark.django_db
def test_after_a_purge_entries_newer_than_the_cutoff_still_cannot_be_deleted(cast) -> None:
    newer = _entry_at(dt.datetime(2021, 5, 1, tzinfo=dt.UTC), "test.newer")
    audit_entries_purge(before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), reason="retention")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=newer.pk).delete()
    assert AuditEntry.objects.filter(pk=newer.pk).exists()


@pytest.mark.django_db
def test_without_a_recorded_cutoff_even_old_entries_cannot_be_deleted(cast) -> None:
    old = _entry_at(dt.datetime(2010, 1, 1, tzinfo=dt.UTC), "test.old")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=old.pk).delete()


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
