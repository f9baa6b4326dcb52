"""The hot paths are guarded by how many statements they send, not by time (DESIGN.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minxin.queueing.services import ticket_call_next, ticket_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]


def statements(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_taking_a_number_is_one_statement_on_postgresql_and_three_on_sqlite(line) -> None:
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")  # warms the per-process caches
    with CaptureQueriesContext(connection) as context:
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    expected = 1 if connection.vendor == "postgresql" else 3
    assert len(statements(context)) == expected, statements(context)


def test_calling_the_next_number_takes_four_statements(cast, line) -> None:
    for _ in range(2):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    from minxin.queueing.services import ticket_finish

    ticket_finish(ticket=cast.window1.tickets.get(status="called"), clerk=cast.bob)
    with CaptureQueriesContext(connection) as context:
        assert ticket_call_next(window=cast.window1, clerk=cast.bob) is not None
    # select the candidate (locked on PostgreSQL), claim it, count it out of the line, log the event
    assert len(statements(context)) == 4, statements(context)
