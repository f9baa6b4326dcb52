"""How wide a hall's bands should be: the spread of its recent tickets' waits around the models they
were shown (`estimates.wait_dispersion`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from minxin.core import clock
from minxin.core.memo import memo
from minxin.orgs.models import Hall
from minxin.queueing.estimates import WaitModel, WaitOutcome, wait_dispersion
from minxin.queueing.forecasting.history import HISTORY_DAYS, PRESENT
from minxin.queueing.forecasting.wait_models import wait_models_flush
from minxin.queueing.models import Priority, Ticket, TicketEvent, TicketStatus

# The band's dispersion: learned from the latest tickets that were shown a range, at most this many (a busy
# hall takes 400 numbers a day, so about two weeks of them), recomputed every ten minutes per process.
DISPERSION_MAX_OUTCOMES = 5_000
DISPERSION_TTL_SECONDS = 600.0
CALLED = (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE)


def hall_wait_dispersion(hall: Hall) -> float:
    """φ for the hall's bands (`estimates.wait_dispersion`): how the waits of its recent tickets spread
    around the models they were shown, relative to the textbook Erlang spread. 1.0 until enough exist.

    The sample is the hall's tickets of the last four weeks that were shown a range at issue and then
    called, newest first, at most DISPERSION_MAX_OUTCOMES. The stored model predicts the time from issue
    to call (as bench/bench_estimates.py scores it), so only tickets whose call time the queue decided
    count:

    - kiosk and counter tickets only: a remote holder who arrives after their turn is called on arrival,
      so their wait measures the trip, not the queue (the benchmark's remote holders check in at once);
    - normal priority only: a green-channel ticket is called ahead of the line by rule;
    - still called, being served or done: a no-show, a lapse or a transfer is left out, as in the
      benchmark, and so is a ticket that rejoined after a no-show (its call time is the second one).
    """
    hall_id = hall.pk
    time_zone = hall.time_zone

    def load() -> float:
        wait_models_flush()  # this process's latest models count too
        since = clock.now() - dt.timedelta(days=HISTORY_DAYS)
        # The day bound lets the (hall, service_date, …) indexes find the four weeks without a full scan.
        first_day = clock.local_today(time_zone) - dt.timedelta(days=HISTORY_DAYS)
        rejoined = TicketEvent.objects.filter(
            ticket_id=OuterRef("pk"), kind=TicketEvent.Kind.REJOINED, at__gte=since
        )
        rows = (
            Ticket.objects.filter(
                hall_id=hall_id,
                service_date__gte=first_day,
                issued_at__gte=since,
                called_at__isnull=False,
                wait_shape__isnull=False,
                wait_mean_minutes__isnull=False,
                status__in=CALLED,
                channel__in=PRESENT,
                priority=Priority.NORMAL,
                transferred_from__isnull=True,
            )
            .exclude(Exists(rejoined))
            .order_by("-called_at")
            .values_list("wait_shape", "wait_mean_minutes", "issued_at", "called_at")[
                :DISPERSION_MAX_OUTCOMES
            ]
        )
        outcomes = [
            WaitOutcome(
                model=WaitModel(shape=shape, mean_minutes=mean_minutes),
                actual_minutes=max((called - issued).total_seconds(), 0.0) / 60.0,
            )
            for shape, mean_minutes, issued, called in rows
            if shape is not None and mean_minutes is not None and shape > 0 and called is not None
        ]
        return wait_dispersion(outcomes)

    return memo(("wait-dispersion", hall_id), DISPERSION_TTL_SECONDS, load)
