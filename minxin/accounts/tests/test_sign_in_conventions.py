"""Citizens' sign-in conventions (issue 20 point 8): consent to the privacy policy and terms asked once
per version and recorded with its time; the code step shows the masked phone, the resend countdown and
"change number"; a rate limit says how long to wait."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from minxin.accounts.models import Citizen

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
PHONE = "13812345678"


def sign_in(client, outbox) -> None:
    client.post("/me/login/", {"step": "phone", "phone": PHONE})
    code = "".join(c for c in outbox[-1].text if c.isdigit())[:6]
    response = client.post("/me/login/", {"step": "code", "phone": PHONE, "code": code})
    assert response.status_code == 302


@pytest.mark.django_db
def test_consent_is_asked_once_per_version_and_recorded_with_its_time(client, sms_outbox, settings) -> None:
    settings.OTP_RESEND_SECONDS = 0
    settings.CONSENT_VERSION = "2026-12-01"
    assert "隐私政策" in client.get("/me/login/").content.decode()
    with time_machine.travel(T0, tick=False):
        sign_in(client, sms_outbox)
    citizen = Citizen.objects.get()
    assert citizen.consent_version == "2026-12-01"
    assert citizen.consent_at == T0
    assert "隐私政策</a>和" not in client.get("/me/login/").content.decode()  # asked once

    settings.CONSENT_VERSION = "2027-03-01"  # a new version is asked for again, and recorded again
    assert "版本 2027-03-01" in client.get("/me/login/").content.decode()
    with time_machine.travel(T0 + dt.timedelta(days=90), tick=False):
        sign_in(client, sms_outbox)
    citizen.refresh_from_db()
    assert citizen.consent_version == "2027-03-01"
    assert citizen.consent_at == T0 + dt.timedelta(days=90)


@pytest.mark.django_db
def test_the_code_step_shows_the_masked_phone_a_countdown_and_change_number(client, sms_outbox) -> None:
    page = client.post("/me/login/", {"step": "phone", "phone": PHONE}).content.decode()
    assert "138****5678" in page
    assert PHONE not in page.replace(f'value="{PHONE}"', "")  # only in the hidden field
    assert 'data-countdown="60"' in page
    assert "60</span> 秒后可重新获取" in page
    assert "更换手机号" in page


@pytest.mark.django_db
def test_asking_again_too_soon_says_how_long_to_wait(client, sms_outbox) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        client.post("/me/login/", {"step": "phone", "phone": PHONE})
        traveller.shift(dt.timedelta(seconds=15))
        response = client.post("/me/login/", {"step": "phone", "phone": PHONE})
    assert response.status_code == 422
    assert "请 45 秒后再试" in response.content.decode()


@pytest.mark.django_db
def test_an_app_signing_in_through_the_api_records_consent_to_the_current_version(client, sms_outbox) -> None:
    from django.conf import settings

    client.post("/api/v1/citizens/otp", {"phone": PHONE}, content_type="application/json")
    code = "".join(c for c in sms_outbox[-1].text if c.isdigit())[:6]
    body = {"phone": PHONE, "code": code, "consent_version": settings.CONSENT_VERSION}
    answer = client.post("/api/v1/citizens/session", body, content_type="application/json").json()
    assert answer["consent_required"] is False
    assert Citizen.objects.get().consent_version == settings.CONSENT_VERSION
