"""The hot paths are guarded by how many statements they send, not by time (DESIGN.md)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minxin.core.errors import Conflict
from minxin.queueing.models import WorkProfile, WorkProfileQueue
from minxin.queueing.rules import hall_topic
from minxin.queueing.services import ticket_call_next, ticket_finish, ticket_for_clerk, ticket_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]


def statements(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_taking_a_number_is_one_statement_on_postgresql_and_three_on_sqlite(line) -> None:
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")  # warms the per-process caches
    with CaptureQueriesContext(connection) as context:
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    expected = 1 if connection.vendor == "postgresql" else 3
    assert len(statements(context)) == expected, statements(context)


def test_calling_the_next_number_is_one_statement_on_postgresql_and_four_on_sqlite(cast, line) -> None:
    for _ in range(2):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    ticket_finish(ticket=cast.window1.tickets.get(status="called"), clerk=cast.bob)
    with CaptureQueriesContext(connection) as context:
        called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    assert (called.status, called.window_id, called.service.code) == ("called", cast.window1.pk, "huji")
    # select the candidate (locked with SKIP LOCKED), claim it, count it out of the line, log the event:
    # one statement on PostgreSQL, four on SQLite
    expected = 1 if connection.vendor == "postgresql" else 4
    assert len(statements(context)) == expected, statements(context)
    assert called.events.filter(kind="called", window=cast.window1).count() == 1


def test_next_finishing_the_current_number_is_one_statement_on_postgresql(cast, line) -> None:
    for _ in range(3):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True)  # warms the caches
    with CaptureQueriesContext(connection) as context:
        called = ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True)
    assert called is not None
    assert called.number == "A003"
    if connection.vendor == "postgresql":
        assert len(statements(context)) == 1, statements(context)
    assert [t.status for t in line.queue_a.tickets.order_by("seq")] == ["done", "done", "called"]


def test_a_clerk_finishing_a_number_costs_two_statements_on_postgresql(cast, line) -> None:
    """Read the ticket (window, hall and service come from the caches), then finish it with its event."""
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    ticket_for_clerk(user=cast.bob, public_id=str(called.public_id))  # warms the per-process caches
    with CaptureQueriesContext(connection) as context:
        ticket = ticket_for_clerk(user=cast.bob, public_id=str(called.public_id))
        done = ticket_finish(ticket=ticket, clerk=cast.bob)
    assert done.status == "done"
    assert done.finished_at is not None
    assert done.started_at == done.called_at
    expected = 2 if connection.vendor == "postgresql" else 4
    assert len(statements(context)) == expected, statements(context)
    assert done.events.filter(kind="finished", window=cast.window1, actor=cast.bob).count() == 1


def test_finishing_a_number_that_is_not_at_the_window_is_refused_and_writes_nothing(cast, line) -> None:
    issued = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    with pytest.raises(Conflict) as refused:
        ticket_finish(ticket=issued.ticket, clerk=cast.bob)
    assert refused.value.code == "ticket_not_at_window"
    assert issued.ticket.events.count() == 1
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    ticket_finish(ticket=called, clerk=cast.bob)
    with pytest.raises(Conflict):
        ticket_finish(ticket=called, clerk=cast.bob)
    assert called.events.filter(kind="finished").count() == 1


def live_messages(hall) -> list[dict]:
    from minxin.core.models import LiveMessage

    return [m.payload for m in LiveMessage.objects.filter(topic=hall_topic(hall)).order_by("id")]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the signal rides in the statement on PostgreSQL"
)
def test_each_hot_statement_carries_its_own_live_signal(cast, line) -> None:
    """The number, the call and the step each publish in their one statement, with the same message the
    separate publish sends elsewhere (the broker's table, and its NOTIFY, commit with the change)."""
    issued = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    done = ticket_finish(
        ticket=ticket_for_clerk(user=cast.bob, public_id=str(called.public_id)), clerk=cast.bob
    )
    issued_signal, called_signal, finished_signal = live_messages(line.hall)
    common = {
        "ticket": str(issued.ticket.public_id),
        "number": "A001",
        "queue": line.queue_a.pk,
        "service": "huji",
    }
    assert issued_signal | {"at": None} == common | {
        "type": "issued",
        "status": "waiting",
        "window": None,
        "window_name": None,
        "at": None,
    }
    assert called_signal | {"at": None} == common | {
        "type": "called",
        "status": "called",
        "window": "1",
        "window_name": cast.window1.name,
        "at": None,
    }
    assert finished_signal | {"at": None} == common | {
        "type": "finished",
        "status": done.status,
        "window": "1",
        "window_name": cast.window1.name,
        "at": None,
    }


def test_next_finishing_the_current_number_signals_both_as_their_own_steps_do(
    cast, line, django_capture_on_commit_callbacks
) -> None:
    """The finish and the call made by one "next" send the messages a finish and a call send alone (on
    PostgreSQL from within the statement)."""
    for _ in range(2):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    first = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert first is not None
    before = len(live_messages(line.hall))
    with django_capture_on_commit_callbacks(execute=True):  # SQLite publishes after the commit
        second = ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True)
    assert second is not None
    signals = sorted(live_messages(line.hall)[before:], key=lambda message: message["type"])
    window = {"window": "1", "window_name": cast.window1.name, "at": None, "queue": line.queue_a.pk}
    assert [signal | {"at": None} for signal in signals] == [
        window
        | {"type": "called", "ticket": str(second.public_id), "number": "A002", "service": "huji"}
        | {"status": "called"},
        window
        | {"type": "finished", "ticket": str(first.public_id), "number": "A001", "service": "huji"}
        | {"status": "done"},
    ]
    # Nobody left: only the finish is signalled.
    with django_capture_on_commit_callbacks(execute=True):
        assert ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True) is None
    assert [m["type"] for m in live_messages(line.hall)[before + 2 :]] == ["finished"]


def test_next_finishing_the_current_number_signals_both_through_redis(
    cast, line, redis_url, django_capture_on_commit_callbacks
) -> None:
    """With Redis as the broker the signals cannot ride in the statement: they are sent after the
    commit, the finished number's read from the statement's row."""
    import redis
    from django.test import override_settings

    from minxin.core.events import REDIS_CHANNEL_PREFIX, broker

    subscriber = redis.Redis.from_url(redis_url).pubsub()
    subscriber.subscribe(f"{REDIS_CHANNEL_PREFIX}hall:{line.hall.code}")
    assert subscriber.get_message(timeout=5)["type"] == "subscribe"
    with override_settings(REDIS_URL=redis_url):
        broker.cache_clear()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                for _ in range(2):
                    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
                first = ticket_call_next(window=cast.window1, clerk=cast.bob)
                second = ticket_call_next(window=cast.window1, clerk=cast.bob, finish_current=True)
        finally:
            broker.cache_clear()
    assert first is not None
    assert second is not None
    signals = []
    while (message := subscriber.get_message(timeout=2)) is not None:
        signals.append(json.loads(message["data"]))
    subscriber.close()
    window = {"window": "1", "window_name": cast.window1.name, "queue": line.queue_a.pk, "service": "huji"}
    assert [(signal["type"], signal["number"]) for signal in signals] == [
        ("issued", "A001"),
        ("issued", "A002"),
        ("called", "A001"),
        ("finished", "A001"),
        ("called", "A002"),
    ]
    assert signals[3] | {"at": None} == window | {
        "type": "finished",
        "ticket": str(first.public_id),
        "number": "A001",
        "status": "done",
        "at": None,
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the signal rides in the statement on PostgreSQL"
)
def test_a_call_with_nobody_waiting_publishes_nothing(cast, line) -> None:
    assert ticket_call_next(window=cast.window1, clerk=cast.bob) is None
    assert live_messages(line.hall) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_numbers_are_taken_and_called_by_prepared_statements_but_a_profile_s_order_is_planned(
    cast, line
) -> None:
    """Prepared on its fifth use (settings), a statement keeps one plan. Longest-wait-first call-next
    walks the call-order index whatever the values; a profile with queue order or wait limits sorts,
    and its best plan depends on the queues' lines, so it is planned for its values every time."""
    profile = WorkProfile.objects.create(window=cast.window2, strategy=WorkProfile.Strategy.IN_ORDER)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_a, position=1)
    for _ in range(16):
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    for window in (cast.window1, cast.window2):
        for _ in range(7):
            called = ticket_call_next(window=window, clerk=cast.bob)
            assert called is not None
            ticket_finish(ticket=called, clerk=cast.bob)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("INSERT INTO queueing_ticket" in sql for sql in prepared)
    assert any("finished_at" in sql for sql in prepared)  # finish: planned by primary key anyway
    calls = [sql for sql in prepared if "SKIP LOCKED" in sql]
    assert len(calls) == 1, calls
    assert "CASE" not in calls[0]


def test_a_ticket_read_from_its_row_has_the_values_the_orm_reads(cast, line) -> None:
    """The hand-written reads give the model's values on both databases (SQLite's raw rows carry naive
    datetimes and hex UUIDs until the backend's converters run)."""
    from minxin.queueing.models import Ticket

    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    read = ticket_for_clerk(user=cast.bob, public_id=str(called.public_id))
    stored = Ticket.objects.get(pk=called.pk)
    for field in Ticket._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    assert read.called_at is not None
    assert read.called_at.tzinfo is not None
    assert isinstance(read.public_id, uuid.UUID)
