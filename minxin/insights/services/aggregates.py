"""The aggregate tables, kept current from the ticket event log.

Each run reads the ticket events after the cursor, in id order and in pages; every event names its
ticket, and the ticket names the bucket it counts in (its hall, its local date and the local hour it was
issued). Those hour buckets are recomputed from their tickets, then their days and months are summed
again. Because a bucket is always recomputed whole, never incremented, an event that arrives late (a
number finished after midnight, a worker that was down for a day, a transaction that committed after a
higher id was read) changes exactly the rows a full recomputation would give.

Ids are handed out before commit, so a slow transaction can commit an id lower than one already read.
The cursor therefore only settles ids whose events are older than `INSIGHTS_SETTLE_SECONDS`; the
younger tail is read again by the next run (recomputing is idempotent, so reading twice is harmless).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from minxin.core import clock
from minxin.insights.models import AggregateCursor, HallDayStats, HallHourStats, HallMonthStats
from minxin.insights.services.buckets import TICKET_COLUMNS, HourFigures, hour_of, sum_row
from minxin.orgs.models import Hall
from minxin.queueing.models import Ticket, TicketEvent

CURSOR = "tickets"
RECONCILE_CURSOR = "reconcile"
LEASE = dt.timedelta(minutes=5)

HallDay = tuple[int, dt.date]


def _zones() -> dict[int, ZoneInfo]:
    return {pk: ZoneInfo(zone) for pk, zone in Hall.objects.values_list("pk", "time_zone")}


CHUNK = 400  # halls per statement (SQLite allows 999 parameters)


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def date_refresh(
    *, service_date: dt.date, halls_hours: dict[int, set[int]], zones: dict[int, ZoneInfo]
) -> int:
    """Recompute, for many halls of one date, every hour row between the lowest and the highest hour
    asked for, then those halls' day rows: a fixed number of statements per chunk of halls, whatever
    their number. Recomputing an hour that was not asked for is harmless (it is computed from its
    tickets like the others). Returns the hour buckets recomputed."""
    low = min(min(hours) for hours in halls_hours.values())
    high = max(max(hours) for hours in halls_hours.values())
    at = clock.now()
    done = 0
    for hall_ids in _chunks(sorted(halls_hours)):
        tickets = _tickets_of_hours(hall_ids, service_date, low, high, zones)
        counted: dict[tuple[int, int], HourFigures] = defaultdict(HourFigures)
        for ticket in tickets.values(*TICKET_COLUMNS).iterator(chunk_size=5000):
            hour = hour_of(ticket["issued_at"], zones[ticket["hall_id"]], service_date)
            if low <= hour <= high:
                counted[(ticket["hall_id"], hour)].add(ticket)
        _rows_replace(hall_ids, service_date, (low, high), counted, at)
        done += len(hall_ids) * (high - low + 1)
    return done


def _tickets_of_hours(
    hall_ids: list[int], service_date: dt.date, low: int, high: int, zones: dict[int, ZoneInfo]
) -> QuerySet[Ticket]:
    """The halls' tickets of the date issued from hour `low` to hour `high` (in the earliest and the
    latest of their zones)."""
    tickets = Ticket.objects.filter(hall_id__in=hall_ids, service_date=service_date)
    if low > 0:  # hours 0 and 23 also hold the numbers issued outside the date (see hour_of)
        tickets = tickets.filter(
            issued_at__gte=min(
                dt.datetime.combine(service_date, dt.time(low), tzinfo=zones[pk]) for pk in hall_ids
            )
        )
    if high < 23:
        tickets = tickets.filter(
            issued_at__lt=max(
                dt.datetime.combine(service_date, dt.time(high), tzinfo=zones[pk]) for pk in hall_ids
            )
            + dt.timedelta(hours=1)
        )
    return tickets


@transaction.atomic
def _rows_replace(
    hall_ids: list[int],
    service_date: dt.date,
    hours: tuple[int, int],
    counted: dict[tuple[int, int], HourFigures],
    at: dt.datetime,
) -> None:
    """Replace the halls' hour rows from `hours[0]` to `hours[1]` with `counted`, then their day rows
    with the sums of all their hour rows, in one transaction."""
    low, high = hours
    HallHourStats.objects.filter(
        hall_id__in=hall_ids, service_date=service_date, hour__gte=low, hour__lte=high
    ).delete()
    HallHourStats.objects.bulk_create(
        [
            figures.row(hall_id=hall_id, service_date=service_date, hour=hour, at=at)
            for (hall_id, hour), figures in counted.items()
        ],
        batch_size=1000,
    )
    hours_of: dict[int, list[HallHourStats]] = defaultdict(list)
    for row in HallHourStats.objects.filter(hall_id__in=hall_ids, service_date=service_date):
        hours_of[row.hall_id].append(row)
    HallDayStats.objects.filter(hall_id__in=hall_ids, service_date=service_date).delete()
    HallDayStats.objects.bulk_create(
        [
            sum_row(
                HallDayStats,
                rows,
                at,
                hall_id=hall_id,
                service_date=service_date,
                windows=max(row.windows for row in rows),
            )
            for hall_id, rows in hours_of.items()
        ],
        batch_size=1000,
    )


def months_refresh(*, month: dt.date, hall_ids: set[int]) -> None:
    """The month rows of these halls, summed again from their day rows."""
    following = month_after(month)
    at = clock.now()
    for chunk in _chunks(sorted(hall_ids)):
        days_of: dict[int, list[HallDayStats]] = defaultdict(list)
        for row in HallDayStats.objects.filter(
            hall_id__in=chunk, service_date__gte=month, service_date__lt=following
        ):
            days_of[row.hall_id].append(row)
        with transaction.atomic():
            HallMonthStats.objects.filter(hall_id__in=chunk, month=month).delete()
            HallMonthStats.objects.bulk_create(
                [
                    sum_row(
                        HallMonthStats,
                        rows,
                        at,
                        hall_id=hall_id,
                        month=month,
                        windows=round(sum(row.windows for row in rows) / len(rows)),
                        days=len(rows),
                    )
                    for hall_id, rows in days_of.items()
                ],
                batch_size=1000,
            )


def month_after(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def buckets_refresh(buckets: dict[HallDay, set[int]], *, zones: dict[int, ZoneInfo] | None = None) -> int:
    """Recompute the given hour buckets, their days and their months, date by date. Returns the hour
    buckets recomputed."""
    zones = zones or _zones()
    by_date: dict[dt.date, dict[int, set[int]]] = defaultdict(dict)
    for (hall_id, service_date), hours in buckets.items():
        by_date[service_date][hall_id] = hours
    months: dict[dt.date, set[int]] = defaultdict(set)
    done = 0
    for service_date, halls_hours in sorted(by_date.items()):
        done += date_refresh(service_date=service_date, halls_hours=halls_hours, zones=zones)
        months[service_date.replace(day=1)].update(halls_hours)
    for month, hall_ids in sorted(months.items()):
        months_refresh(month=month, hall_ids=hall_ids)
    return done


def _cursor_lease(name: str) -> tuple[AggregateCursor, uuid.UUID] | None:
    """Lease the cursor with a conditional update; None when another run holds it."""
    AggregateCursor.objects.get_or_create(name=name)
    now = clock.now()
    token = uuid.uuid4()
    taken = AggregateCursor.objects.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now), name=name
    ).update(leased_until=now + LEASE, lease_token=token)
    if not taken:
        return None
    return AggregateCursor.objects.get(name=name), token


def _event_pages(after: int, page: int) -> Iterator[list[tuple[int, dt.datetime, int, dt.date, dt.datetime]]]:
    while True:
        rows = list(
            TicketEvent.objects.filter(id__gt=after)
            .order_by("id")
            .values_list("id", "at", "ticket__hall_id", "ticket__service_date", "ticket__issued_at")[:page]
        )
        if not rows:
            return
        yield rows
        if len(rows) < page:
            return
        after = rows[-1][0]


def aggregates_run(*, page: int | None = None, max_pages: int | None = None) -> int:
    """The worker's job: fold the events after the cursor into the aggregates. Returns the hours
    recomputed (0 when another worker holds the cursor or nothing happened)."""
    page = page or settings.INSIGHTS_AGGREGATE_PAGE
    max_pages = max_pages or settings.INSIGHTS_AGGREGATE_MAX_PAGES
    leased = _cursor_lease(CURSOR)
    if leased is None:
        return 0
    cursor, token = leased
    settle_before = clock.now() - dt.timedelta(seconds=settings.INSIGHTS_SETTLE_SECONDS)
    zones = _zones()
    settled = cursor.settled_event_id
    unsettled_seen = False
    events = recomputed = 0
    try:
        for number, rows in enumerate(_event_pages(cursor.settled_event_id, page)):
            buckets: dict[HallDay, set[int]] = defaultdict(set)
            for event_id, at, hall_id, service_date, issued_at in rows:
                buckets[(hall_id, service_date)].add(hour_of(issued_at, zones[hall_id], service_date))
                if at > settle_before:
                    unsettled_seen = True
                if not unsettled_seen:
                    settled = event_id
            recomputed += buckets_refresh(buckets, zones=zones)
            events += len(rows)
            AggregateCursor.objects.filter(name=CURSOR, lease_token=token).update(settled_event_id=settled)
            if number + 1 >= max_pages:
                break
    finally:
        AggregateCursor.objects.filter(name=CURSOR, lease_token=token).update(
            leased_until=None,
            lease_token=None,
            last_run_at=clock.now(),
            last_run_events=events,
            last_run_buckets=recomputed,
        )
    return recomputed


def aggregates_rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Recompute every hall-day with tickets between `start` and `end` (inclusive) from raw rows, whole
    days at a time, and drop aggregate rows of that range that no longer have tickets. The full
    recomputation: the demo runs it over its history, the nightly reconciliation over yesterday, the
    tests compare the job against it."""
    tickets = Ticket.objects.all()
    stale = HallDayStats.objects.all()
    if start is not None:
        tickets, stale = tickets.filter(service_date__gte=start), stale.filter(service_date__gte=start)
    if end is not None:
        tickets, stale = tickets.filter(service_date__lte=end), stale.filter(service_date__lte=end)
    whole_day = {0, 23}
    buckets: dict[HallDay, set[int]] = {
        (hall_id, service_date): whole_day
        for hall_id, service_date in tickets.values_list("hall_id", "service_date").distinct()
    }
    for hall_id, service_date in stale.values_list("hall_id", "service_date"):
        buckets[(hall_id, service_date)] = whole_day
    return buckets_refresh(buckets)


def aggregates_reconcile() -> int:
    """Once a day, recompute yesterday in full (the province's local date): a safety net for any row
    written without an event. Claimed through its own cursor, whose `settled_event_id` keeps the
    ordinal of the last date reconciled."""
    leased = _cursor_lease(RECONCILE_CURSOR)
    if leased is None:
        return 0
    cursor, token = leased
    yesterday = clock.local_today(settings.TIME_ZONE) - dt.timedelta(days=1)
    done = 0
    try:
        if cursor.settled_event_id < yesterday.toordinal():
            done = aggregates_rebuild(start=yesterday, end=yesterday)
            AggregateCursor.objects.filter(name=RECONCILE_CURSOR, lease_token=token).update(
                settled_event_id=yesterday.toordinal()
            )
    finally:
        AggregateCursor.objects.filter(name=RECONCILE_CURSOR, lease_token=token).update(
            leased_until=None, lease_token=None, last_run_at=clock.now()
        )
    return done
