from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from minxin.accounts.models import Citizen
from minxin.accounts.services import otp_request, otp_verify
from minxin.core.errors import InvalidInput, NotAuthenticated, Throttled

PHONE = "13812345678"


def last_code(outbox) -> str:
    match = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert match, outbox[-1].text
    return match.group(1)


@pytest.fixture
def no_resend_wait(settings):
    settings.OTP_RESEND_SECONDS = 0


@pytest.mark.django_db
def test_a_citizen_signs_in_with_the_code_sent_by_sms(sms_outbox) -> None:
    otp_request(phone="+86 138-1234-5678", ip="127.0.0.1")
    assert sms_outbox[-1].phone == PHONE
    citizen = otp_verify(phone=PHONE, code=last_code(sms_outbox))
    assert citizen.phone_masked == "138****5678"
    assert PHONE not in citizen.phone_hash
    assert PHONE not in citizen.phone_encrypted
    assert Citizen.objects.count() == 1


@pytest.mark.django_db
def test_a_code_works_only_once(sms_outbox) -> None:
    otp_request(phone=PHONE, ip=None)
    code = last_code(sms_outbox)
    otp_verify(phone=PHONE, code=code)
    with pytest.raises(NotAuthenticated):
        otp_verify(phone=PHONE, code=code)


@pytest.mark.django_db
def test_wrong_codes_are_limited_then_even_the_right_code_is_refused(sms_outbox, settings) -> None:
    settings.OTP_MAX_ATTEMPTS = 3
    otp_request(phone=PHONE, ip=None)
    right = last_code(sms_outbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(3):
        with pytest.raises(NotAuthenticated) as failure:
            otp_verify(phone=PHONE, code=wrong)
        assert failure.value.code == "otp_wrong"
    with pytest.raises(Throttled) as refused:
        otp_verify(phone=PHONE, code=right)
    assert refused.value.code == "otp_attempts_exceeded"


@pytest.mark.django_db
def test_a_code_expires(sms_outbox, settings) -> None:
    settings.OTP_TTL_SECONDS = 300
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        otp_request(phone=PHONE, ip=None)
        traveller.shift(dt.timedelta(seconds=301))
        with pytest.raises(NotAuthenticated) as failure:
            otp_verify(phone=PHONE, code=last_code(sms_outbox))
    assert failure.value.code == "otp_expired"


@pytest.mark.django_db
def test_codes_cannot_be_requested_back_to_back(sms_outbox, settings) -> None:
    settings.OTP_RESEND_SECONDS = 60
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, 0, 5, tzinfo=dt.UTC), tick=False) as traveller:
        otp_request(phone=PHONE, ip=None)
        with pytest.raises(Throttled) as refused:
            otp_request(phone=PHONE, ip=None)
        assert 0 < refused.value.retry_after <= 60
        traveller.shift(dt.timedelta(seconds=60))
        otp_request(phone=PHONE, ip=None)
    assert len(sms_outbox) == 2


@pytest.mark.django_db
def test_a_phone_gets_a_few_codes_an_hour(sms_outbox, settings, no_resend_wait) -> None:
    settings.OTP_SENDS_PER_PHONE_PER_HOUR = 3
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(3):
            otp_request(phone=PHONE, ip=None)
        with pytest.raises(Throttled):
            otp_request(phone=PHONE, ip=None)
        traveller.shift(dt.timedelta(hours=1))
        otp_request(phone=PHONE, ip=None)
    assert len(sms_outbox) == 4


@pytest.mark.django_db
def test_one_address_cannot_spray_codes_at_many_phones(sms_outbox, settings) -> None:
    settings.OTP_SENDS_PER_IP_PER_HOUR = 2
    with time_machine.travel(dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC), tick=False):
        otp_request(phone="13800000001", ip="10.1.2.3")
        otp_request(phone="13800000002", ip="10.1.2.3")
        with pytest.raises(Throttled):
            otp_request(phone="13800000003", ip="10.1.2.3")
        otp_request(phone="13800000003", ip="10.1.2.4")


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["", "12345", "23812345678", "1381234567a", "138123456789"])
def test_a_malformed_phone_is_refused_before_anything_is_sent(sms_outbox, phone: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        otp_request(phone=phone, ip=None)
    assert refused.value.details == {"field": "phone"}
    assert sms_outbox == []
