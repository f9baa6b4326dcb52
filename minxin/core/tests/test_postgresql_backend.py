"""minxin's PostgreSQL backend (minxin/core/postgresql): the health check asks the server (`SELECT 1`)
only for a connection quiet for longer than the delay, or one with something to read, and still replaces a
connection the server ended. What the connection last sent is read from the server (pg_stat_activity)."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db(transaction=True)


def readable(wrapper: Any, seconds: float = 5.0) -> bool:
    """Wait until the connection's socket has something to read (the server's message or its closing)."""
    poller = select.poll()
    poller.register(wrapper.connection.pgconn.socket, select.POLLIN)
    return bool(poller.poll(seconds * 1000))


@pytest.fixture
def pg() -> Iterator[Any]:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's health check")
    connection.close()
    connection.ensure_connection()  # opened now: within the delay
    other = connections.create_connection("default")
    yield other
    other.close()


def last_sent(other: Any) -> str:
    """The statement `connection` last sent, as the server saw it."""
    with other.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [connection.connection.info.backend_pid]
        )
        return str(cursor.fetchone()[0])


def request_starts() -> None:
    """What close_old_connections does to a kept connection at the start of a request, then a query."""
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_a_connection_in_steady_use_is_taken_without_asking_the_server(pg) -> None:
    assert connection.settings_dict["ENGINE"] == "minxin.core.postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last request'")
    request_starts()
    assert connection.connection is not None
    assert connection.health_check_done
    assert last_sent(pg) == "SELECT 'the last request'"


def test_a_connection_quiet_for_longer_than_the_delay_is_asked(pg) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last request'")
    connection.checked_at = time.monotonic() - connection.health_check_delay - 0.1
    request_starts()
    assert connection.connection is not None
    assert last_sent(pg) == "SELECT 1"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the next request'")
    request_starts()  # just asked: taken as it is again
    assert last_sent(pg) == "SELECT 'the next request'"


def test_a_delay_of_0_asks_before_every_request(pg) -> None:
    wrapper = connections["default"]
    delay, wrapper.health_check_delay = wrapper.health_check_delay, 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 'the last request'")
        request_starts()
        assert last_sent(pg) == "SELECT 1"
    finally:
        wrapper.health_check_delay = delay


def test_a_connection_the_server_ended_is_replaced(pg) -> None:
    ended = connection.connection.info.backend_pid
    with pg.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
    assert readable(connection)
    request_starts()
    assert connection.connection is None  # closed; the request's first query opens a new one
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != ended


def test_a_message_on_a_healthy_connection_has_it_asked_and_kept(pg) -> None:
    with connection.cursor() as cursor:
        cursor.execute("LISTEN minxin_health_check_test")
    with pg.cursor() as cursor:
        cursor.execute("NOTIFY minxin_health_check_test")
    assert readable(connection)
    request_starts()
    assert connection.connection is not None
    assert last_sent(pg) == "SELECT 1"
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")


def test_a_connection_inside_a_transaction_is_asked(pg) -> None:
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT 'in a transaction'")
    request_starts()
    assert last_sent(pg) == "SELECT 1"
    with connection.cursor() as cursor:
        cursor.execute("ROLLBACK")
