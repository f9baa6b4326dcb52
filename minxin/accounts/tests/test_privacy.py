"""PIPL: a signed-in citizen downloads their data and has it erased from their page; idle accounts,
expired sessions and the audit log follow their retention periods."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from minxin.accounts.models import Citizen
from minxin.accounts.personal_data import audit_retention, citizens_retention
from minxin.accounts.services import citizen_get_or_create
from minxin.core import personal_data as registry
from minxin.core.audit import audit_record
from minxin.core.models import AuditEntry
from minxin.core.personal_data import Erasure

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def signed_in(citizen: Citizen) -> Client:
    client = Client()
    session = client.session
    session["citizen_id"] = citizen.pk
    session.save()
    return client


@pytest.fixture
def citizen() -> Citizen:
    return citizen_get_or_create(phone=PHONE)


@pytest.fixture
def keeping_part(monkeypatch: Any) -> None:
    """An app part that must keep something (as an open case does), registered for the test only."""
    parts = dict(registry._parts)
    parts["test"] = registry.PersonalDataPart(
        app="test",
        label="Test part",
        export=lambda subject: {"phone_hash_known": bool(subject.phone_hash)},
        erase=lambda subject: Erasure(erased=2, kept=["Kept: the open application T-1, until decided."]),
        order=50,
    )
    monkeypatch.setattr(registry, "_parts", parts)


def test_the_privacy_pages_need_a_signed_in_citizen(client) -> None:
    for url in ("/me/privacy/", "/me/privacy/export.json", "/me/privacy/erase/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/me/login/" in response["Location"]


def test_the_citizen_page_links_to_their_data(citizen) -> None:
    page = signed_in(citizen).get("/me/").content.decode()
    assert 'href="/me/privacy/"' in page


def test_the_download_holds_every_apps_part_and_is_audited(citizen, keeping_part) -> None:
    response = signed_in(citizen).get("/me/privacy/export.json")

    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert set(data["parts"]) == {part.app for part in registry.registered_parts()}
    assert {"accounts", "queueing", "cases", "feedback", "appointments", "voting", "test"} <= set(
        data["parts"]
    )
    assert data["parts"]["accounts"]["phone"] == "138****5678"
    assert PHONE not in response.content.decode()  # masked everywhere, even in one's own file
    entry = AuditEntry.objects.get(action="personal_data.exported")
    assert entry.target_id == str(citizen.pk)


def test_erasure_asks_for_confirmation_first(citizen) -> None:
    client = signed_in(citizen)
    assert b'name="confirm"' in client.get("/me/privacy/erase/").content
    response = client.post("/me/privacy/erase/", {})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    citizen.refresh_from_db()
    assert citizen.phone_masked == "138****5678"


def test_erasure_anonymises_signs_out_everywhere_and_says_what_is_kept(citizen, keeping_part) -> None:
    phone, tablet = signed_in(citizen), signed_in(citizen)

    response = phone.post("/me/privacy/erase/", {"confirm": "yes"})

    assert response.status_code == 200
    assert "Kept: the open application T-1, until decided." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.phone_hash.startswith("erased:")
    assert (citizen.phone_masked, citizen.phone_encrypted, citizen.id_number_hash) == ("", "", "")
    for client in (phone, tablet):
        assert client.get("/me/")["Location"].endswith("/me/login/")
    entry = AuditEntry.objects.get(action="personal_data.erased")
    assert entry.details["test"] == {"erased": 2, "kept": 1}


def test_signing_in_after_erasure_starts_a_new_account(citizen) -> None:
    signed_in(citizen).post("/me/privacy/erase/", {"confirm": "yes"})
    again = citizen_get_or_create(phone=PHONE)
    assert again.pk != citizen.pk
    assert again.phone_masked == "138****5678"


def test_accounts_idle_for_the_period_are_anonymised(settings) -> None:
    settings.CITIZEN_INACTIVE_DAYS = 365
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        idle, active = citizen_get_or_create(phone=PHONE), citizen_get_or_create(phone="13912345678")
    Citizen.objects.filter(pk=active.pk).update(last_sign_in_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))

    with time_machine.travel(dt.datetime(2026, 1, 2, tzinfo=dt.UTC), tick=False):
        citizens_retention()

    idle.refresh_from_db()
    active.refresh_from_db()
    assert idle.phone_hash.startswith("erased:")
    assert idle.phone_masked == ""
    assert active.phone_masked == "139****5678"


def test_expired_sessions_are_cleared(citizen) -> None:
    signed_in(citizen)
    Session.objects.update(expire_date=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    citizens_retention()
    assert not Session.objects.exists()


def test_the_audit_log_is_kept_for_its_whole_period(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 365
    audit_record(actor=None, action="test.recent")
    assert audit_retention() == 0
    assert AuditEntry.objects.filter(action="test.recent").exists()


def test_the_periods_page_states_the_settings(client, settings) -> None:
    settings.QUEUE_TICKET_PERSONAL_DAYS = 45
    settings.VOTING_AUDIT_DAYS = 17
    page = client.get("/privacy/periods/").content.decode()
    assert "45" in page
    assert "17" in page
