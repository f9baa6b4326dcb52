"""PIPL: a ticket's encrypted phone goes once the ticket closes; its other phone fields after
QUEUE_TICKET_PERSONAL_DAYS; a citizen's erasure clears closed tickets and keeps open ones."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from minxin.accounts import personal
from minxin.core.personal_data import Subject
from minxin.queueing.models import Ticket
from minxin.queueing.personal_data import (
    tickets_erase,
    tickets_export,
    tickets_forget_phones,
    tickets_retention,
)
from minxin.queueing.services import (
    ticket_call_next,
    ticket_cancel,
    ticket_finish,
    ticket_issue,
    ticket_start,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]
PHONE = "13812345678"


def take(line, phone: str = PHONE) -> Ticket:
    return ticket_issue(hall=line.hall, service_code="huji", channel="counter", phone=phone).ticket


def subject_of(phone: str = PHONE) -> Subject:
    return Subject(citizen_id=0, public_id="", phone_hash=personal.keyed_hash(phone, purpose="phone"))


def test_a_closed_ticket_loses_its_encrypted_phone_and_an_open_one_keeps_it(line) -> None:
    cancelled, waiting = take(line), take(line, "13912345678")
    ticket_cancel(ticket=cancelled)

    assert tickets_forget_phones() == 1

    cancelled.refresh_from_db()
    waiting.refresh_from_db()
    assert cancelled.phone_encrypted == ""
    assert cancelled.phone_masked == "138****5678"  # the masked form stays for the retention period
    assert personal.decrypt(waiting.phone_encrypted) == "13912345678"
    assert tickets_forget_phones() == 0  # nothing left to do: a conditional update, not a re-run


def test_a_served_ticket_keeps_its_phone_at_the_window_and_a_while_after(line, cast, at_open_hall) -> None:
    ticket = take(line)
    ticket_call_next(window=cast.window1, clerk=cast.bob)
    ticket.refresh_from_db()
    ticket_start(ticket=ticket, clerk=cast.bob)
    assert tickets_forget_phones() == 0  # form-free filing at the window reads it

    ticket.refresh_from_db()
    ticket_finish(ticket=ticket, clerk=cast.bob)
    assert tickets_forget_phones() == 0  # a rating at the window may still copy it, for the reply
    at_open_hall.shift(dt.timedelta(minutes=31))
    assert tickets_forget_phones() == 1


def test_the_clear_job_runs_a_fixed_number_of_queries(line, django_assert_max_num_queries) -> None:
    for n in range(5):
        ticket_cancel(ticket=take(line, f"1381234560{n}"))
    with django_assert_max_num_queries(2):  # the halls, then one UPDATE
        assert tickets_forget_phones() == 5


def test_retention_clears_every_phone_field_after_the_period(line, settings, at_open_hall) -> None:
    settings.QUEUE_TICKET_PERSONAL_DAYS = 90
    old = take(line)
    ticket_cancel(ticket=old)
    at_open_hall.shift(dt.timedelta(days=5))
    assert tickets_retention() == 1  # the encrypted phone the worker missed (it was down)
    old.refresh_from_db()
    assert (old.phone_hash != "", old.phone_encrypted) == (True, "")

    at_open_hall.shift(dt.timedelta(days=86))
    assert tickets_retention() == 1
    old.refresh_from_db()
    assert (old.phone_hash, old.phone_masked, old.phone_encrypted) == ("", "", "")


def test_retention_never_touches_an_open_ticket(line, settings) -> None:
    settings.QUEUE_TICKET_PERSONAL_DAYS = 1
    ticket = take(line)
    with time_machine.travel(dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)):
        tickets_retention()
    ticket.refresh_from_db()
    assert personal.decrypt(ticket.phone_encrypted) == PHONE


def test_erasure_clears_closed_tickets_and_says_an_open_one_is_kept(line) -> None:
    closed, open_ = take(line), None
    ticket_cancel(ticket=closed)
    open_ = take(line)

    assert [row["number"] for row in tickets_export(subject_of())] == [closed.number, open_.number]
    erasure = tickets_erase(subject_of())

    closed.refresh_from_db()
    assert (closed.phone_hash, closed.phone_masked) == ("", "")
    assert erasure.erased == 1
    assert len(erasure.kept) == 1
    assert open_.number in erasure.kept[0]
    assert tickets_export(subject_of())[0]["number"] == open_.number
