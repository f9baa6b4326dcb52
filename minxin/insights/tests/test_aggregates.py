"""The aggregates the worker keeps equal a full recomputation from raw rows: over a simulated month,
with late events, after a day's downtime, and against figures computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from minxin.insights.models import AggregateCursor, HallDayStats, HallHourStats, HallMonthStats
from minxin.insights.services.aggregates import CURSOR, aggregates_run
from minxin.insights.tests.conftest import (
    Floor,
    aggregate_rows,
    local,
    month_simulate,
    rebuild_reference,
    ticket_make,
)

MONDAY = dt.date(2026, 11, 2)
AFTER_MONTH = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def run_until_idle(**kwargs: Any) -> int:
    total = 0
    while done := aggregates_run(**kwargs):
        total += done
        if total > 10_000:
            break
    return total


@pytest.mark.django_db
def test_hour_row_counts_by_hand(floor: Floor) -> None:
    hall = floor.cast.hall
    day = MONDAY
    # 09:05 waited 5 min, served 4 min at window 1; 09:20 waited 15 min, served 6; 09:40 a no-show;
    # 09:50 a remote number checked in at 10:10, called 2 min later (counts in hour 9, its issue hour)
    ticket_make(
        floor,
        hall,
        issued=local(day, 9, 5),
        wait=300,
        service=240,
        window=floor.cast.window1,
        forecast_minutes=6,
    )
    ticket_make(
        floor,
        hall,
        issued=local(day, 9, 20),
        wait=900,
        service=360,
        window=floor.cast.window2,
        forecast_minutes=10,
    )
    ticket_make(floor, hall, issued=local(day, 9, 40), status="no_show", wait=600, window=floor.cast.window1)
    ticket_make(
        floor,
        hall,
        issued=local(day, 9, 50),
        wait=120,
        service=60,
        channel="web",
        checked_in=local(day, 10, 10),
        window=floor.cast.window1,
    )
    with time_machine.travel(AFTER_MONTH, tick=False):
        aggregates_run()
    row = HallHourStats.objects.get(hall=hall, service_date=day, hour=9)
    assert (row.issued, row.served, row.no_show, row.remote) == (4, 3, 1, 1)
    assert (row.waited, row.wait_seconds, row.wait_max_seconds) == (3, 300 + 900 + 120, 900)
    assert (row.service_count, row.service_seconds) == (3, 240 + 360 + 60)
    assert (row.forecast_count, row.forecast_seconds, row.windows) == (2, 960, 2)
    day_row = HallDayStats.objects.get(hall=hall, service_date=day)
    assert (day_row.issued, day_row.windows) == (4, 2)
    month = HallMonthStats.objects.get(hall=hall, month=dt.date(2026, 11, 1))
    assert (month.issued, month.days) == (4, 1)


@pytest.mark.django_db
def test_month_of_traffic_equals_full_recomputation(floor: Floor) -> None:
    made = month_simulate(floor, start=MONDAY, days=26, per_day=12)
    with time_machine.travel(AFTER_MONTH, tick=False):
        run_until_idle(page=97)  # odd pages: buckets split across pages
        incremental = aggregate_rows()
        assert sum(HallDayStats.objects.values_list("issued", flat=True)) == made
        assert incremental == rebuild_reference()


@pytest.mark.django_db
def test_independent_recount_of_days_from_raw_tickets(floor: Floor) -> None:
    from minxin.queueing.models import Ticket

    month_simulate(floor, start=MONDAY, days=10, per_day=9, seed=11)
    with time_machine.travel(AFTER_MONTH, tick=False):
        aggregates_run()
    for row in HallDayStats.objects.all():
        tickets = list(Ticket.objects.filter(hall_id=row.hall_id, service_date=row.service_date))
        waits = [
            max(0, round((t.called_at - (t.checked_in_at or t.issued_at)).total_seconds()))
            for t in tickets
            if t.called_at and t.status != "no_show"
        ]
        assert row.issued == len(tickets)
        assert row.served == sum(t.status == "done" for t in tickets)
        assert (row.waited, row.wait_seconds) == (len(waits), sum(waits))


@pytest.mark.django_db
def test_late_events_change_the_rows_a_recomputation_would(floor: Floor) -> None:
    hall = floor.cast.hall
    month_simulate(floor, start=MONDAY, days=12, per_day=6)
    with time_machine.travel(AFTER_MONTH, tick=False):
        aggregates_run()
    from minxin.queueing.models import Ticket, TicketEvent

    # a number of 3 November still waiting is finished late; a kiosk that was offline syncs a number of
    # 4 November a month later; a finished number is cancelled by an officer's correction
    late = ticket_make(
        floor, hall, issued=local(MONDAY + dt.timedelta(days=1), 16, 55), status="waiting", wait=None
    )
    with time_machine.travel(AFTER_MONTH + dt.timedelta(minutes=5), tick=False):
        aggregates_run()
    Ticket.objects.filter(pk=late.pk).update(
        status="done",
        called_at=late.issued_at + dt.timedelta(minutes=50),
        finished_at=late.issued_at + dt.timedelta(minutes=70),
    )
    TicketEvent.objects.create(ticket=late, kind="finished", at=AFTER_MONTH + dt.timedelta(minutes=6))
    ticket_make(floor, hall, issued=local(MONDAY + dt.timedelta(days=2), 10, 0), wait=60)
    done = Ticket.objects.filter(hall=hall, status="done").order_by("id").first()
    assert done is not None
    Ticket.objects.filter(pk=done.pk).update(status="cancelled")
    TicketEvent.objects.create(ticket=done, kind="cancelled", at=AFTER_MONTH + dt.timedelta(minutes=7))
    with time_machine.travel(AFTER_MONTH + dt.timedelta(hours=1), tick=False):
        aggregates_run()
        assert aggregate_rows() == rebuild_reference()


@pytest.mark.django_db
def test_recovers_after_the_worker_was_down_for_a_day(floor: Floor) -> None:
    month_simulate(floor, start=MONDAY, days=3, per_day=8)
    with time_machine.travel(dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC), tick=False):
        aggregates_run()
    settled = AggregateCursor.objects.get(name=CURSOR).settled_event_id
    month_simulate(floor, start=MONDAY + dt.timedelta(days=3), days=2, per_day=15, seed=3)  # a day and more
    with time_machine.travel(dt.datetime(2026, 11, 7, 12, tzinfo=dt.UTC), tick=False):
        aggregates_run(page=50, max_pages=1)  # a run does a bounded amount of work…
        assert AggregateCursor.objects.get(name=CURSOR).settled_event_id == settled + 50
        run_until_idle(page=50)  # …and the next runs catch up
        assert aggregate_rows() == rebuild_reference()


@pytest.mark.django_db
def test_recent_events_stay_unsettled_and_are_read_again(floor: Floor, settings: Any) -> None:
    settings.INSIGHTS_SETTLE_SECONDS = 120
    now = local(MONDAY, 10, 0)
    with time_machine.travel(now, tick=False):
        ticket_make(floor, floor.cast.hall, issued=now - dt.timedelta(minutes=30), wait=60)
        ticket_make(
            floor, floor.cast.hall, issued=now - dt.timedelta(seconds=50), wait=None, status="waiting"
        )
        aggregates_run()
        cursor = AggregateCursor.objects.get(name=CURSOR)
        assert cursor.last_run_events == 4
        from minxin.queueing.models import TicketEvent

        ids = list(TicketEvent.objects.order_by("id").values_list("id", flat=True))
        assert cursor.settled_event_id == ids[2]  # the young "issued" event is read again next time
        aggregates_run()
        assert AggregateCursor.objects.get(name=CURSOR).last_run_events == 1


@pytest.mark.django_db
def test_a_leased_cursor_is_not_run_twice(floor: Floor) -> None:
    ticket_make(floor, floor.cast.hall, issued=local(MONDAY, 9, 0))
    with time_machine.travel(AFTER_MONTH, tick=False):
        AggregateCursor.objects.create(name=CURSOR, leased_until=AFTER_MONTH + dt.timedelta(minutes=1))
        assert aggregates_run() == 0
        assert not HallHourStats.objects.exists()
    with time_machine.travel(AFTER_MONTH + dt.timedelta(minutes=2), tick=False):
        assert aggregates_run() == 1  # the lease ran out (a crashed worker does not block for ever)


@pytest.mark.django_db
def test_p90_and_mean_from_the_histogram(floor: Floor) -> None:
    from minxin.insights.figures import Figures

    hall = floor.cast.hall
    for minutes in range(1, 11):  # waits of 1..10 minutes and a half
        ticket_make(floor, hall, issued=local(MONDAY, 9, minutes), wait=minutes * 60 + 30)
    with time_machine.travel(AFTER_MONTH, tick=False):
        aggregates_run()
    figures = Figures.of(HallDayStats.objects.filter(hall=hall))
    assert figures.wait_mean == Decimal("6.0")
    assert figures.wait_p90 == Decimal("10.0")  # the 9th of 10 sits in the 9-10 minute bin's top


@pytest.mark.django_db
def test_a_number_issued_outside_its_date_counts_in_the_dates_last_hour(floor: Floor) -> None:
    # kept across midnight: issued 00:20 on the 3rd but numbered on the 2nd
    ticket = ticket_make(floor, floor.cast.hall, issued=local(MONDAY, 10, 0), wait=60)
    from minxin.queueing.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(issued_at=local(MONDAY + dt.timedelta(days=1), 0, 20))
    with time_machine.travel(AFTER_MONTH, tick=False):
        aggregates_run()
        assert HallHourStats.objects.get(hall=floor.cast.hall, service_date=MONDAY).hour == 23
        assert aggregate_rows() == rebuild_reference()
