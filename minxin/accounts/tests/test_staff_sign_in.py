"""Staff sign-in resists guessing: limits per user name and address, a lock after repeated failures
(lifted by an administrator, audited, or by time), the same on /admin/; TOTP for the listed roles."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from minxin.core.models import AuditEntry

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def post_login(client, username: str, password: str, path: str = "/staff/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.fixture
def lockout(settings):
    settings.STAFF_LOCKOUT_THRESHOLD = 3
    settings.STAFF_LOCKOUT_SECONDS = 600
    settings.STAFF_SIGN_INS_PER_USER = 50
    settings.STAFF_SIGN_INS_PER_IP = 50
    return settings


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_and_say_how_long(cast, client, lockout) -> None:
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            assert "用户名或密码不正确" in post_login(client, "bob", "wrong").content.decode()
        page = post_login(client, "bob", "wrong").content.decode()
        assert "锁定" in page
        assert "10 分钟" in page
        # Even the right password is refused while the lock holds: guesses are never checked then.
        assert "锁定" in post_login(client, "bob", "bob-pass-123").content.decode()
        assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="staff.locked_out")
    assert entry.target_id == str(cast.bob.pk)


@pytest.mark.django_db
def test_the_lock_lapses_after_its_period(cast, client, lockout) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(3):
            post_login(client, "bob", "wrong")
        traveller.shift(dt.timedelta(seconds=601))
        response = post_login(client, "bob", "bob-pass-123")
    assert response.status_code == 302
    cast.bob.refresh_from_db()
    assert cast.bob.locked_until is None
    assert cast.bob.failed_sign_ins == 0


@pytest.mark.django_db
def test_an_administrator_unlocks_the_account_and_it_is_audited(cast, client, lockout) -> None:
    from minxin.accounts.models import User

    admin = User.objects.create_superuser(username="root", password="root-pass-123")
    for _ in range(3):
        post_login(client, "bob", "wrong")
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/", {"action": "unlock", "_selected_action": [cast.bob.pk]}, follow=True
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="staff.unlocked")
    assert entry.actor_id == admin.pk
    assert entry.target_id == str(cast.bob.pk)
    client.logout()
    assert post_login(client, "bob", "bob-pass-123").status_code == 302


@pytest.mark.django_db
def test_attempts_are_limited_per_user_name_whatever_the_password(cast, client, settings) -> None:
    settings.STAFF_SIGN_INS_PER_USER = 3
    settings.STAFF_LOCKOUT_THRESHOLD = 100
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            post_login(client, "nobody-here", "guess")
        page = post_login(client, "nobody-here", "guess").content.decode()
    assert "请求过于频繁" in page or "稍后" in page
    assert "分钟" in page


@pytest.mark.django_db
def test_attempts_are_limited_per_address_across_user_names(cast, client, settings) -> None:
    settings.STAFF_SIGN_INS_PER_IP = 3
    settings.STAFF_LOCKOUT_THRESHOLD = 100
    with time_machine.travel(T0, tick=False):
        for name in ("a1", "a2", "a3"):
            post_login(client, name, "guess", REMOTE_ADDR="203.0.113.7")
        refused = post_login(client, "bob", "bob-pass-123", REMOTE_ADDR="203.0.113.7")
        other_address = post_login(client, "bob", "bob-pass-123", REMOTE_ADDR="203.0.113.8")
    assert refused.status_code == 200
    assert "分钟" in refused.content.decode()
    assert other_address.status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_page_locks_out_too(cast, client, lockout) -> None:
    from minxin.accounts.models import User

    User.objects.create_superuser(username="root", password="root-pass-123")
    for _ in range(3):
        post_login(client, "root", "wrong", path="/admin/login/")
    response = post_login(client, "root", "root-pass-123", path="/admin/login/")
    assert response.status_code == 200
    assert "锁定" in response.content.decode()


# ---- TOTP ----------------------------------------------------------------------------------------


@pytest.fixture
def totp_required(settings):
    settings.STAFF_OTP_REQUIRED_ROLES = ["system_admin", "hall_manager"]
    return settings


def code_for(device: TOTPDevice, ahead: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0 - ahead * device.step, device.digits):06d}"


@pytest.mark.django_db
def test_a_hall_manager_without_an_authenticator_is_sent_to_set_one_up(cast, client, totp_required) -> None:
    client.force_login(cast.alice)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/2fa/setup/")
    assert client.get("/admin/")["Location"].startswith("/staff/2fa/setup/")


@pytest.mark.django_db
def test_a_clerk_is_not_asked_for_a_second_factor(cast, client, totp_required) -> None:
    client.force_login(cast.bob)
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_the_session_api_refuses_an_unverified_manager_in_the_error_shape(
    cast, client, totp_required
) -> None:
    client.force_login(cast.alice)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"


@pytest.mark.django_db
def test_api_tokens_are_unaffected(cast, client, token_for, totp_required) -> None:
    response = client.get("/api/v1/me", **token_for(cast.alice))
    assert response.status_code == 200


@pytest.mark.django_db
def test_enrolment_then_sign_in_with_a_totp_code_and_a_backup_code(cast, client, totp_required) -> None:
    with time_machine.travel(T0, tick=True) as traveller:
        client.force_login(cast.alice)
        assert "<svg" in client.get("/staff/2fa/setup/").content.decode()
        device = TOTPDevice.objects.get(user=cast.alice)
        wrong = "000000" if code_for(device) != "000000" else "111111"
        assert client.post("/staff/2fa/setup/", {"code": wrong}).status_code == 422
        traveller.shift(dt.timedelta(seconds=3))  # django-otp slows retries after a wrong code
        codes = client.post("/staff/2fa/setup/", {"code": code_for(device)}).context["codes"]
        assert len(codes) == 10
        assert client.get("/staff/").status_code == 200
        assert AuditEntry.objects.filter(action="staff.second_factor_enrolled").count() == 1

        client.logout()
        assert post_login(client, "alice", "alice-pass-123")["Location"] == "/staff/"
        assert client.get("/staff/")["Location"].startswith("/staff/2fa/?")
        assert client.post("/staff/2fa/", {"code": wrong}).status_code == 422
        traveller.shift(dt.timedelta(seconds=40))  # the next time step: a used code is never taken twice
        device.refresh_from_db()
        answer = client.post("/staff/2fa/", {"code": code_for(device), "next": "/staff/"})
        assert answer["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200

        client.logout()
        post_login(client, "alice", "alice-pass-123")
        assert client.post("/staff/2fa/", {"code": codes[0]}).status_code == 302
        client.logout()
        post_login(client, "alice", "alice-pass-123")
        assert client.post("/staff/2fa/", {"code": codes[0]}).status_code == 422  # a backup code works once


@pytest.mark.django_db
def test_a_password_alone_cannot_replace_an_enrolled_authenticator(cast, client, totp_required) -> None:
    client.force_login(cast.alice)
    client.get("/staff/2fa/setup/")
    device = TOTPDevice.objects.get(user=cast.alice)
    client.post("/staff/2fa/setup/", {"code": code_for(device)})
    client.logout()
    post_login(client, "alice", "alice-pass-123")
    response = client.get("/staff/2fa/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/2fa/?")


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_authenticator_audited(cast, client, totp_required) -> None:
    from minxin.accounts.models import User
    from minxin.accounts.twofactor import second_factor_reset

    admin = User.objects.create_superuser(username="root", password="root-pass-123")
    TOTPDevice.objects.create(user=cast.alice, name="phone", confirmed=True)
    second_factor_reset(user=cast.alice, actor=admin)
    assert not TOTPDevice.objects.filter(user=cast.alice).exists()
    assert AuditEntry.objects.get(action="staff.second_factor_reset").actor_id == admin.pk


@pytest.mark.django_db
def test_the_staff_home_says_when_two_step_sign_in_is_relaxed(cast, client, settings) -> None:
    settings.STAFF_OTP_REQUIRED_ROLES = []
    client.force_login(cast.bob)
    assert "不要求" in client.get("/staff/").content.decode()
    settings.STAFF_OTP_REQUIRED_ROLES = ["system_admin", "hall_manager"]
    assert "不要求" not in client.get("/staff/").content.decode()
