"""A simulated day of traffic for the demo halls, run by the worker when DEMO_SIMULATOR is on: citizens
take numbers (kiosk, web, counter with the green channel), remote ones check in or not, windows call,
serve and finish. Everything goes through the queue's own services, as real traffic would."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.demo.queues import QHD_QUEUES, TAX_QUEUES, QueueSpec
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_is_open
from minxin.queueing.models import AT_WINDOW, Service, Ticket, TicketStatus, WindowState
from minxin.queueing.services import (
    queue_rules,
    ticket_call_next,
    ticket_check_in,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_start,
)

SPECS = {"qhd-zwfw": QHD_QUEUES, "sjz-tax": TAX_QUEUES}
# About 85 % of what the staffed windows (demo/queues.py _staffed) serve in an hour, so lines build up in
# the peaks (rate_factor up to 1.6) and drain in the quiet hours, as in the history of demo/queues.py.
ARRIVALS_PER_HOUR = {"qhd-zwfw": 110.0, "sjz-tax": 55.0}
WALK_SECONDS = 25
INITIAL_LINE = {"qhd-zwfw": 30, "sjz-tax": 15}
_rng = random.Random()  # noqa: S311 - simulated citizens, not security
_last_step: dict[str, dt.datetime] = {}


def simulate_step() -> int:
    """Advance every demo hall to now. Returns how many actions were taken."""
    actor = User.objects.filter(username="admin").first()
    if actor is None:
        return 0
    done = 0
    for hall in Hall.objects.filter(code__in=SPECS):
        if hall_is_open(hall=hall):
            done += _arrivals(hall) + _check_ins(hall) + _windows(hall, actor)
    return done


def _rate_factor(hour: int) -> float:
    """Morning peak, quieter lunch and late afternoon."""
    return {9: 1.3, 10: 1.6, 11: 1.2, 12: 0.4, 13: 0.6, 14: 1.2, 15: 1.1, 16: 0.8}.get(hour, 0.5)


def _arrivals(hall: Hall) -> int:
    now = clock.now()
    last = _last_step.get(hall.code, now - dt.timedelta(seconds=3))
    _last_step[hall.code] = now
    seconds = min((now - last).total_seconds(), 60.0)
    hour = clock.local_now(hall.time_zone).hour
    expected = ARRIVALS_PER_HOUR[hall.code] * _rate_factor(hour) * seconds / 3600
    count = _poisson(expected)
    if not Ticket.objects.filter(hall=hall, service_date=clock.local_today(hall.time_zone)).exists():
        count += INITIAL_LINE[hall.code]  # a hall opening its doors: people were already waiting outside
    specs = SPECS[hall.code]
    services = {s.code: s for s in Service.objects.filter(hall=hall, is_active=True)}
    issued = 0
    for _ in range(count):
        spec = _rng.choices(specs, weights=[s.share for s in specs])[0]
        if spec.code not in services:
            continue
        roll = _rng.random()
        try:
            if roll < 0.25:
                phone = f"139{_rng.randrange(10**8):08d}"
                ticket_issue(hall=hall, service_code=spec.code, channel="web", phone=phone)
            elif roll < 0.30:
                ticket_issue(
                    hall=hall,
                    service_code=spec.code,
                    channel="counter",
                    priority=2,
                    priority_reason="elderly",
                )
            else:
                ticket_issue(hall=hall, service_code=spec.code, channel="kiosk")
            issued += 1
        except DomainError:
            continue
    return issued


def _poisson(mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, _rng.random()
    while product > limit:
        k += 1
        product *= _rng.random()
    return k


def _check_ins(hall: Hall) -> int:
    """Four in five remote citizens arrive 2–15 minutes after taking their number; the rest never do."""
    now = clock.now()
    done = 0
    reserved = Ticket.objects.filter(
        hall=hall, status=TicketStatus.RESERVED, issued_at__lte=now - dt.timedelta(minutes=2)
    )
    for ticket in reserved[:50]:
        fate = _fraction(ticket, "fate")
        arrive_after = 2 + 13 * _fraction(ticket, "arrival")
        if fate < 0.8 and now >= ticket.issued_at + dt.timedelta(minutes=arrive_after):
            try:
                ticket_check_in(ticket=ticket)
                done += 1
            except DomainError:
                continue
    return done


def _fraction(ticket: Ticket, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) for this ticket, so each citizen behaves consistently."""
    digest = hashlib.sha256(f"{ticket.public_id}:{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _service_seconds(ticket: Ticket, spec: QueueSpec | None) -> float:
    mean = (spec.mean_minutes if spec else 8.0) * 60
    # lognormal with sigma 0.5, from the ticket's stable fraction (inverse CDF by a simple approximation)
    u = min(max(_fraction(ticket, "duration"), 1e-6), 1 - 1e-6)
    z = math.sqrt(2) * _erfinv(2 * u - 1)
    return mean * math.exp(0.5 * z - 0.125)


def _erfinv(y: float) -> float:
    a = 0.147
    ln = math.log(1 - y * y)
    first = 2 / (math.pi * a) + ln / 2
    return math.copysign(math.sqrt(math.sqrt(first * first - ln / a) - first), y)


def _windows(hall: Hall, actor: User) -> int:
    now = clock.now()
    specs = {spec.code: spec for spec in SPECS[hall.code]}
    states = WindowState.objects.filter(window__hall=hall, status=WindowState.Status.OPEN).select_related(
        "window__hall"
    )
    active = {
        t.window_id: t
        for t in Ticket.objects.filter(hall=hall, status__in=AT_WINDOW).select_related(
            "queue", "hall", "service"
        )
    }
    done = 0
    for state in states:
        try:
            done += _advance_window(state, active.get(state.window_id), actor, now, specs)
        except DomainError:
            continue
    return done


def _advance_window(
    state: WindowState, ticket: Ticket | None, actor: User, now: dt.datetime, specs: dict[str, QueueSpec]
) -> int:
    """One step at one window: call when free, start or mark a no-show once the walk is over, finish
    when the service time has passed."""
    if ticket is None:
        return int(ticket_call_next(window=state.window, clerk=actor) is not None)
    if ticket.status == TicketStatus.CALLED and ticket.called_at:
        if now < ticket.called_at + dt.timedelta(seconds=WALK_SECONDS):
            return 0
        if _fraction(ticket, "no-show") < 0.03:
            grace = queue_rules(ticket.hall).no_show_grace_seconds
            if now < ticket.called_at + dt.timedelta(seconds=grace):
                return 0  # the window waits the hall's grace before giving the number up
            ticket_no_show(ticket=ticket, clerk=actor)
        else:
            ticket_start(ticket=ticket, clerk=actor)
        return 1
    if ticket.status == TicketStatus.SERVING and ticket.started_at:
        due = ticket.started_at + dt.timedelta(seconds=_service_seconds(ticket, specs.get(ticket.queue.code)))
        if now >= due:
            ticket_finish(ticket=ticket, clerk=actor)
            return 1
    return 0
