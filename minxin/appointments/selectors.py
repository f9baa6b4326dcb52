"""Reads: the hall's forecast from its ticket history, best times, peak advice, lists for staff."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from minxin.appointments.forecast import (
    ArrivalModel,
    DayKind,
    HourWait,
    day_kind,
    fit_arrivals,
    hourly_waits,
    windows_for_day,
)
from minxin.appointments.models import (
    ACTIVE_BOOKING,
    Booking,
    BookingBar,
    HomeVisit,
    SlotPlan,
    StaffingPlan,
    VisitStatus,
)
from minxin.appointments.services.slots import hall_periods
from minxin.core import clock
from minxin.core.workdays import exceptions_between, is_working_day
from minxin.orgs.models import Hall
from minxin.queueing.models import Service, Ticket, TicketStatus, WorkProfileQueue

FORECAST_CACHE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class HourForecast:
    day: dt.date
    hour: int
    service_code: str
    arrivals: float
    windows: int
    wait: HourWait
    suggested_windows: int


@dataclass
class HallForecast:
    hall_code: str
    days: list[dt.date]
    hours: list[int]
    services: list[tuple[str, str]]  # (code, name)
    rows: list[HourForecast] = field(default_factory=list)
    effects: dict[str, dict[str, float]] = field(default_factory=dict)
    target_minutes: int = 15

    def hall_hour(self) -> dict[tuple[dt.date, int], tuple[float, float, float, float]]:
        """Per day and hour, over all services: (arrivals, wait weighted by arrivals, low, high)."""
        totals: dict[tuple[dt.date, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        for row in self.rows:
            cell = totals[row.day, row.hour]
            cell[0] += row.arrivals
            cell[1] += row.arrivals * row.wait.minutes
            cell[2] += row.arrivals * row.wait.low
            cell[3] += row.arrivals * row.wait.high
        result = {}
        for key, (arrivals, wait, low, high) in totals.items():
            share = arrivals or 1.0
            result[key] = (arrivals, wait / share, low / share, high / share)
        return result


def _calendar(start: dt.date, end: dt.date) -> dict[dt.date, DayKind]:
    table = exceptions_between(start - dt.timedelta(days=20), end + dt.timedelta(days=20))
    kinds = {}
    day = start
    while day <= end:
        kinds[day] = day_kind(day, lambda each: is_working_day(each, table))
        day += dt.timedelta(days=1)
    return kinds


def _history(hall: Hall, since: dt.date, until: dt.date) -> dict[int, dict[tuple[dt.date, int], int]]:
    """Arrivals (tickets issued, transfers left out) by service, local date and hour."""
    zone = ZoneInfo(hall.time_zone)
    counts: dict[int, dict[tuple[dt.date, int], int]] = defaultdict(lambda: defaultdict(int))
    rows = Ticket.objects.filter(
        hall=hall, service_date__gte=since, service_date__lt=until, transferred_from__isnull=True
    ).values_list("service_id", "issued_at")
    for service_id, issued_at in rows.iterator(chunk_size=5000):
        local = issued_at.astimezone(zone)
        counts[service_id][local.date(), local.hour] += 1
    return counts


def _service_minutes(hall: Hall, since: dt.date) -> dict[int, float]:
    """Mean minutes a ticket held its window, by service (from the call to the finish)."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    rows = Ticket.objects.filter(
        hall=hall, service_date__gte=since, status=TicketStatus.DONE, called_at__isnull=False
    ).values_list("service_id", "called_at", "finished_at")
    for service_id, called, finished in rows.iterator(chunk_size=5000):
        if finished is None or called is None:
            continue
        minutes = (finished - called).total_seconds() / 60
        if 0 < minutes < 240:
            sums[service_id][0] += minutes
            sums[service_id][1] += 1
    return {key: total / count for key, (total, count) in sums.items() if count >= 20}


def _default_windows(hall: Hall, services: list[Service]) -> dict[int, int]:
    """Windows serving each service's queue by the work profiles (of the open windows, when some are
    open), a window calling k queues counting 1/k for each (windows are shared); at least one."""
    queues_of: dict[int, list[int]] = defaultdict(list)
    entries = WorkProfileQueue.objects.filter(profile__window__hall=hall)
    if entries.filter(profile__window__state__status="open").exists():
        entries = entries.filter(profile__window__state__status="open")  # the windows staffed now
    for window_id, queue_id in entries.values_list("profile__window_id", "queue_id"):
        queues_of[window_id].append(queue_id)
    per_queue: dict[int, float] = defaultdict(float)
    for queues in queues_of.values():
        for queue_id in queues:
            per_queue[queue_id] += 1 / len(queues)
    return {service.pk: max(round(per_queue.get(service.queue_id, 1)), 1) for service in services}


def hall_forecast(*, hall: Hall, days: int = 7) -> HallForecast:
    """Expected arrivals, predicted wait with its band and suggested windows per service, day and open
    hour for the next `days` days from today, fitted on APPOINTMENTS_HISTORY_WEEKS weeks of history.
    Cached ten minutes per hall (the history moves slowly)."""
    today = clock.local_today(hall.time_zone)
    key = f"mx:appt-forecast:{hall.pk}:{today.isoformat()}:{days}"
    cached: HallForecast | None = cache.get(key)
    if cached is not None:
        return cached
    forecast = _hall_forecast(hall, today, days)
    cache.set(key, forecast, FORECAST_CACHE_SECONDS)
    return forecast


def forecast_forget(hall: Hall) -> None:
    today = clock.local_today(hall.time_zone)
    for days in range(1, 15):
        cache.delete(f"mx:appt-forecast:{hall.pk}:{today.isoformat()}:{days}")


def _hall_forecast(hall: Hall, today: dt.date, days: int) -> HallForecast:
    since = today - dt.timedelta(weeks=settings.APPOINTMENTS_HISTORY_WEEKS)
    future = [today + dt.timedelta(days=offset) for offset in range(days)]
    kinds = _calendar(since, future[-1])
    services = list(Service.objects.filter(hall=hall, is_active=True).order_by("position", "code"))
    history = _history(hall, since, today)
    minutes = _service_minutes(hall, since)
    plans = {plan.service_id: plan for plan in SlotPlan.objects.filter(hall=hall)}
    default_windows = _default_windows(hall, services)
    adopted: dict[tuple[int, int, int], int] = {
        (row.service_id, row.weekday, row.hour): row.windows for row in StaffingPlan.objects.filter(hall=hall)
    }
    past_days = [since + dt.timedelta(days=offset) for offset in range((today - since).days)]
    result = HallForecast(
        hall_code=hall.code,
        days=future,
        hours=[],
        services=[(service.code, service.name) for service in services],
        target_minutes=settings.APPOINTMENTS_TARGET_WAIT_MINUTES,
    )
    hours_seen: set[int] = set()
    for service in services:
        model: ArrivalModel = fit_arrivals(history.get(service.pk, {}), past_days, kinds)
        result.effects[service.code] = dict(model.effect)
        plan = plans.get(service.pk)
        service_minutes = minutes.get(service.pk) or (plan.service_minutes if plan else 10.0)
        for day in future:
            hours = _open_hours(hall, day)
            if not hours:
                continue
            hours_seen.update(hours)
            kind = kinds[day]
            arrivals = [model.expected(kind, hour) for hour in hours]
            fallback = plan.windows if plan else default_windows.get(service.pk, 1)
            windows = [adopted.get((service.pk, kind.weekday, hour), fallback) for hour in hours]
            waits = hourly_waits(arrivals=arrivals, service_minutes=service_minutes, windows=windows)
            suggested = windows_for_day(
                arrivals=arrivals,
                service_minutes=service_minutes,
                target_minutes=settings.APPOINTMENTS_TARGET_WAIT_MINUTES,
            )
            for hour, rate, servers, wait, need in zip(
                hours, arrivals, windows, waits, suggested, strict=True
            ):
                result.rows.append(
                    HourForecast(
                        day=day,
                        hour=hour,
                        service_code=service.code,
                        arrivals=rate,
                        windows=servers,
                        wait=wait,
                        suggested_windows=need,
                    )
                )
    result.hours = sorted(hours_seen)
    return result


def _open_hours(hall: Hall, day: dt.date) -> list[int]:
    hours: set[int] = set()
    for opens, closes in hall_periods(hall, day):
        hour = opens.hour
        while hour < 24 and dt.time(hour) < closes:  # a day open until 23:59:59 ends at hour 23
            hours.add(hour)
            hour += 1
    return sorted(hours)


@dataclass(frozen=True, slots=True)
class BestTime:
    day: dt.date
    hour: int
    wait: float
    low: float
    high: float


def best_times(forecast: HallForecast, *, service_code: str | None = None, limit: int = 5) -> list[BestTime]:
    """The open hours of the coming days with the shortest predicted wait (for one service, or the
    hall's arrivals-weighted wait), soonest first among equals; today's past hours are left out."""
    now_local = clock.now().astimezone(ZoneInfo(_zone_of(forecast)))
    cells: list[BestTime] = []
    if service_code is None:
        for (day, hour), (_arrivals, wait, low, high) in forecast.hall_hour().items():
            cells.append(BestTime(day, hour, wait, low, high))
    else:
        for row in forecast.rows:
            if row.service_code == service_code:
                cells.append(BestTime(row.day, row.hour, row.wait.minutes, row.wait.low, row.wait.high))
    upcoming = [
        cell
        for cell in cells
        if (cell.day, cell.hour) > (now_local.date(), now_local.hour) and math.isfinite(cell.wait)
    ]
    upcoming.sort(key=lambda cell: (round(cell.wait), cell.day, cell.hour))
    return upcoming[:limit]


def _zone_of(forecast: HallForecast) -> str:
    hall = Hall.objects.filter(code=forecast.hall_code).values_list("time_zone", flat=True).first()
    return hall or "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class PeakAdvice:
    peak: bool
    wait_now: float
    better: BestTime | None


def peak_advice(*, hall: Hall, service_code: str) -> PeakAdvice:
    """Whether now is a peak for the service (the predicted wait this hour is over the target) and, if
    so, a better hour today or on the next open day (the soonest with at most half the wait)."""
    forecast = hall_forecast(hall=hall, days=3)
    now_local = clock.local_now(hall.time_zone)
    rows = [row for row in forecast.rows if row.service_code == service_code]
    current = next((row for row in rows if row.day == now_local.date() and row.hour == now_local.hour), None)
    wait_now = current.wait.minutes if current else 0.0
    if current is None or wait_now <= forecast.target_minutes:
        return PeakAdvice(peak=False, wait_now=wait_now, better=None)
    later = [
        row
        for row in rows
        if (row.day, row.hour) > (now_local.date(), now_local.hour) and row.wait.minutes <= wait_now / 2
    ]
    later.sort(key=lambda row: (row.day, row.hour))
    better = later[0] if later else None
    return PeakAdvice(
        peak=True,
        wait_now=wait_now,
        better=BestTime(better.day, better.hour, better.wait.minutes, better.wait.low, better.wait.high)
        if better
        else None,
    )


def bookings_of_day(*, hall: Hall, day: dt.date) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(hall=hall, service_date=day)
        .select_related("service", "ticket")
        .order_by("starts_at", "id")
    )


def bookings_of_citizen(*, phone_hash: str) -> QuerySet[Booking]:
    today = clock.now().date() - dt.timedelta(days=1)
    return (
        Booking.objects.filter(phone_hash=phone_hash, service_date__gte=today)
        .select_related("hall", "service")
        .order_by("starts_at")
    )


def bars_of_hall(*, hall: Hall) -> QuerySet[BookingBar]:
    return BookingBar.objects.filter(hall=hall, until__gt=clock.now(), lifted_at__isnull=True).order_by(
        "-starts_at"
    )


def visits_of_hall(*, hall: Hall) -> QuerySet[HomeVisit]:
    return (
        HomeVisit.objects.filter(hall=hall)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("staff", "item", "case")
        .order_by("status", "scheduled_for", "-requested_at")
    )


def active_booking_counts(*, hall: Hall, day: dt.date) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in Booking.objects.filter(hall=hall, service_date=day).values_list("status", flat=True):
        counts[status] += 1
    counts["active"] = sum(counts[status] for status in ACTIVE_BOOKING)
    return dict(counts)
