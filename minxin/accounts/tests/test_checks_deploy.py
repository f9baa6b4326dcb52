"""`check --deploy` flags what is fine for a demo and wrong in production, one finding per setting."""

from __future__ import annotations

import pytest

from minxin.accounts import checks_deploy as checks


@pytest.fixture
def production(settings, monkeypatch):
    settings.DEMO_SIMULATOR = False
    settings.SMS_GATEWAY_URL = "https://sms.example/send"
    settings.NOTICE_WEBHOOK_URL = ""
    settings.SECRET_KEY = "s" * 50
    settings.PERSONAL_DATA_KEY = "p" * 40
    settings.NOTICE_BACKEND = "minxin.queueing.notices.SmsNoticeBackend"
    # Changed in place (and put back by monkeypatch): the test database itself stays as it is.
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.postgresql")
    settings.STAFF_OTP_REQUIRED_ROLES = ["system_admin", "hall_manager"]
    return settings


def ids(found) -> list[str]:
    return [message.id for message in found]


ALL = (
    checks.demo_simulator_check,
    checks.plain_http_gateways_check,
    checks.personal_data_key_check,
    checks.notice_backend_check,
    checks.sqlite_check,
    checks.second_factor_check,
)


def test_production_settings_pass_every_check(production) -> None:
    assert [ids(check(None)) for check in ALL] == [[]] * len(ALL)


def test_the_demo_simulator_is_flagged(production) -> None:
    production.DEMO_SIMULATOR = True
    assert ids(checks.demo_simulator_check(None)) == ["minxin.E002"]


def test_a_plain_http_sms_gateway_is_flagged(production) -> None:
    production.SMS_GATEWAY_URL = "http://sms.example/send"
    assert ids(checks.plain_http_gateways_check(None)) == ["minxin.E003"]


def test_a_missing_personal_data_key_is_flagged(production) -> None:
    production.PERSONAL_DATA_KEY = production.SECRET_KEY  # what settings.py falls back to when unset
    assert ids(checks.personal_data_key_check(None)) == ["minxin.E004"]
    production.PERSONAL_DATA_KEY = ""
    assert ids(checks.personal_data_key_check(None)) == ["minxin.E004"]


def test_the_console_notice_backend_is_flagged(production) -> None:
    production.NOTICE_BACKEND = "minxin.queueing.notices.ConsoleNoticeBackend"
    assert ids(checks.notice_backend_check(None)) == ["minxin.W003"]


def test_sqlite_is_flagged(production) -> None:
    production.DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"
    assert ids(checks.sqlite_check(None)) == ["minxin.E005"]


def test_totp_not_required_of_managers_is_flagged(production) -> None:
    production.STAFF_OTP_REQUIRED_ROLES = ["system_admin"]
    found = checks.second_factor_check(None)
    assert ids(found) == ["minxin.E006"]
    assert "hall_manager" in found[0].msg
