"""The hot path (minxin/core/hotpath.py) answers the queue's hot calls as Django would, byte for byte
but for the ticket itself, and hands a call it does not serve (no bearer token, a session cookie, another
method) to Django, body included.

Each request goes through Django's WSGI application and through the hot path in front of it
(minxin/core/tests/hotpath_harness.py), the latter's hand-offs to Django counted. Transactional tests:
both paths commit as in production.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from minxin.core.tests.hotpath_harness import Answer, Apps
from minxin.queueing.hotpath import ROUTES
from minxin.queueing.models import Ticket, WindowState
from minxin.queueing.services import window_set_state

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("at_open_hall")]

UNCOMPARED = {"content-length"}
PER_TICKET = ("id", "number", "ahead", "estimate", "issued_at", "called_at", "status_url", "last_called")


@pytest.fixture
def apps() -> Apps:
    return Apps(ROUTES)


def same_headers(django: Answer, hot: Answer) -> None:
    def compared(answer: Answer) -> dict[str, str]:
        return {name: value for name, value in answer.headers.items() if name not in UNCOMPARED}

    assert compared(hot) == compared(django)


def same_ticket_shape(django: Answer, hot: Answer) -> None:
    django_body, hot_body = django.json(), hot.json()
    assert list(hot_body) == list(django_body)  # the same keys in the same order
    assert {k: v for k, v in hot_body.items() if k not in PER_TICKET} == {
        k: v for k, v in django_body.items() if k not in PER_TICKET
    }
    assert len(hot_body["issued_at"]) == len(django_body["issued_at"])  # the same timestamp format


def test_a_kiosk_number_is_answered_in_front_of_django_as_django_answers_it(
    cast, line, apps, token_for
) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    auth = token_for(cast.alice)
    django, hot = apps.both("/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **auth)
    assert (django.status, hot.status) == (201, 201)
    assert apps.handed_on == []
    same_headers(django, hot)
    same_ticket_shape(django, hot)
    assert (django.json()["number"], hot.json()["number"]) == ("A001", "A002")
    assert hot.json()["ahead"] == 1
    ticket = Ticket.objects.get(public_id=hot.json()["id"])
    assert (ticket.channel, ticket.events.get().actor_id) == ("kiosk", cast.alice.pk)


def test_a_retry_with_the_idempotency_key_gets_the_first_ticket_back(cast, line, apps, token_for) -> None:
    auth = token_for(cast.alice) | {"HTTP_IDEMPOTENCY_KEY": "kiosk-3-0042"}
    first = apps.post(apps.hot, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **auth)
    again = apps.post(apps.hot, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **auth)
    assert (first.status, again.status) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Ticket.objects.count() == 1
    assert apps.handed_on == []


def test_a_key_reused_for_another_request_is_refused_the_same_both_ways(cast, line, apps, token_for) -> None:
    auth = token_for(cast.alice) | {"HTTP_IDEMPOTENCY_KEY": "kiosk-3-0043"}
    first = apps.post(apps.hot, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **auth)
    assert first.status == 201
    other = {"service": "qiye", "channel": "kiosk"}
    django, hot = apps.both("/api/v1/halls/qhd/tickets", other, **auth)
    assert hot.status == django.status == 422
    assert hot.body == django.body
    assert json.loads(hot.body)["error"]["code"] == "idempotency_key_reused"
    bob = token_for(cast.bob) | {"HTTP_IDEMPOTENCY_KEY": "kiosk-3-0043"}  # the same request, another caller
    assert (
        apps.post(
            apps.hot, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **bob
        ).status
        == 422
    )
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("language", ["zh-Hans", "en", "zh-Hant"])
def test_refusals_carry_the_same_error_and_language(cast, line, apps, token_for, language) -> None:
    auth = token_for(cast.alice) | {"HTTP_ACCEPT_LANGUAGE": language}
    cases = [
        ("/api/v1/halls/qhd/tickets", {"service": "nothing", "channel": "kiosk"}, auth),  # 404
        ("/api/v1/halls/nowhere/tickets", {"service": "huji", "channel": "kiosk"}, auth),  # 404 hall
        ("/api/v1/halls/sjz-tax/tickets", {"service": "huji", "channel": "kiosk"}, auth),  # 403 scope
        (
            "/api/v1/halls/qhd/tickets",
            {"service": "huji", "channel": "kiosk"},
            auth | {"HTTP_IDEMPOTENCY_KEY": "k" * 65},
        ),
        (
            "/api/v1/halls/qhd/tickets",
            {"service": "huji", "channel": "kiosk"},
            {"HTTP_AUTHORIZATION": "Bearer mx_nope"},
        ),
    ]
    for path, body, headers in cases:
        django, hot = apps.both(path, body, **headers)
        assert hot.status == django.status >= 400
        assert hot.body == django.body
        same_headers(django, hot)
    assert apps.handed_on == []
    assert Ticket.objects.count() == 0


def test_bodies_and_hosts_django_refuses_are_refused_the_same_on_the_hot_path(
    cast, line, apps, token_for
) -> None:
    """Validation (django-ninja's 422), the host check (Django's 400) and a body that is not JSON are
    Django's own code on both paths; only a call without a bearer token is handed to Django."""
    auth = token_for(cast.alice)
    cases = [
        ("/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "fax"}, auth),  # ninja words the 422
        ("/api/v1/halls/qhd/tickets", {"channel": "kiosk"}, auth),
        ("/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "web"}, {}),  # no token: sessions, CSRF
        (
            "/api/v1/halls/qhd/tickets",
            {"service": "huji", "channel": "kiosk"},
            auth | {"HTTP_HOST": "evil.example"},
        ),
    ]
    for path, body, headers in cases:
        django, hot = apps.both(path, body, **headers)
        assert (hot.status, hot.body) == (django.status, django.body)
        assert hot.status >= 400
        same_headers(django, hot)
    assert apps.handed_on == ["/api/v1/halls/qhd/tickets"]  # the one without a token
    not_json = apps.both("/api/v1/halls/qhd/tickets", raw=b"service=huji", **auth)
    assert not_json[1].status == not_json[0].status >= 400
    assert not_json[1].body == not_json[0].body
    assert len(apps.handed_on) == 1
    assert Ticket.objects.count() == 0


def test_a_call_with_a_session_cookie_is_handed_on_with_its_body(cast, line, apps, token_for) -> None:
    """A body Django has to read again arrives whole: the counter channel, through the hot path's
    hand-off because of the session cookie (the session middleware is Django's)."""
    answer = apps.post(
        apps.hot,
        "/api/v1/halls/qhd/tickets",
        {"service": "huji", "channel": "counter"},
        **token_for(cast.alice) | {"HTTP_COOKIE": "sessionid=not-a-session"},
    )
    assert answer.status == 201, answer.body
    assert apps.handed_on == ["/api/v1/halls/qhd/tickets"]
    assert Ticket.objects.get().channel == "counter"


def test_a_clerk_calls_starts_and_finishes_in_front_of_django(cast, line, apps, token_for) -> None:
    kiosk, clerk = token_for(cast.alice), token_for(cast.bob)
    for _ in range(2):
        assert (
            apps.post(
                apps.hot, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **kiosk
            ).status
            == 201
        )
    called = apps.post(apps.hot, "/api/v1/halls/qhd/windows/1/call-next", **clerk)
    assert called.status == 200, called.body
    assert (called.json()["number"], called.json()["window"], called.json()["status"]) == (
        "A001",
        "1",
        "called",
    )
    ticket_id = called.json()["id"]
    busy_django, busy_hot = apps.both("/api/v1/halls/qhd/windows/1/call-next", **clerk)
    assert busy_hot.status == busy_django.status == 409
    assert busy_hot.body == busy_django.body
    started = apps.post(apps.hot, f"/api/v1/tickets/{ticket_id}/start", **clerk)
    assert (started.status, started.json()["status"]) == (200, "serving")
    finished = apps.post(apps.hot, f"/api/v1/tickets/{ticket_id}/finish", **clerk)
    assert (finished.status, finished.json()["status"]) == (200, "done")
    again_django, again_hot = apps.both(f"/api/v1/tickets/{ticket_id}/finish", **clerk)
    assert again_hot.status == again_django.status == 409
    assert again_hot.body == again_django.body
    # someone else's ticket, and a window that is not the clerk's
    other = apps.both(f"/api/v1/tickets/{ticket_id}/recall", **token_for(cast.charlie))
    assert other[1].status == other[0].status >= 400
    assert other[1].body == other[0].body
    assert apps.handed_on == []


def test_next_finishing_the_current_number_is_answered_in_front_of_django(
    cast, line, apps, token_for
) -> None:
    kiosk, clerk = token_for(cast.alice), token_for(cast.bob)
    for _ in range(4):
        apps.post(apps.hot, "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **kiosk)
    path = "/api/v1/halls/qhd/windows/1/call-next"
    assert apps.post(apps.hot, path, **clerk).json()["number"] == "A001"
    django, hot = apps.both(path, QUERY_STRING="finish_current=true", **clerk)
    assert (django.status, hot.status) == (200, 200)
    assert (django.json()["number"], hot.json()["number"]) == ("A002", "A003")
    same_headers(django, hot)
    same_ticket_shape(django, hot)
    assert apps.handed_on == []
    # A value django-ninja refuses is worded by its operation on both paths (422); "0" is false: the
    # window is busy (409).
    django, hot = apps.both(path, QUERY_STRING="finish_current=maybe", **clerk)
    assert hot.status == django.status == 422
    assert hot.body == django.body
    assert apps.handed_on == []
    django, hot = apps.both(path, QUERY_STRING="finish_current=0", **clerk)
    assert hot.status == django.status == 409
    assert hot.body == django.body
    assert [t.status for t in line.queue_a.tickets.order_by("seq")] == ["done", "done", "called", "waiting"]


def test_an_empty_line_is_an_empty_204_like_djangos(cast, line, apps, token_for) -> None:
    clerk = token_for(cast.bob)
    django, hot = apps.both("/api/v1/halls/qhd/windows/1/call-next", **clerk)
    assert (django.status, hot.status) == (204, 204)
    assert hot.body == django.body == b""
    same_headers(django, hot)
    assert apps.handed_on == []


def test_other_methods_are_djangos_and_any_path_django_resolves_is_answered_the_same(
    cast, line, apps, token_for
) -> None:
    """The routes are Django's own resolution of the path: a window named in Chinese and a ticket that
    is not a UUID reach the same operations on both paths (and are refused the same); a POST to a
    GET-only path is Django's."""
    auth = token_for(cast.bob)
    for path in (
        "/api/v1/halls/qhd/windows/综合/call-next".encode().decode("latin-1"),
        "/api/v1/tickets/x/finish",
    ):
        django, hot = apps.both(path, **auth)
        assert hot.status == django.status >= 400
        assert hot.body == django.body
        same_headers(django, hot)
    assert apps.handed_on == []
    apps.post(apps.hot, "/api/v1/halls/qhd/queue", **auth)
    assert apps.handed_on == ["/api/v1/halls/qhd/queue"]


def test_a_failure_is_the_same_500_both_ways(cast, line, apps, token_for, monkeypatch) -> None:
    import minxin.queueing.api

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(minxin.queueing.api, "ticket_issue", broken)
    django, hot = apps.both(
        "/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **token_for(cast.alice)
    )
    assert hot.status == django.status == 500
    assert hot.body == django.body
    assert hot.json()["error"]["code"] == "server_error"
    assert apps.handed_on == []


def test_a_hot_call_sends_djangos_request_signals(cast, line, apps, token_for) -> None:
    """request_started and request_finished (and so close_old_connections, Django's receiver of both)."""
    from django.core.signals import request_finished, request_started

    from minxin.core.hotpath import HotPath

    seen: list[tuple[str, Any]] = []

    def started(sender: Any, **kwargs: Any) -> None:
        seen.append(("started", sender))

    def finished(sender: Any, **kwargs: Any) -> None:
        seen.append(("finished", sender))

    auth = token_for(cast.bob)
    request_started.connect(started)
    request_finished.connect(finished)
    try:
        answer = apps.post(apps.hot, "/api/v1/halls/qhd/windows/1/call-next", **auth)
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert answer.status == 204
    assert seen == [("started", HotPath), ("finished", HotPath)]
    assert apps.handed_on == []


def test_refusals_and_failures_are_logged_by_django_request_as_django_logs_them(
    cast, line, apps, token_for, caplog, monkeypatch
) -> None:
    import logging

    import minxin.queueing.api

    def logged() -> list[tuple[str, str, int]]:
        return [
            (record.levelname, record.getMessage(), record.status_code)  # type: ignore[attr-defined]
            for record in caplog.records
            if record.name == "django.request"
        ]

    auth = token_for(cast.alice)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        apps.both("/api/v1/halls/nowhere/tickets", {"service": "huji", "channel": "kiosk"}, **auth)
    assert logged() == [("WARNING", "Not Found: /api/v1/halls/nowhere/tickets", 404)] * 2
    caplog.clear()

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(minxin.queueing.api, "ticket_issue", broken)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        apps.both("/api/v1/halls/qhd/tickets", {"service": "huji", "channel": "kiosk"}, **auth)
    assert logged() == [("ERROR", "Internal Server Error: /api/v1/halls/qhd/tickets", 500)] * 2
    assert apps.handed_on == []


@pytest.mark.parametrize("lost_by", ["client", "server"])
def test_after_the_database_connection_is_lost_the_first_hot_call_is_answered(
    cast, line, apps, token_for, lost_by: str
) -> None:
    """A kept connection (CONN_MAX_AGE) closed by our side, or by the server (a restart, an administrator's
    pg_terminate_backend), is checked and replaced at the next request (close_old_connections and the
    health check of minxin/core/postgresql), not found broken by the call (503)."""
    from django.db import connection, connections

    from minxin.core.tests.test_postgresql_backend import readable

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    auth = token_for(cast.bob)
    path = "/api/v1/halls/qhd/windows/1/call-next"
    assert apps.post(apps.hot, path, **auth).status == 204
    assert connection.connection is not None  # kept between requests
    if lost_by == "client":
        connection.connection.close()  # as a failed network leaves it
    else:
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
        other.close()
        assert readable(connection), "the server's goodbye did not arrive"
    answer = apps.post(apps.hot, path, **auth)
    assert answer.status == 204, answer.body
    assert apps.handed_on == []


def test_the_test_client_through_wsgi_answers_hot_calls_there_and_hands_on_the_rest(
    cast, line, token_for
) -> None:
    """The client every API test uses when MINXIN_TEST_THROUGH_WSGI=1 (root conftest.py)."""
    from minxin.core.tests.hotpath_client import HotPathClient

    client = HotPathClient(ROUTES)
    answer = client.post(
        "/api/v1/halls/qhd/tickets",
        json.dumps({"service": "huji", "channel": "kiosk"}),
        content_type="application/json",
        **token_for(cast.alice),
    )
    assert answer.status_code == 201, answer.content
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer.json()["number"] == "A001"
    assert client.handler.answered == 1
    page = client.get(answer.json()["status_url"])  # a page: Django's own response, context and all
    assert page.status_code == 200
    assert page.context is not None
    assert client.handler.answered == 1
