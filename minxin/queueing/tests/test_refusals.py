"""Input no field can take (NUL characters, JSON nested past the parser's limit, an unknown Host) is
refused in the error shape on both request paths and both databases, never a 500 (core.refusals)."""

from __future__ import annotations

import pytest

from minxin.core.tests.hotpath_harness import Apps
from minxin.queueing.hotpath import ROUTES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]
# Through the WSGI applications the hot path tidies the connection as in production: commit for real.
both_paths = pytest.mark.django_db(transaction=True)


def code_of(response) -> str:
    return response.json()["error"]["code"]


def test_a_nul_in_a_path_is_a_404_in_the_error_shape(cast, client) -> None:
    response = client.get("/api/v1/halls/qhd%00zwfw")
    assert (response.status_code, code_of(response)) == (404, "not_found")
    assert client.get("/halls/qhd%00/status/").status_code == 404


def test_a_nul_in_a_query_is_a_422_naming_the_parameter(cast, client) -> None:
    response = client.get("/api/v1/halls?q=%00")
    assert (response.status_code, code_of(response)) == (422, "invalid_text")
    assert response.json()["error"]["details"] == {"field": "q"}


@both_paths
def test_a_nul_in_a_json_body_is_a_422_on_both_paths(cast, line, token_for) -> None:
    apps = Apps(ROUTES)
    auth = {"HTTP_AUTHORIZATION": token_for(cast.alice)["HTTP_AUTHORIZATION"]}
    raw = b'{"service": "huji\\u0000", "channel": "kiosk"}'
    for answer in apps.both("/api/v1/halls/qhd/tickets", raw=raw, **auth):
        assert answer.status == 422
        assert answer.json()["error"]["code"] == "invalid_text"


@both_paths
def test_json_nested_past_the_parsers_limit_is_a_400_on_both_paths(cast, line, token_for) -> None:
    apps = Apps(ROUTES)
    auth = {"HTTP_AUTHORIZATION": token_for(cast.alice)["HTTP_AUTHORIZATION"]}
    raw = b'{"service": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for answer in apps.both("/api/v1/halls/qhd/tickets", raw=raw, **auth):
        assert answer.status == 400
        assert answer.json()["error"]["code"] == "invalid_json"


def test_a_nul_in_a_form_field_is_refused(cast, client) -> None:
    response = client.post(
        "/me/login/", "phone=138%0000000000", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422


def test_an_unknown_host_under_the_api_is_a_400_in_the_error_shape(cast, client) -> None:
    response = client.get("/api/v1/halls", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert code_of(response) == "bad_request"
