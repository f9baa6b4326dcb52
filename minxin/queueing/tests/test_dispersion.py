"""The band learns its width from the hall's own tickets: the model each was shown at issue, stored on the
ticket, against the wait that followed (forecasting.hall_wait_dispersion)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minxin.core import clock
from minxin.core.memo import forget
from minxin.queueing import forecasting
from minxin.queueing.estimates import WaitModel
from minxin.queueing.forecasting import (
    hall_wait_dispersion,
    issued_estimate,
    queue_forecast,
    ticket_wait_model_record,
    wait_models_flush,
)
from minxin.queueing.models import Queue, Service, Ticket, TicketEvent, WindowState
from minxin.queueing.services import ticket_issue, window_set_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_open_hall")]

# Every past ticket below was shown Gamma(shape 4, mean 8 min): variance 8² / 4 = 16. A wait of 8 ± 2.4
# minutes is steadier than that: (2.4² · 4) / 8² = 0.36 for each ticket, so φ = 0.36.
MODEL = WaitModel(shape=4.0, mean_minutes=8.0)
STEADY_PHI = 0.36
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_stale_statistics() -> None:
    # The service-time statistics live in Django's cache, keyed by queue id; SQLite reuses ids across
    # tests, so start every test without another test's history.
    cache.clear()


def past_ticket(
    service: Service,
    *,
    wait_minutes: float,
    model: WaitModel | None = MODEL,
    days_ago: int = 1,
    minutes_later: float = 0.0,
    **fields: Any,
) -> Ticket:
    """A ticket of an earlier day, issued at this time of day, called `wait_minutes` later and served for
    five minutes, with `model` stored as the range it was shown."""
    issued = clock.now() - dt.timedelta(days=days_ago) + dt.timedelta(minutes=minutes_later)
    called = issued + dt.timedelta(minutes=wait_minutes)
    seq = next(_numbers)
    values: dict[str, Any] = {
        "hall_id": service.hall_id,
        "queue_id": service.queue_id,
        "service": service,
        "service_date": clock.local_today(service.hall.time_zone) - dt.timedelta(days=days_ago),
        "seq": seq,
        "number": f"Z{seq:03d}",
        "channel": "kiosk",
        "status": "done",
        "issued_at": issued,
        "called_at": called,
        "started_at": called,
        "finished_at": called + dt.timedelta(minutes=5),
        "wait_shape": model.shape if model else None,
        "wait_mean_minutes": model.mean_minutes if model else None,
    }
    return Ticket(**(values | fields))


def steady(service: Service, count: int, **fields: Any) -> list[Ticket]:
    """`count` tickets that waited 8 ± 2.4 minutes against MODEL, spread over the last days."""
    return [
        past_ticket(
            service,
            wait_minutes=MODEL.mean_minutes + (2.4 if index % 2 else -2.4),
            days_ago=1 + index % 20,
            minutes_later=index,
            **fields,
        )
        for index in range(count)
    ]


def wild(service: Service, count: int, *, days_ago: int = 1, **fields: Any) -> list[Ticket]:
    """`count` tickets that waited 24 minutes against MODEL: (16² · 4) / 8² = 16 each."""
    return [
        past_ticket(service, wait_minutes=24.0, days_ago=days_ago + index % 20, minutes_later=index, **fields)
        for index in range(count)
    ]


@pytest.mark.parametrize(("count", "phi"), [(199, 1.0), (200, STEADY_PHI)])
def test_dispersion_stays_textbook_until_enough_tickets_were_shown_a_range(line, count, phi) -> None:
    Ticket.objects.bulk_create(steady(line.huji, count))
    assert hall_wait_dispersion(line.hall) == pytest.approx(phi)


def test_tickets_without_a_stored_model_teach_nothing(line) -> None:
    # Called at once, or issued before models were stored: no range was shown, so nothing to calibrate.
    Ticket.objects.bulk_create(steady(line.huji, 300, wait_shape=None, wait_mean_minutes=None))
    assert hall_wait_dispersion(line.hall) == 1.0


@pytest.fixture
def other_hall_service(cast) -> Service:
    queue = Queue.objects.create(hall=cast.other_hall, code="fp", prefix="A", name="发票")
    return Service.objects.create(hall=cast.other_hall, code="fp", name="发票业务", queue=queue)


@pytest.mark.parametrize(
    "kind", ["other hall", "stale", "remote", "no-show", "transferred", "green channel", "rejoined"]
)
def test_only_the_halls_recent_tickets_called_in_their_turn_count(line, other_hall_service, kind) -> None:
    """200 steady tickets give 0.36; 50 wild ones of each excluded kind would lift φ to 3.5 if counted."""
    Ticket.objects.bulk_create(steady(line.huji, 200))
    if kind == "other hall":
        outliers = wild(other_hall_service, 50)
    elif kind == "stale":
        outliers = wild(line.huji, 50, days_ago=forecasting.HISTORY_DAYS + 1)
    else:
        fields: dict[str, Any] = {
            "remote": {"channel": "web", "checked_in_at": clock.now() - dt.timedelta(days=1)},
            "no-show": {"status": "no_show"},
            "transferred": {"status": "transferred"},
            "green channel": {"priority": 2},
            "rejoined": {},
        }[kind]
        outliers = wild(line.huji, 50, **fields)
    created = Ticket.objects.bulk_create(outliers)
    if kind == "rejoined":
        # A no-show that came back: its call time is the second call, long after its turn.
        TicketEvent.objects.bulk_create(
            TicketEvent(ticket=ticket, kind=TicketEvent.Kind.REJOINED, at=ticket.issued_at)
            for ticket in created
        )
    assert hall_wait_dispersion(line.hall) == pytest.approx(STEADY_PHI)
    if kind == "other hall":
        assert hall_wait_dispersion(other_hall_service.hall) == 1.0  # 50 are too few for that hall


def test_the_same_wild_tickets_do_count_when_they_belong(line) -> None:
    """Counted, the same wild tickets move φ: the exclusions above are what keeps it at 0.36."""
    Ticket.objects.bulk_create(steady(line.huji, 200) + wild(line.huji, 50))
    assert hall_wait_dispersion(line.hall) == pytest.approx((200 * STEADY_PHI + 50 * 16.0) / 250)


def test_only_the_newest_tickets_are_read(line, monkeypatch) -> None:
    monkeypatch.setattr(forecasting.dispersion, "DISPERSION_MAX_OUTCOMES", 200)
    recent = [
        past_ticket(line.huji, wait_minutes=8 + (2.4 if i % 2 else -2.4), days_ago=1) for i in range(200)
    ]
    older = [past_ticket(line.huji, wait_minutes=24.0, days_ago=2) for _ in range(100)]
    Ticket.objects.bulk_create(recent + older)
    assert hall_wait_dispersion(line.hall) == pytest.approx(STEADY_PHI)


def test_the_learned_dispersion_is_kept_for_a_while(line) -> None:
    assert hall_wait_dispersion(line.hall) == 1.0
    Ticket.objects.bulk_create(steady(line.huji, 200))
    assert hall_wait_dispersion(line.hall) == 1.0  # memoised: the history is not read on every estimate
    forget("wait-dispersion")
    assert hall_wait_dispersion(line.hall) == pytest.approx(STEADY_PHI)


def test_a_learned_dispersion_narrows_the_band_and_keeps_the_point(cast, line) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    Ticket.objects.bulk_create(steady(line.huji, 200, wait_shape=None, wait_mean_minutes=None))
    textbook = queue_forecast(queue=line.queue_a, ahead_present=10, ahead_remote=0)
    Ticket.objects.filter(hall=line.hall).update(wait_shape=MODEL.shape, wait_mean_minutes=MODEL.mean_minutes)
    forget("wait-dispersion")
    learned = queue_forecast(queue=line.queue_a, ahead_present=10, ahead_remote=0)

    assert textbook is not None
    assert learned is not None
    assert hall_wait_dispersion(line.hall) == pytest.approx(STEADY_PHI)
    assert learned.model == textbook.model is not None
    assert learned.estimate.minutes == textbook.estimate.minutes == 55  # 11 services of 5 min, one window
    assert textbook.estimate.low < learned.estimate.low <= learned.estimate.minutes
    assert learned.estimate.minutes <= learned.estimate.high < textbook.estimate.high


def test_issue_stores_the_model_of_a_ranged_estimate_and_none_when_called_at_once(cast, line) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    Ticket.objects.bulk_create(steady(line.huji, 20, wait_shape=None, wait_mean_minutes=None))

    first = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk", idempotency_key="k1")
    at_once = issued_estimate(first)
    second = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    ranged = issued_estimate(second)

    assert at_once is not None
    assert (at_once.minutes, at_once.low, at_once.high) == (0, 0, 0)
    assert Ticket.objects.values_list("wait_shape", "wait_mean_minutes").get(pk=first.ticket.pk) == (
        None,
        None,
    )
    assert ranged is not None
    assert ranged.low < ranged.high
    wait_models_flush()  # PostgreSQL writes them in batches
    shape, mean_minutes = Ticket.objects.values_list("wait_shape", "wait_mean_minutes").get(
        pk=second.ticket.pk
    )
    assert shape == pytest.approx(2.0)  # one ahead, plus its own service
    assert mean_minutes == pytest.approx(10.0)  # two services of five minutes at one window
    assert round(mean_minutes) == ranged.minutes

    replay = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk", idempotency_key="k1")
    assert replay.replayed
    with CaptureQueriesContext(connection) as context:
        issued_estimate(replay)
    assert not [q for q in context.captured_queries if q["sql"].startswith("UPDATE")]


def test_the_ticket_page_says_no_wait_to_a_number_called_at_once_and_a_band_to_the_next(
    cast, line, client
) -> None:
    window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    Ticket.objects.bulk_create(steady(line.huji, 20, wait_shape=None, wait_mean_minutes=None))
    first = issued_estimate(ticket_issue(hall=line.hall, service_code="huji", channel="kiosk"))
    second = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk")
    band = issued_estimate(second)
    assert first is not None
    assert band is not None
    assert (first.minutes, first.low, first.high) == (0, 0, 0)

    at_once = client.get(f"/tickets/{Ticket.objects.get(number='A001').public_id}/").content.decode()
    behind = client.get(f"/tickets/{second.ticket.public_id}/").content.decode()

    assert "无需等候" in at_once
    assert "（0–0）" not in at_once
    assert "无需等候" not in behind
    assert f"{band.minutes} 分钟（{band.low}–{band.high}）" in behind


def test_recording_stores_the_model_once(line) -> None:
    ticket = ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket
    ticket_wait_model_record(ticket.pk, WaitModel(shape=3.5, mean_minutes=12.25))
    ticket_wait_model_record(ticket.pk, WaitModel(shape=9.0, mean_minutes=40.0))
    ticket_wait_model_record(ticket.pk, None)
    wait_models_flush()
    stored = Ticket.objects.values_list("wait_shape", "wait_mean_minutes").get(pk=ticket.pk)
    assert stored == (3.5, 12.25)
    ticket_wait_model_record(ticket.pk, WaitModel(shape=1.0, mean_minutes=1.0))  # in a later batch
    wait_models_flush()
    assert Ticket.objects.values_list("wait_shape", "wait_mean_minutes").get(pk=ticket.pk) == stored


def test_recording_costs_one_statement_a_batch_on_postgresql_and_none_is_none(line) -> None:
    tickets = [
        ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket
        for _ in range(forecasting.WAIT_MODEL_BATCH)
    ]
    with CaptureQueriesContext(connection) as context:
        for n, ticket in enumerate(tickets, start=1):
            ticket_wait_model_record(ticket.pk, WaitModel(shape=float(n), mean_minutes=2.0 * n))
    updates = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert all(sql.startswith("UPDATE") for sql in updates)
    assert len(updates) == (1 if connection.vendor == "postgresql" else len(tickets))
    assert wait_models_flush() == 0  # the batch went out with its last model
    stored = dict(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("pk", "wait_shape"))
    assert stored == {ticket.pk: float(n) for n, ticket in enumerate(tickets, start=1)}
    with CaptureQueriesContext(connection) as context:
        ticket_wait_model_record(tickets[0].pk, None)
    assert context.captured_queries == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes each model at once")
def test_a_held_model_goes_out_with_the_next_once_it_is_old(line, monkeypatch) -> None:
    first, second = (ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket for _ in "12")
    ticket_wait_model_record(first.pk, WaitModel(shape=2.0, mean_minutes=4.0))
    assert Ticket.objects.get(pk=first.pk).wait_shape is None  # held
    monkeypatch.setattr(forecasting.wait_models, "WAIT_MODEL_BATCH_SECONDS", 0.0)
    ticket_wait_model_record(second.pk, WaitModel(shape=3.0, mean_minutes=6.0))
    shapes = dict(Ticket.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "wait_shape"))
    assert shapes == {first.pk: 2.0, second.pk: 3.0}


def test_the_capacity_model_drains_each_queue_s_oldest_tickets_only(line, at_open_hall, monkeypatch) -> None:
    """A line longer than DRAIN_MODEL_TICKETS is modelled by its head: the request that refreshes the
    model never walks thousands of tickets."""
    monkeypatch.setattr(forecasting.capacity, "DRAIN_MODEL_TICKETS", 3)
    a_tickets = []
    for _ in range(5):
        a_tickets.append(ticket_issue(hall=line.hall, service_code="huji", channel="kiosk").ticket)
        at_open_hall.shift(dt.timedelta(seconds=30))
    b_ticket = ticket_issue(hall=line.hall, service_code="qiye", channel="kiosk").ticket
    now = forecasting._hall_now(line.hall)
    assert now.waiting == {
        line.queue_a.pk: [(ticket.issued_at.timestamp(), False) for ticket in a_tickets[:3]],
        line.queue_b.pk: [(b_ticket.issued_at.timestamp(), False)],
    }
