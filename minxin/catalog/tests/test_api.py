from __future__ import annotations

import json

import pytest
from django.db import connection

from minxin.catalog.models import ServiceItem

NEW_ITEM = {
    "department": "psb",
    "code": "000105002000",
    "name": "居民身份证补领",
    "implementing_body": "市公安局",
    "statutory_days": 60,
    "promised_days": 20,
    "fee": "20.00",
    "materials": [{"name": "户口簿", "originals": 1, "copies": 0}],
    "publish_on": "2026-12-01",
}


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.django_db
def test_halls_are_listed_and_filtered_by_region(cast, client) -> None:
    assert [h["code"] for h in client.get("/api/v1/halls").json()] == ["sjz-tax", "qhd"]
    assert [h["code"] for h in client.get("/api/v1/halls?region=130300").json()] == ["qhd"]
    assert client.get("/api/v1/halls?q=办税").json()[0]["code"] == "sjz-tax"


@pytest.mark.django_db
def test_a_hall_shows_its_departments_windows_and_hours(cast, client) -> None:
    body = client.get("/api/v1/halls/qhd").json()
    assert {d["code"]: d["items"] for d in body["departments"]} == {"psb": 1, "amr": 1}
    assert [(w["number"], w["kind"], w["department"]) for w in body["windows"]] == [
        ("1", "department", "psb"),
        ("2", "comprehensive", None),
    ]
    assert body["windows"][0]["items"] == ["000105001000"]
    assert len(body["opening_hours"]) == 10
    assert body["items"] == 2


@pytest.mark.django_db
def test_item_search_pages_through_results(cast, client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/items?q=登记&page_size=1").json()
    assert body["count"] == 1
    assert body["results"][0]["name"] == "企业设立登记"
    everything = client.get("/api/v1/items?page_size=1&page=2").json()
    assert everything["count"] == 2
    assert len(everything["results"]) == 1
    guide = client.get(f"/api/v1/items/{body['results'][0]['id']}").json()
    assert guide["promised_days"] == 1
    assert guide["materials"][0]["name"] == "居民身份证"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "code", "field"),
    [
        ("/api/v1/halls/nowhere", 404, "hall_not_found", None),
        ("/api/v1/halls?region=abc", 422, "invalid", "region"),
        ("/api/v1/items?page=0", 422, "invalid", "page"),
        ("/api/v1/items?page_size=1000", 422, "invalid", "page_size"),
        ("/api/v1/items?page=x", 422, "invalid", "page"),
        ("/api/v1/items?hall=nowhere", 404, "hall_not_found", None),
        ("/api/v1/items/not-a-uuid", 422, "invalid", "item_id"),
        ("/api/v1/items/6f1c1e7e-1111-4a4a-9b9b-000000000000", 404, "item_not_found", None),
        ("/api/v1/no-such-endpoint", 404, "not_found", None),
        ("/api/v1/me", 401, "not_authenticated", None),
    ],
)
def test_bad_requests_get_the_error_shape_naming_the_field(cast, client, path, status, code, field) -> None:
    error = assert_error_shape(client.get(path), status, code)
    if field:
        assert error["details"]["fields"][0]["field"] == field


@pytest.mark.django_db
@pytest.mark.django_db
def test_a_wrong_method_gets_405_in_the_error_shape(cast, client) -> None:
    error = assert_error_shape(client.delete("/api/v1/halls"), 405, "method_not_allowed")
    assert error["message"]
    assert client.delete("/api/v1/halls")["Allow"] == "GET"


@pytest.mark.django_db
def test_responses_carry_chinese_as_utf8_not_escapes(cast, client) -> None:
    body = client.get("/api/v1/halls/qhd").content.decode()
    assert "秦皇岛市政务服务中心" in body
    assert "\\u" not in body


@pytest.mark.django_db
def test_a_hall_manager_creates_an_item_through_the_api(cast, client, token_for) -> None:
    response = client.post(
        "/api/v1/halls/qhd/items",
        json.dumps(NEW_ITEM),
        content_type="application/json",
        **token_for(cast.alice),
    )
    assert response.status_code == 201, response.content
    assert response.json()["fee"] == "20.00"
    assert response.json()["version"] == 1
    assert ServiceItem.objects.filter(code="000105002000").exists()


@pytest.mark.django_db
def test_item_creation_is_scoped_to_hall_and_department(cast, client, token_for) -> None:
    def post(user, body=NEW_ITEM, hall="qhd"):
        return client.post(
            f"/api/v1/halls/{hall}/items",
            json.dumps(body),
            content_type="application/json",
            **token_for(user),
        )

    assert_error_shape(post(cast.charlie), 403, "out_of_scope")  # a clerk of another hall
    assert_error_shape(post(cast.bob), 403, "out_of_scope")  # a clerk of this hall: not a catalog role
    assert_error_shape(
        post(cast.erin, NEW_ITEM | {"department": "amr"}), 403, "out_of_scope"
    )  # other department
    assert post(cast.erin).status_code == 201  # erin is an officer of psb
    assert_error_shape(post(cast.alice, hall="sjz-tax"), 403, "out_of_scope")
    assert ServiceItem.objects.filter(code="000105002000").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"promised_days": 90}, 422, "promised_days"),
        ({"statutory_days": -1}, 422, "statutory_days"),
        ({"fee": "-1"}, 422, "fee"),
        ({"kind": "magic"}, 422, "kind"),
        ({"name": ""}, 422, "name"),
        ({"department": "nope"}, 422, "department"),
        ({"materials": [{"name": "x", "originals": 0, "copies": 0}]}, 422, "materials"),
        ({"publish_on": "someday"}, 422, "publish_on"),
    ],
)
def test_bad_item_input_is_refused_and_nothing_is_written(
    cast, client, token_for, change, status, field
) -> None:
    response = client.post(
        "/api/v1/halls/qhd/items",
        json.dumps(NEW_ITEM | change),
        content_type="application/json",
        **token_for(cast.alice),
    )
    error = assert_error_shape(response, status)
    named = error["details"].get("field") or error["details"]["fields"][0]["field"]
    assert named.split(".")[0] == field
    assert not ServiceItem.objects.filter(code="000105002000").exists()


@pytest.mark.django_db
def test_a_duplicate_item_is_a_409_and_malformed_json_a_4xx(cast, client, token_for) -> None:
    auth = token_for(cast.alice)
    body = json.dumps(NEW_ITEM | {"code": "000105001000"})
    assert_error_shape(
        client.post("/api/v1/halls/qhd/items", body, content_type="application/json", **auth),
        409,
        "item_exists",
    )
    broken = client.post("/api/v1/halls/qhd/items", "{not json", content_type="application/json", **auth)
    assert_error_shape(broken, broken.status_code)
    assert 400 <= broken.status_code < 500


@pytest.mark.django_db
def test_otp_endpoints_limit_and_shape_their_errors(cast, client, sms_outbox, settings) -> None:
    settings.OTP_RESEND_SECONDS = 60
    first = client.post("/api/v1/citizens/otp", {"phone": "13812345678"}, content_type="application/json")
    assert first.status_code == 202
    again = client.post("/api/v1/citizens/otp", {"phone": "13812345678"}, content_type="application/json")
    assert_error_shape(again, 429, "throttled")
    assert int(again["Retry-After"]) > 0
    bad = client.post("/api/v1/citizens/otp", {"phone": "555"}, content_type="application/json")
    assert_error_shape(bad, 422)
    wrong = client.post(
        "/api/v1/citizens/session",
        {"phone": "13812345678", "code": "000000"},
        content_type="application/json",
    )
    if sms_outbox[-1].text.find("000000") < 0:
        assert_error_shape(wrong, 401, "otp_wrong")


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_is_a_503_in_the_error_shape(cast, client) -> None:
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/minxin.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
        connection.settings_dict["HOST"] = "127.0.0.1"
    try:
        response = client.get("/api/v1/halls")
        page = client.get("/")
    finally:
        connection.close()
        connection.settings_dict.update(original)
    assert_error_shape(response, 503, "database_unavailable")
    assert response["Retry-After"] == "5"
    assert page.status_code == 503
