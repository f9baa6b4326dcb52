"""Races found in review (issue 11), each pinned by a test that failed before its fix.

Where it is a race between two clients, two real database connections run it: this thread holds the
ticket's row lock while the other client, in its own thread, has read the ticket and waits on that lock
for its update; this thread then makes the other change and commits, and the waiting update runs
against a row that is no longer what it read. PostgreSQL only (SQLite's writers queue whole
transactions, so these interleavings cannot happen there)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from minxin.core.errors import Conflict, InvalidInput
from minxin.queueing import pg
from minxin.queueing.models import QueueDay, Ticket, TicketEvent
from minxin.queueing.services import (
    steps,
    ticket_call_next,
    ticket_cancel,
    ticket_check_in,
    ticket_finish,
    ticket_issue,
    ticket_start,
    ticket_transfer,
)

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="two connections interleaving row by row: PostgreSQL's"
)


def _until_a_connection_waits_on_a_lock(thread: threading.Thread, outcome: dict[str, Any]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and thread.is_alive():
        with connection.cursor() as cursor:
            # The activity view is read once per transaction unless its snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError(f"the other client never waited on the row lock: {outcome}")


def _while_it_waits(ticket: Ticket, other: Callable[[], Any], change: Callable[[], Any]) -> dict[str, Any]:
    """Run `other` in a thread of its own while this thread holds the ticket's row lock; once `other`
    waits on it, make `change` here and commit. What `other` returned or raised."""
    locked, outcome = threading.Event(), {}

    def client() -> None:
        locked.wait(10)
        try:
            outcome["value"] = other()
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=client)
    thread.start()
    with transaction.atomic():
        Ticket.objects.select_for_update().get(pk=ticket.pk)
        locked.set()
        _until_a_connection_waits_on_a_lock(thread, outcome)
        change()
    thread.join(10)
    assert not thread.is_alive()
    return outcome


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_open_hall")
def test_a_cancel_and_a_check_in_at_the_same_moment_count_the_reserved_number_once(line) -> None:
    remote = ticket_issue(hall=line.hall, service_code="huji", channel="web", phone="13812345678").ticket
    outcome = _while_it_waits(
        remote, lambda: ticket_cancel(ticket=remote), lambda: ticket_check_in(ticket=remote)
    )
    assert outcome["value"].status == "cancelled"
    day = QueueDay.objects.get(queue=line.queue_a, service_date=remote.service_date)
    assert (day.reserved, day.departed) == (0, 1)  # was (-1, 1): the check-in and the cancel both counted


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_open_hall")
def test_a_start_racing_a_finish_logs_no_start(cast, line, monkeypatch) -> None:
    monkeypatch.setattr(pg, "enabled", lambda: False)  # the ORM path, SQLite's, with real concurrency
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    outcome = _while_it_waits(
        called,
        lambda: ticket_start(ticket=called, clerk=cast.bob),
        lambda: ticket_finish(ticket=called, clerk=cast.bob),
    )
    assert isinstance(outcome.get("error"), Conflict)
    assert outcome["error"].code == "ticket_changed"
    assert not TicketEvent.objects.filter(ticket=called, kind=TicketEvent.Kind.STARTED).exists()
    assert Ticket.objects.get(pk=called.pk).status == "done"


@pytest.mark.django_db
@pytest.mark.usefixtures("at_open_hall")
def test_a_start_whose_update_changed_nothing_logs_no_start(cast, line, monkeypatch) -> None:
    """The same race on either database: the number leaves the window between the read and the update."""
    monkeypatch.setattr(pg, "enabled", lambda: False)
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    called = ticket_call_next(window=cast.window1, clerk=cast.bob)
    read = steps.ticket_at_window

    def read_then_finished_elsewhere(*args: Any) -> Ticket:
        current = read(*args)
        Ticket.objects.filter(pk=called.pk).update(status="done")
        return current

    monkeypatch.setattr(steps, "ticket_at_window", read_then_finished_elsewhere)
    with pytest.raises(Conflict) as refused:
        ticket_start(ticket=called, clerk=cast.bob)
    assert refused.value.code == "ticket_changed"
    assert not TicketEvent.objects.filter(ticket=called, kind=TicketEvent.Kind.STARTED).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("at_open_hall")
def test_a_transfer_to_a_window_out_of_use_is_refused(cast, line) -> None:
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    at_desk = ticket_call_next(window=cast.window1, clerk=cast.bob)
    cast.window2.is_active = False
    cast.window2.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput) as refused:
        ticket_transfer(ticket=at_desk, clerk=cast.bob, to_window=cast.window2)
    assert refused.value.code == "window_inactive"
    assert Ticket.objects.get(pk=at_desk.pk).status == "called"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("at_open_hall")
def test_the_desk_neither_offers_nor_takes_a_window_out_of_use(client, cast, line) -> None:
    ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    at_desk = ticket_call_next(window=cast.window1, clerk=cast.bob)
    cast.window2.is_active = False
    cast.window2.save(update_fields=["is_active"])
    client.force_login(cast.bob)
    desk = client.get(f"/staff/halls/{cast.hall.code}/windows/{cast.window1.number}/")
    assert desk.status_code == 200
    assert f'<option value="{cast.window2.number}">' not in desk.content.decode()
    client.post(
        f"/staff/halls/{cast.hall.code}/windows/{cast.window1.number}/transfer/",
        {"window": cast.window2.number, "service": "huji"},
    )
    moved = Ticket.objects.exclude(pk=at_desk.pk).get()
    assert moved.return_to_window_id is None  # sent on to the service's queue, not to window 2
