from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_staff_home_lists_roles_halls_and_windows(cast, client) -> None:
    client.force_login(cast.bob)
    page = client.get("/staff/").content.decode()
    assert "秦皇岛市政务服务中心" in page
    assert "公安窗口" in page
    assert "石家庄市办税服务厅" not in page


@pytest.mark.django_db
def test_the_staff_home_needs_a_sign_in(client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_a_clerk_of_another_hall_gets_403_on_the_staff_hall_page(cast, client) -> None:
    client.force_login(cast.charlie)
    assert client.get("/staff/halls/qhd/").status_code == 403
    client.force_login(cast.bob)
    assert client.get("/staff/halls/qhd/").status_code == 200
    assert client.get("/staff/halls/sjz-tax/").status_code == 403


@pytest.mark.django_db
def test_a_citizen_signs_in_on_the_page_with_a_code(client, sms_outbox) -> None:
    client.post("/me/login/", {"step": "phone", "phone": "13812345678"})
    code = "".join(c for c in sms_outbox[-1].text if c.isdigit())[:6]
    response = client.post("/me/login/", {"step": "code", "phone": "13812345678", "code": code}, follow=True)
    assert response.redirect_chain[-1][0] == "/me/"
    assert "138****5678" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_code_on_the_page_is_a_422_with_the_message(client, sms_outbox) -> None:
    client.post("/me/login/", {"step": "phone", "phone": "13812345678"})
    response = client.post("/me/login/", {"step": "code", "phone": "13812345678", "code": "999999"})
    if "999999" not in sms_outbox[-1].text:
        assert response.status_code == 422
        assert 'role="alert"' in response.content.decode()


@pytest.mark.django_db
def test_large_text_is_a_cookie_that_the_page_honours(client) -> None:
    response = client.post("/a11y/large-text/", {"next": "/items/"})
    assert response.status_code == 302
    assert response["Location"] == "/items/"
    assert 'class="large-text"' in client.get("/items/").content.decode()
    assert client.post("/a11y/large-text/", {"next": "https://evil.example/"})["Location"] == "/"


@pytest.mark.django_db
def test_a_device_signs_in_with_its_token_and_stays_signed_in(cast, client) -> None:
    from minxin.accounts.services import api_token_create

    secret = api_token_create(user=cast.bob, name="kiosk 1").secret
    refused = client.post("/devices/sign-in/", {"token": "mx_wrong", "next": "/staff/"})
    assert refused.status_code == 401
    response = client.post("/devices/sign-in/", {"token": secret, "next": "/staff/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.session.get_expiry_age() > 30 * 24 * 3600
    assert client.get("/staff/").status_code == 200
    from minxin.accounts.models import ApiToken
    from minxin.accounts.services import api_token_revoke
    from minxin.core.memo import forget_all

    api_token_revoke(token=ApiToken.objects.get(name="kiosk 1"), actor=cast.alice)
    forget_all()  # other processes notice within the cache's half minute; this test does not wait
    assert client.get("/staff/").status_code == 302  # the device is signed out
