"""Wait estimates from the hall's own history, fed to the pure estimator in `estimates.py`.

The inputs change slowly (service times over four weeks, the no-show share, the windows' recent mix, the
band's dispersion learned from past tickets), so each is cached for a short while per queue or hall:
issuing a ticket must not scan history.

The wait model behind the range a ticket is shown at issue is stored on the ticket
(`ticket_wait_model_record`); with the wait that follows it teaches the hall how wide its bands should
be (`hall_wait_dispersion`).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from minxin.core import clock
from minxin.core.memo import memo
from minxin.orgs.models import Hall
from minxin.queueing import sql
from minxin.queueing.estimates import (
    Estimate,
    ServiceStats,
    WaitForecast,
    WaitingTicket,
    WaitModel,
    WaitOutcome,
    drain_shares,
    effective_servers,
    expected_work_seconds,
    forecast_wait,
    service_stats,
    wait_dispersion,
)
from minxin.queueing.models import (
    AT_WINDOW,
    IN_LINE,
    Channel,
    Priority,
    Queue,
    Ticket,
    TicketEvent,
    TicketStatus,
    WindowState,
)
from minxin.queueing.rules import Issued, queue_rules
from minxin.queueing.selectors import ServiceLine, service_lines

HISTORY_DAYS = 28
DEFAULT_NO_SHOW_RATE = 0.2  # DOMAIN.md: a fifth of remote numbers never come, until the hall's own data say
MIN_NO_SHOW_SAMPLES = 20
REMOTE = (Channel.WEB, Channel.APP, Channel.API)
PRESENT = (Channel.KIOSK, Channel.COUNTER)
# The band's dispersion: learned from the latest tickets that were shown a range, at most this many (a busy
# hall takes 400 numbers a day, so about two weeks of them), recomputed every ten minutes per process.
DISPERSION_MAX_OUTCOMES = 5_000
DISPERSION_TTL_SECONDS = 600.0
# Service statistics and the no-show share, kept in the process for a minute in front of Django's cache:
# a number taken must not unpickle four weeks of service times (or fetch them from Redis) and average
# them again.
STATS_MEMO_SECONDS = 60.0
# The capacity model drains each queue's oldest tickets only, at most this many: beyond a few hundred the
# windows' shares follow the mix of the lines' heads, and a hall with thousands waiting (a load test)
# must not stall a request for a tenth of a second every few seconds walking them all.
DRAIN_MODEL_TICKETS = 250
CALLED = (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE)

logger = logging.getLogger(__name__)


def _service_seconds_by_hour(queue: Queue) -> dict[int, list[float]]:
    """Seconds each finished ticket held its window (from the call, walk included, to the finish), by
    the hour of the call: the time a window is taken per ticket is what drains a line."""
    key = f"mx:svc-seconds:{queue.pk}"
    cached: dict[int, list[float]] | None = cache.get(key)
    if cached is not None:
        return cached
    since = clock.now() - dt.timedelta(days=HISTORY_DAYS)
    zone = ZoneInfo(queue.hall.time_zone)
    by_hour: dict[int, list[float]] = defaultdict(list)
    rows = Ticket.objects.filter(
        queue=queue, status=TicketStatus.DONE, finished_at__gte=since, called_at__isnull=False
    ).values_list("called_at", "finished_at")
    for called, finished in rows.iterator(chunk_size=2000):
        if called is None or finished is None:
            continue
        seconds = (finished - called).total_seconds()
        if 0 < seconds < 4 * 3600:
            by_hour[called.astimezone(zone).hour].append(seconds)
    result = dict(by_hour)
    cache.set(key, result, 600)
    return result


def _queue_service_stats(queue: Queue, hour: int) -> ServiceStats:
    """`service_stats` of the queue's history for `hour`."""
    return memo(
        ("svc-stats", queue.pk, hour),
        STATS_MEMO_SECONDS,
        lambda: service_stats(_service_seconds_by_hour(queue), hour),
    )


def _no_show_rate(queue: Queue) -> float:
    return memo(("no-show", queue.pk), STATS_MEMO_SECONDS, lambda: _no_show_rate_shared(queue))


def _no_show_rate_shared(queue: Queue) -> float:
    key = f"mx:no-show:{queue.pk}"
    cached: float | None = cache.get(key)
    if cached is not None:
        return cached
    since = clock.now() - dt.timedelta(days=HISTORY_DAYS)
    counts = Ticket.objects.filter(
        queue=queue, channel__in=REMOTE, issued_at__gte=since, finished_at__isnull=False
    ).aggregate(
        total=Count("pk"),
        missed=Count("pk", filter=Q(status__in=[TicketStatus.LAPSED, TicketStatus.NO_SHOW])),
    )
    total = int(counts["total"])
    rate = int(counts["missed"]) / total if total >= MIN_NO_SHOW_SAMPLES else DEFAULT_NO_SHOW_RATE
    cache.set(key, rate, 600)
    return rate


@dataclass(frozen=True, slots=True)
class _HallNow:
    """What the hall looks like right now, for the capacity model: who waits (each queue's
    DRAIN_MODEL_TICKETS oldest), which windows are open and which queues each calls, which windows are
    free."""

    waiting: dict[int, list[tuple[float, bool]]]  # queue id → (issued timestamp, remote) oldest first
    profiles: list[tuple[int, frozenset[int]]]  # (window id, queue ids) of open windows
    busy_windows: frozenset[int]


def _hall_now(hall: Hall) -> _HallNow:
    hall_id = hall.pk

    def load() -> _HallNow:
        queue_ids = frozenset(
            Queue.objects.filter(hall_id=hall_id, is_active=True).values_list("pk", flat=True)
        )
        states = WindowState.objects.filter(window__hall_id=hall_id, status=WindowState.Status.OPEN)
        profiles = []
        for state in states.select_related("window__work_profile").prefetch_related(
            "window__work_profile__entries"
        ):
            profile = getattr(state.window, "work_profile", None)
            served = frozenset(entry.queue_id for entry in profile.entries.all()) if profile else queue_ids
            profiles.append((state.window_id, served or queue_ids))
        waiting: dict[int, list[tuple[float, bool]]] = defaultdict(list)
        today = clock.local_today(hall.time_zone)
        in_line = (
            Ticket.objects.filter(hall_id=hall_id, status__in=IN_LINE, service_date=today)
            .annotate(place=Window(RowNumber(), partition_by=F("queue_id"), order_by=F("issued_at").asc()))
            .filter(place__lte=DRAIN_MODEL_TICKETS)
        )
        for queue_id, issued_at, channel in in_line.order_by("issued_at").values_list(
            "queue_id", "issued_at", "channel"
        ):
            waiting[queue_id].append((issued_at.timestamp(), channel in REMOTE))
        busy = frozenset(
            window_id
            for window_id in Ticket.objects.filter(hall_id=hall_id, status__in=AT_WINDOW).values_list(
                "window_id", flat=True
            )
            if window_id is not None
        )
        return _HallNow(waiting=dict(waiting), profiles=profiles, busy_windows=busy)

    return memo(("hall-now", hall_id), 5, load)


def _servers(
    queue: Queue, mean_seconds: float, no_show_rate: float, grace_seconds: float
) -> tuple[float, int]:
    """The capacity model below, computed at most once per queue every few seconds: it walks every
    waiting ticket of the hall, and a busy kiosk takes several numbers a second."""
    key = ("servers", queue.pk, round(mean_seconds), round(no_show_rate, 3), grace_seconds)
    return memo(key, 5, lambda: _servers_now(queue, mean_seconds, no_show_rate, grace_seconds))


def _servers_now(
    queue: Queue, mean_seconds: float, no_show_rate: float, grace_seconds: float
) -> tuple[float, int]:
    """(effective open windows for the queue, how many of them are free right now).

    Each open window counts by the share of its time it will give this queue while a number taken now
    waits (`estimates.drain_shares`): shared windows call the longest wait, so they serve a queue most
    when it is long. Measured in bench/bench_estimates.py, this halves the error of shares taken from the
    last hour of work.
    """
    now = _hall_now(queue.hall)
    hour = clock.local_now(queue.hall.time_zone).hour
    means: dict[int, float] = {}
    for queue_id in {*now.waiting, queue.pk}:
        other = queue if queue_id == queue.pk else Queue(pk=queue_id, hall=queue.hall)
        means[queue_id] = (
            mean_seconds if queue_id == queue.pk else _queue_service_stats(other, hour).mean_seconds
        ) or mean_seconds
    waiting = {
        str(queue_id): [
            WaitingTicket(
                issued=issued,
                work_seconds=expected_work_seconds(
                    remote=remote,
                    no_show_rate=no_show_rate,
                    grace_seconds=grace_seconds,
                    mean_service_seconds=means[queue_id],
                ),
            )
            for issued, remote in tickets
        ]
        for queue_id, tickets in now.waiting.items()
    }
    profiles = [frozenset(str(q) for q in served) for _window, served in now.profiles]
    shares = drain_shares(
        queue=str(queue.pk), waiting=waiting, profiles=profiles, own_work_seconds=mean_seconds
    )
    free = sum(
        1 for window_id, served in now.profiles if queue.pk in served and window_id not in now.busy_windows
    )
    return effective_servers(shares), free


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


def queue_forecast(*, queue: Queue, ahead_present: int, ahead_remote: int) -> WaitForecast | None:
    """How long a ticket with these tickets ahead will wait, with an 80 % range and the model behind it;
    None when no window serving the queue is open or the queue has no service history yet.

    Service times are taken at the hour halfway through the expected wait, not the hour of issue: a
    number taken at 11:40 is served after lunch (bench/bench_estimates.py: bias +4.0 % → +2.1 %). The
    range's width is the hall's learned dispersion (`hall_wait_dispersion`).
    """
    rules = queue_rules(queue.hall)
    grace = float(rules.no_show_grace_seconds)
    local = clock.local_now(queue.hall.time_zone)
    no_show_rate = _no_show_rate(queue)
    dispersion = hall_wait_dispersion(queue.hall)
    forecast: WaitForecast | None = None
    hour = local.hour
    for _pass in range(2):
        stats = _queue_service_stats(queue, hour)
        if stats.mean_seconds <= 0:
            return None
        servers, free = _servers(queue, stats.mean_seconds, no_show_rate, grace)
        forecast = forecast_wait(
            ahead_present=max(ahead_present, 0),
            ahead_remote=max(ahead_remote, 0),
            no_show_rate=no_show_rate,
            grace_seconds=grace,
            mean_service_seconds=stats.mean_seconds,
            servers=servers,
            free_windows=free,
            dispersion=dispersion,
        )
        if forecast is None:
            return None
        mid_wait_hour = (local + dt.timedelta(minutes=forecast.estimate.minutes / 2)).hour
        if mid_wait_hour == hour:
            break
        hour = mid_wait_hour
    return forecast


def queue_estimate(*, queue: Queue, ahead_present: int, ahead_remote: int) -> Estimate | None:
    """`queue_forecast` without the model: what boards and pages show."""
    forecast = queue_forecast(queue=queue, ahead_present=ahead_present, ahead_remote=ahead_remote)
    return None if forecast is None else forecast.estimate


def ticket_forecast(*, ticket: Ticket, ahead: int, ahead_reserved: int) -> WaitForecast | None:
    """The wait of a ticket still in line, with `ahead` tickets before it of which `ahead_reserved` are
    remote ones not yet checked in, and the model behind its range; None once it has left the line."""
    if ticket.status not in IN_LINE:
        return None
    return queue_forecast(
        queue=ticket.queue, ahead_present=ahead - ahead_reserved, ahead_remote=ahead_reserved
    )


def ticket_estimate(*, ticket: Ticket, ahead: int, ahead_reserved: int) -> Estimate | None:
    """`ticket_forecast` without the model: what the ticket's pages show."""
    forecast = ticket_forecast(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved)
    return None if forecast is None else forecast.estimate


def ticket_wait_model_record(ticket_id: int, model: WaitModel | None) -> None:
    """Store the wait model behind the range a ticket was shown at issue, once.

    Only the first model sticks (`wait_shape IS NULL`): a replayed request or a second call cannot move
    it. None (no estimate, or "called at once": no range shown) stores nothing.

    On PostgreSQL the models are written in batches (`_PendingModels`): one UPDATE for up to
    WAIT_MODEL_BATCH tickets, sent by the number taken that fills the batch or finds it older than
    WAIT_MODEL_BATCH_SECONDS, before `hall_wait_dispersion` reads them, and at the process's exit.
    Writing each on its own was a second statement on every number taken (a quarter of its cost). The
    models only teach later bands their width, from hundreds of tickets: the few a crashed process had
    not written yet are not missed. On SQLite each is written at once.
    """
    if model is None:
        return
    if connection.vendor != "postgresql":
        sql.ticket_wait_model_write(ticket_id=ticket_id, shape=model.shape, mean_minutes=model.mean_minutes)
        return
    due = _PENDING.add(ticket_id, model)
    if due:
        _write_wait_models(due)


def wait_models_flush() -> int:
    """Write the wait models this process still holds (`ticket_wait_model_record`); how many."""
    due = _PENDING.take()
    if due:
        _write_wait_models(due)
    return len(due)


WAIT_MODEL_BATCH = 16
WAIT_MODEL_BATCH_SECONDS = 2.0


class _PendingModels:
    """The wait models of this process not written yet: (ticket id, shape, mean minutes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[int, tuple[int, float, float]] = {}
        self._since = 0.0

    def add(self, ticket_id: int, model: WaitModel) -> list[tuple[int, float, float]]:
        """Hold one more (a ticket's first model only: one UPDATE … FROM may not name a row twice);
        the whole batch back when it is due to be written."""
        now = time.monotonic()
        with self._lock:
            if not self._rows:
                self._since = now
            self._rows.setdefault(ticket_id, (ticket_id, model.shape, model.mean_minutes))
            if len(self._rows) < WAIT_MODEL_BATCH and now - self._since < WAIT_MODEL_BATCH_SECONDS:
                return []
            rows, self._rows = list(self._rows.values()), {}
        return rows

    def take(self) -> list[tuple[int, float, float]]:
        with self._lock:
            rows, self._rows = list(self._rows.values()), {}
        return rows

    def __bool__(self) -> bool:
        return bool(self._rows)


_PENDING = _PendingModels()


def _write_wait_models(rows: list[tuple[int, float, float]]) -> None:
    ids, shapes, means = (list(column) for column in zip(*rows, strict=True))
    try:
        # A savepoint inside a caller's transaction: a failed write must not abort the caller's work.
        sql.ticket_wait_models_write(ids=ids, shapes=shapes, means=means)
    except DatabaseError:
        logger.exception("could not store %d wait models", len(rows))


@atexit.register
def _flush_at_exit() -> None:
    if _PENDING:  # without models, nothing to do and no connection to open
        try:
            wait_models_flush()
        except Exception:  # the process is ending: a database gone first must not spoil the exit
            logger.warning("wait models not stored at exit", exc_info=True)


def issued_estimate(issued: Issued) -> Estimate | None:
    """The estimate for a number just taken (`services.ticket_issue`), its model stored on the ticket.

    A replayed request (same Idempotency-Key) gets a fresh estimate but stores nothing: the ticket keeps
    the model it was first shown.
    """
    forecast = ticket_forecast(ticket=issued.ticket, ahead=issued.ahead, ahead_reserved=issued.ahead_reserved)
    if forecast is None:
        return None
    if not issued.replayed:
        ticket_wait_model_record(issued.ticket.pk, forecast.model)
    return forecast.estimate


@dataclass(frozen=True, slots=True)
class LineEstimate:
    """A service's line with what a number taken now for it faces: the whole queue ahead (a queue may
    carry several services) and the wait estimate."""

    line: ServiceLine
    queue_waiting: int
    queue_reserved: int
    estimate: Estimate | None


def service_line_estimates(*, hall: Hall) -> list[LineEstimate]:
    lines = service_lines(hall=hall)
    per_queue: dict[int, tuple[int, int]] = {}
    for line in lines:
        waiting, reserved = per_queue.get(line.service.queue_id, (0, 0))
        per_queue[line.service.queue_id] = (waiting + line.waiting, reserved + line.reserved)
    estimates: dict[int, Estimate | None] = {}
    for line in lines:
        queue_id = line.service.queue_id
        if queue_id not in estimates:
            waiting, reserved = per_queue[queue_id]
            estimates[queue_id] = queue_estimate(
                queue=line.service.queue, ahead_present=waiting, ahead_remote=reserved
            )
    return [
        LineEstimate(
            line=line,
            queue_waiting=per_queue[line.service.queue_id][0],
            queue_reserved=per_queue[line.service.queue_id][1],
            estimate=estimates[line.service.queue_id],
        )
        for line in lines
    ]
