"""PostgreSQL takes a number, calls and steps at the window with one hand-written statement each
(`queueing.pg`); SQLite takes the ORM paths in `services`. Both must do the same thing: here each
scenario runs twice on the same data in PostgreSQL, once per path (rolled back in between), and the
answers and what they leave in the database must be the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from minxin.queueing import pg
from minxin.queueing.models import Priority, QueueDay, Ticket, TicketEvent, WorkProfile, WorkProfileQueue
from minxin.queueing.services import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_start,
    window_set_state,
)
from minxin.queueing.tests.conftest import OPEN

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement paths are PostgreSQL's"),
]


def both_paths(scenario: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """(the scenario's picture by the one-statement paths, by the ORM paths), on the same data."""
    pictures = []
    for one_statement in (True, False):
        monkeypatch.setattr(pg, "enabled", lambda one_statement=one_statement: one_statement)
        with transaction.atomic():
            pictures.append((scenario(), database_picture()))
            transaction.set_rollback(True)
    return pictures[0], pictures[1]


def database_picture() -> dict[str, Any]:
    """What the paths leave behind, by ticket number (ids and public ids differ between the runs)."""
    tickets = Ticket.objects.order_by("number").values_list(
        "number",
        "seq",
        "status",
        "priority",
        "window_id",
        "clerk_id",
        "called_at",
        "started_at",
        "finished_at",
        "lapse_at",
        "recalls",
        "channel",
        "phone_hash",
    )
    events = TicketEvent.objects.order_by("ticket__number", "kind").values_list(
        "ticket__number", "kind", "at", "actor_id", "channel", "window_id", "details"
    )
    days = QueueDay.objects.order_by("queue_id").values_list(
        "queue_id", "service_date", "issued", "departed", "reserved", "last_called"
    )
    return {"tickets": list(tickets), "events": list(events), "days": list(days)}


def test_taking_numbers_gives_the_same_numbers_counts_and_rows(cast, line, monkeypatch) -> None:
    def scenario() -> list[tuple[Any, ...]]:
        answers = []
        with time_machine.travel(OPEN, tick=False) as traveller:
            for service, channel, phone, priority in [
                ("huji", "kiosk", None, Priority.NORMAL),
                ("huji", "web", "13812345678", Priority.NORMAL),
                ("qiye", "counter", None, Priority.NORMAL),
                ("huji", "kiosk", None, Priority.GREEN_CHANNEL),
                ("huji", "api", "13912345678", Priority.NORMAL),
            ]:
                traveller.shift(dt.timedelta(seconds=7))
                issued = ticket_issue(
                    hall=line.hall,
                    service_code=service,
                    channel=channel,
                    phone=phone,
                    priority=priority,
                    priority_reason="elderly" if priority else "",
                    idempotency_key=f"k-{service}-{channel}-{priority}",
                    actor=cast.bob if channel == "counter" else None,
                )
                answers.append(
                    (
                        issued.ticket.number,
                        issued.ticket.seq,
                        issued.ticket.status,
                        issued.ahead,
                        issued.ahead_reserved,
                        issued.last_called,
                        issued.replayed,
                    )
                )
            replay = ticket_issue(
                hall=line.hall,
                service_code="huji",
                channel="kiosk",
                idempotency_key=f"k-huji-kiosk-{Priority.NORMAL}",
            )
            answers.append((replay.ticket.number, replay.ahead, replay.replayed))
        return answers

    one_statement, orm = both_paths(scenario, monkeypatch)
    assert one_statement == orm
    assert len(one_statement[1]["tickets"]) == 5


def test_calling_by_a_work_profile_calls_in_the_same_order(cast, line, monkeypatch) -> None:
    profile = WorkProfile.objects.create(window=cast.window1, strategy=WorkProfile.Strategy.IN_ORDER)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_b, position=1)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_a, position=2, first_after_minutes=30)
    with time_machine.travel(OPEN, tick=False) as traveller:
        for minutes, service, priority in [
            (0, "huji", 0),
            (1, "qiye", 0),
            (2, "huji", Priority.GREEN_CHANNEL),
            (3, "qiye", 0),
            (40, "huji", 0),
            (41, "qiye", 0),
            (42, "huji", 0),
        ]:
            traveller.move_to(OPEN + dt.timedelta(minutes=minutes))
            ticket_issue(
                hall=line.hall,
                service_code=service,
                channel="kiosk",
                priority=priority,
                priority_reason="elderly" if priority else "",
            )
    window_set_state(window=cast.window2, clerk=cast.bob, status="open")

    def scenario() -> list[tuple[Any, ...]]:
        calls = []
        with time_machine.travel(OPEN + dt.timedelta(minutes=45), tick=False) as traveller:
            for step in range(9):
                traveller.shift(dt.timedelta(seconds=30))
                window = cast.window1 if step % 3 else cast.window2
                called = ticket_call_next(window=window, clerk=cast.bob, finish_current=True)
                calls.append((window.number, called.number if called else None))
        return calls

    one_statement, orm = both_paths(scenario, monkeypatch)
    assert one_statement == orm
    assert [number for _window, number in one_statement[0]].count(None) >= 1  # the line ran dry


def test_the_steps_at_the_window_leave_the_same_rows(cast, line, monkeypatch) -> None:
    with time_machine.travel(OPEN, tick=False):
        for _ in range(3):
            ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")

    def scenario() -> list[tuple[Any, ...]]:
        steps = []
        with time_machine.travel(OPEN + dt.timedelta(minutes=5), tick=False) as traveller:
            for start in (True, False, True):
                called = ticket_call_next(window=cast.window1, clerk=cast.bob)
                assert called is not None
                traveller.shift(dt.timedelta(seconds=40))
                if start:
                    started = ticket_start(ticket=called, clerk=cast.bob)
                    steps.append((started.number, started.status, started.started_at))
                traveller.shift(dt.timedelta(minutes=3))
                done = ticket_finish(ticket=called, clerk=cast.bob)
                steps.append((done.number, done.status, done.started_at, done.finished_at))
        return steps

    one_statement, orm = both_paths(scenario, monkeypatch)
    assert one_statement == orm
