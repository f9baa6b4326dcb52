from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest

from minxin.queueing.models import Ticket, WindowState
from minxin.queueing.services import ticket_issue, window_set_state

pytestmark = [pytest.mark.usefixtures("at_open_hall")]


def post(client, path, body=None, **extra):
    return client.post(path, json.dumps(body or {}), content_type="application/json", **extra)


def shape(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    if code:
        assert error["code"] == code
    return error


@pytest.mark.django_db
def test_a_kiosk_takes_a_number_and_gets_place_estimate_and_status_url(cast, line, client, token_for) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    response = post(
        client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **token_for(cast.alice)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["status"], body["ahead"], body["service"]) == ("A001", "waiting", 0, "huji")
    assert body["status_url"] == f"/tickets/{body['id']}/"
    assert (
        body["estimate"] is None
        or body["estimate"]["low"] <= body["estimate"]["minutes"] <= body["estimate"]["high"]
    )
    ticket = client.get(f"/api/v1/tickets/{body['id']}").json()
    assert ticket["number"] == "A001"


@pytest.fixture
def signed_in_citizen(client):
    from minxin.accounts.services import citizen_get_or_create

    citizen = citizen_get_or_create(phone="13812345678")
    session = client.session
    session["citizen_id"] = citizen.pk
    session.save()
    return citizen


@pytest.mark.django_db
def test_a_signed_in_citizen_takes_a_remote_number_for_their_own_phone(
    line, client, signed_in_citizen
) -> None:
    body = {"service": "huji", "channel": "web", "phone": "13999999999"}  # a typed phone is ignored
    ticket = post(client, "/api/v1/halls/qhd/tickets", body).json()
    assert ticket["status"] == "reserved"
    assert Ticket.objects.get().phone_masked == "138****5678"


@pytest.mark.django_db
def test_an_anonymous_remote_number_is_refused(line, client) -> None:
    body = {"service": "huji", "channel": "web", "phone": "13812345678"}
    shape(post(client, "/api/v1/halls/qhd/tickets", body), 401, "citizen_sign_in_required")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_anonymous_calls_get_no_csrf_error_but_a_session_without_a_token_does(line, cast) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = json.dumps({"service": "huji", "channel": "web"})
    anonymous = strict.post("/api/v1/halls/qhd/tickets", body, content_type="application/json")
    shape(anonymous, 401, "citizen_sign_in_required")
    strict.force_login(cast.bob)
    forged = strict.post(
        "/api/v1/halls/qhd/tickets",
        json.dumps({"service": "huji", "channel": "counter"}),
        content_type="application/json",
    )
    shape(forged, 403)


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_a_413_in_the_error_shape(
    cast, line, client, token_for, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    ticket = ticket_issue(hall=line.hall, service_code="huji", channel="web", phone="13812345678").ticket
    big = {"service": "huji", "channel": "kiosk", "padding": "x" * 2000}
    shape(post(client, "/api/v1/halls/qhd/tickets", big, **token_for(cast.alice)), 413, "too_large")
    shape(
        post(client, f"/api/v1/tickets/{ticket.public_id}/check-in", {"code": "x" * 2000}), 413, "too_large"
    )
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_an_authorization_header_that_is_not_a_bearer_token_leaves_a_public_call_anonymous(
    line, client
) -> None:
    from minxin.queueing.services import hall_check_in_code

    ticket = ticket_issue(hall=line.hall, service_code="huji", channel="web", phone="13812345678").ticket
    basic = {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}
    body = {"code": hall_check_in_code(line.hall)}
    answer = post(client, f"/api/v1/tickets/{ticket.public_id}/check-in", body, **basic)
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "waiting"
    shape(
        post(client, f"/api/v1/tickets/{ticket.public_id}/check-in", body, HTTP_AUTHORIZATION="Bearer mx_no"),
        401,
    )


@pytest.mark.django_db
def test_check_in_needs_the_halls_current_code_or_staff(cast, line, client, token_for, at_open_hall) -> None:
    import datetime as dt

    from minxin.queueing.services import hall_check_in_code

    ticket = ticket_issue(hall=line.hall, service_code="huji", channel="web", phone="13812345678").ticket
    url = f"/api/v1/tickets/{ticket.public_id}/check-in"
    shape(post(client, url), 403, "check_in_code_invalid")
    shape(post(client, url, {"code": "qhd:forged:sig"}), 403, "check_in_code_invalid")
    stale = hall_check_in_code(line.hall)
    at_open_hall.shift(dt.timedelta(minutes=11))
    shape(post(client, url, {"code": stale}), 403, "check_in_code_invalid")
    assert post(client, url, {"code": hall_check_in_code(line.hall)}).json()["status"] == "waiting"
    other = ticket_issue(hall=line.hall, service_code="qiye", channel="web", phone="13912345678").ticket
    staff = post(client, f"/api/v1/tickets/{other.public_id}/check-in", **token_for(cast.bob))
    assert staff.json()["status"] == "waiting"


@pytest.mark.django_db
def test_anonymous_callers_may_not_use_kiosk_counter_api_or_priority(cast, line, client) -> None:
    for channel in ("kiosk", "counter", "api"):
        shape(post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": channel}), 403)
    body = {"service": "huji", "channel": "web", "phone": "13812345678", "priority": 2}
    shape(post(client, "/api/v1/halls/qhd/tickets", body), 403, "priority_staff_only")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_clerk_of_another_hall_cannot_issue_or_call_here(cast, line, client, token_for) -> None:
    auth = token_for(cast.charlie)
    shape(post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "counter"}, **auth), 403)
    shape(post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth), 403, "out_of_scope")


@pytest.mark.django_db
def test_the_idempotency_key_replays_the_first_answer(cast, line, client, token_for) -> None:
    auth = token_for(cast.alice) | {"HTTP_IDEMPOTENCY_KEY": "kiosk-7-0001"}
    first = post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "api"}, **auth)
    again = post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "api"}, **auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Ticket.objects.count() == 1
    too_long = token_for(cast.alice) | {"HTTP_IDEMPOTENCY_KEY": "k" * 65}
    error = shape(
        post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "api"}, **too_long), 422
    )
    assert error["details"] == {"field": "Idempotency-Key"}
    assert Ticket.objects.count() == 1


def test_the_idempotency_key_is_declared_in_the_openapi_document(client) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/halls/{hall}/tickets"]["post"]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    assert headers["Idempotency-Key"]["required"] is False


@pytest.mark.django_db
def test_a_clerk_calls_recalls_and_finishes_through_the_api(cast, line, client, token_for) -> None:
    auth = token_for(cast.bob)
    assert post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth).status_code == 204
    post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "counter"}, **auth)
    called = post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth)
    assert called.status_code == 200
    ticket_id = called.json()["id"]
    assert called.json()["window"] == "1"
    assert post(client, f"/api/v1/tickets/{ticket_id}/recall", **auth).json()["status"] == "called"
    assert post(client, f"/api/v1/tickets/{ticket_id}/finish", **auth).json()["status"] == "done"
    shape(post(client, f"/api/v1/tickets/{ticket_id}/finish", **auth), 409, "ticket_not_at_window")
    shape(
        post(client, "/api/v1/halls/qhd/windows/2/call-next", **auth), 403, "out_of_scope"
    )  # not bob's window


@pytest.mark.django_db
def test_every_ticket_answer_names_the_queues_last_called_number(cast, line, client, token_for) -> None:
    auth = token_for(cast.bob)
    issue = {"service": "huji", "channel": "counter"}
    first = post(client, "/api/v1/halls/qhd/tickets", issue, **auth).json()
    assert first["last_called"] is None  # nobody called yet today
    second = post(client, "/api/v1/halls/qhd/tickets", issue, **auth).json()
    called = post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth).json()
    assert (called["number"], called["last_called"]) == (first["number"], first["number"])
    third = post(client, "/api/v1/halls/qhd/tickets", issue, **auth).json()
    assert third["last_called"] == first["number"]
    assert client.get(f"/api/v1/tickets/{second['id']}").json()["last_called"] == first["number"]
    post(client, f"/api/v1/tickets/{called['id']}/finish", **auth)
    again = post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth).json()
    assert again["number"] == second["number"]
    assert client.get(f"/api/v1/tickets/{third['id']}").json()["last_called"] == second["number"]


@pytest.mark.django_db
def test_transfer_and_no_show_through_the_api(cast, line, client, token_for, at_open_hall) -> None:
    auth = token_for(cast.alice)
    for _ in range(2):
        post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "counter"}, **auth)
    first = post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth).json()
    moved = post(
        client, f"/api/v1/tickets/{first['id']}/transfer", {"service": "qiye", "raise_priority": True}, **auth
    )
    assert moved.json()["number"] == "B001"
    assert moved.json()["priority"] == 1
    second = post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth).json()
    early = shape(post(client, f"/api/v1/tickets/{second['id']}/no-show", **auth), 409, "no_show_too_early")
    assert early["details"] == {"seconds_left": 60}
    at_open_hall.shift(dt.timedelta(seconds=60))
    assert post(client, f"/api/v1/tickets/{second['id']}/no-show", **auth).json()["status"] == "no_show"
    shape(post(client, f"/api/v1/tickets/{second['id']}/transfer", {}, **auth), 422)
    assert shape(post(client, f"/api/v1/tickets/{first['id']}/transfer", {"window": "99"}, **auth), 422)[
        "details"
    ] == {"field": "window"}
    shape(post(client, f"/api/v1/tickets/{second['id']}/transfer", {"service": "qiye"}, **auth), 409)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"service": "huji"}, 422),
        ({"service": "huji", "channel": "fax"}, 422),
        ({"service": "", "channel": "web"}, 422),
        ({"service": "nothing", "channel": "web"}, 404),
        ({"service": "huji", "channel": "api", "phone": "123"}, 422),
        ({"service": "huji", "channel": "app", "priority": 5}, 422),
    ],
)
def test_bad_ticket_requests_are_4xx_and_write_nothing(
    line, client, signed_in_citizen, token_for, cast, body, status
):
    if body.get("channel") == "api":
        client.defaults.update(token_for(cast.alice))
    shape(post(client, "/api/v1/halls/qhd/tickets", body), status)
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_queue_shows_waiting_per_service_and_recent_calls(cast, line, client, token_for) -> None:
    auth = token_for(cast.alice)
    for service in ("huji", "huji", "qiye"):
        post(client, "/api/v1/halls/qhd/tickets", {"service": service, "channel": "counter"}, **auth)
    post(client, "/api/v1/halls/qhd/windows/2/call-next", **auth)
    body = client.get("/api/v1/halls/qhd/queue").json()
    assert {s["service"]: s["waiting"] for s in body["services"]} == {"huji": 1, "qiye": 1}
    assert body["recent_calls"][0]["number"] == "A001"
    assert body["recent_calls"][0]["window"] == "2"
    shape(client.get("/api/v1/halls/nowhere/queue"), 404, "hall_not_found")


@pytest.mark.django_db(transaction=True)
def test_the_event_stream_delivers_a_call_after_commit(cast, line, client) -> None:
    from minxin.queueing.services import ticket_call_next, ticket_issue

    # As a threaded server (runserver, the test server) streams: for a minute.
    response = client.get("/api/v1/halls/qhd/events", **{"wsgi.multithread": True})
    assert response["Content-Type"].startswith("text/event-stream")
    chunks: list[str] = []

    def read() -> None:
        for chunk in response.streaming_content:
            chunks.append(chunk.decode())
            if "event: called" in "".join(chunks):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.5)  # the stream subscribes, then the hub starts polling
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    reader.join(timeout=10)
    response.close()  # the stream unsubscribes now, not whenever the garbage collector gets to it
    text = "".join(chunks)
    assert "event: issued" in text
    assert "event: called" in text
    payload = json.loads(text.split("event: called\ndata: ")[1].split("\n")[0])
    assert (payload["number"], payload["window"]) == ("A001", "1")


def test_the_event_stream_of_an_unknown_hall_is_a_404(db, client) -> None:
    shape(client.get("/api/v1/halls/nowhere/events"), 404, "hall_not_found")


def test_the_event_stream_takes_only_get(line, client) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    for answer in (strict.post("/api/v1/halls/qhd/events"), client.delete("/api/v1/halls/qhd/events")):
        shape(answer, 405, "method_not_allowed")
        assert answer["Allow"] == "GET"


@pytest.mark.django_db
def test_arrival_and_rejoin_through_the_api(cast, line, client, token_for, at_open_hall) -> None:
    auth = token_for(cast.bob)
    post(client, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "counter"}, **auth)
    called = post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth).json()
    at_open_hall.shift(dt.timedelta(minutes=1))
    assert post(client, f"/api/v1/tickets/{called['id']}/no-show", **auth).json()["status"] == "no_show"
    assert post(client, f"/api/v1/tickets/{called['id']}/rejoin", **auth).json()["status"] == "waiting"
    again = post(client, "/api/v1/halls/qhd/windows/1/call-next", **auth).json()
    assert post(client, f"/api/v1/tickets/{again['id']}/start", **auth).json()["status"] == "serving"


def test_the_ticket_page_path_is_the_reversed_url_under_any_script_prefix() -> None:
    import uuid

    from django.urls import reverse, set_script_prefix

    from minxin.queueing.api import ticket_page_path

    ticket_id = uuid.uuid4()
    assert ticket_page_path(ticket_id) == reverse("queueing:ticket", args=[ticket_id])
    set_script_prefix("/zwfw/")
    try:
        assert ticket_page_path(ticket_id) == reverse("queueing:ticket", args=[ticket_id])
        assert ticket_page_path(ticket_id).startswith(f"/zwfw/tickets/{ticket_id}")
    finally:
        set_script_prefix("/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"), [("zh-hans", "请求体不是有效的 JSON。"), ("en", "The body is not valid JSON.")]
)
def test_a_body_that_is_not_json_is_a_400_in_the_callers_language(
    cast, line, client, language, message
) -> None:
    answer = client.post(
        "/api/v1/halls/qhd/tickets",
        '{"service": "huji", "channel": ',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert shape(answer, 400, "bad_request")["message"] == message
    assert not Ticket.objects.exists()
