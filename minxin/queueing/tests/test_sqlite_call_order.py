"""On SQLite call-next reads the best waiting ticket with one written statement
(`sql.sqlite_call_candidate`) instead of the ORM query `services.calling.candidates` builds: both must
call in the same order, whatever the window's work profile. The statement is plain SQL, so this runs on
both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from minxin.core import clock
from minxin.queueing import sql
from minxin.queueing.models import Priority, Ticket, TicketStatus, WorkProfile, WorkProfileQueue
from minxin.queueing.services import ticket_issue, window_set_state
from minxin.queueing.services.calling import candidates, sqlite_candidate
from minxin.queueing.tests.conftest import OPEN

pytestmark = pytest.mark.django_db
NOW = OPEN + dt.timedelta(minutes=45)


@pytest.fixture
def waiting(cast: Any, line: Any) -> list[Ticket]:
    """Both queues' lines: a green-channel number, waits past 30 minutes and fresh ones, and a number
    sent back to window 2 only."""
    with time_machine.travel(OPEN, tick=False) as traveller:
        for minutes, service, priority in [
            (0, "huji", 0),
            (1, "qiye", 0),
            (2, "huji", Priority.GREEN_CHANNEL),
            (3, "qiye", 0),
            (4, "qiye", 0),
            (40, "huji", 0),
            (41, "qiye", 0),
            (42, "huji", 0),
            (43, "qiye", Priority.GREEN_CHANNEL),
        ]:
            traveller.move_to(OPEN + dt.timedelta(minutes=minutes))
            ticket_issue(
                hall=line.hall,
                service_code=service,
                channel="kiosk",
                priority=priority,
                priority_reason="elderly" if priority else "",
            )
    tickets = list(Ticket.objects.order_by("id"))
    Ticket.objects.filter(pk=tickets[4].pk).update(return_to_window=cast.window2)
    return tickets


def call_orders(window: Any) -> tuple[list[str], list[str]]:
    """(the ORM's order, the statement's order): each picks its best, then that ticket is called."""
    by_orm, by_statement = [], []
    with time_machine.travel(NOW, tick=False):
        now = clock.now()
        while True:
            orm = candidates(window, now).first()
            statement = sqlite_candidate(window, now)
            by_orm.append(orm.number if orm else "-")
            by_statement.append(statement.number if statement else "-")
            if orm is None or statement is None:
                return by_orm, by_statement
            Ticket.objects.filter(pk=orm.pk).update(status=TicketStatus.CALLED)


def test_a_window_without_a_profile_calls_in_the_same_order(cast, waiting) -> None:
    by_orm, by_statement = call_orders(cast.window1)
    assert by_orm == by_statement
    assert by_orm[:2] == ["A002", "B005"]  # the green channel first
    assert "B003" not in by_orm  # sent back to window 2


def test_a_profile_with_wait_limits_and_a_queue_order_calls_in_the_same_order(cast, line, waiting) -> None:
    profile = WorkProfile.objects.create(window=cast.window2, strategy=WorkProfile.Strategy.IN_ORDER)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_b, position=1)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_a, position=2, first_after_minutes=30)
    by_orm, by_statement = call_orders(cast.window2)
    assert by_orm == by_statement
    assert "B003" in by_orm


def test_a_profile_of_one_queue_by_longest_wait_calls_in_the_same_order(cast, line, waiting) -> None:
    profile = WorkProfile.objects.create(window=cast.window1, strategy=WorkProfile.Strategy.LONGEST_WAIT)
    WorkProfileQueue.objects.create(profile=profile, queue=line.queue_a, position=1, first_after_minutes=20)
    by_orm, by_statement = call_orders(cast.window1)
    assert by_orm == by_statement
    assert set(by_orm) == {"A001", "A002", "A003", "A004", "-"}


def test_a_paused_window_calls_nobody_either_way(cast, waiting) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status="paused")
    assert call_orders(cast.window1) == (["-"], ["-"])


def test_the_number_at_an_open_window_is_found(cast, waiting) -> None:
    assert sql.sqlite_ticket_at_window(window_id=cast.window1.pk) is None
    Ticket.objects.filter(pk=waiting[0].pk).update(status=TicketStatus.SERVING, window=cast.window1)
    found = sql.sqlite_ticket_at_window(window_id=cast.window1.pk)
    assert found is not None
    assert (found.number, found.public_id, found.issued_at) == (
        waiting[0].number,
        waiting[0].public_id,
        waiting[0].issued_at,
    )
    window_set_state(window=cast.window1, clerk=cast.bob, status="paused")
    assert sql.sqlite_ticket_at_window(window_id=cast.window1.pk) is None  # a paused window finishes nothing
