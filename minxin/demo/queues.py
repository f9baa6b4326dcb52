"""The demo halls' queues, services, work profiles and a few weeks of ticket history.

History is generated with the same shape production produces (tickets with their timestamps and
events, and the wait model behind the range each ticket was shown), so the estimator has statistics and a
learned band width from the first minute of `make demo`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from minxin.accounts.models import User
from minxin.catalog.models import Department, ServiceItem, Window, window_order
from minxin.core import clock
from minxin.core.models import CalendarDay
from minxin.orgs.models import Hall
from minxin.queueing.models import (
    Channel,
    Queue,
    QueueDay,
    Service,
    Ticket,
    TicketEvent,
    TicketStatus,
    WindowState,
    WorkProfile,
    WorkProfileQueue,
)


@dataclass(frozen=True, slots=True)
class QueueSpec:
    prefix: str
    code: str
    name: str
    departments: tuple[str, ...]
    mean_minutes: float
    share: float  # of the hall's arrivals


QHD_QUEUES = (
    QueueSpec("A", "police", "公安户政·出入境·交管", ("psb", "traffic"), 6.0, 0.22),
    QueueSpec("B", "business", "企业开办·市场监管", ("amr", "commerce", "miit", "tobacco"), 12.0, 0.16),
    QueueSpec("C", "property", "不动产登记", ("nrp", "housing"), 15.0, 0.14),
    QueueSpec("D", "social", "社保·医保·就业", ("hrss", "medins", "veteran", "disabled", "civil"), 8.0, 0.17),
    QueueSpec("E", "fund", "住房公积金", ("hpf",), 7.0, 0.10),
    QueueSpec("F", "tax", "税务", ("tax", "finance"), 9.0, 0.11),
    QueueSpec(
        "G",
        "utilities",
        "水电气·通信",
        ("tapwater", "power", "gas", "telecom"),
        5.0,
        0.05,
    ),
    QueueSpec("H", "other", "其他事项", (), 10.0, 0.05),
)
TAX_QUEUES = (
    QueueSpec("A", "invoice", "发票业务", (), 4.0, 0.35),
    QueueSpec("B", "filing", "申报缴税", (), 7.0, 0.30),
    QueueSpec("C", "register", "税务登记", (), 11.0, 0.15),
    QueueSpec("D", "social-fee", "社保费·非税收入", ("tax-sjz-sif",), 6.0, 0.20),
)
HISTORY_DAYS = 21
# Numbers a day in the history: its morning peak (_arrival_minutes) outruns the staffed windows and
# waits reach half an hour near 11:00; afternoons stay short.
DAILY_TICKETS = {"qhd-zwfw": 560, "sjz-tax": 280}


def load_queues(*, qhd: Hall, tax: Hall, today: dt.date, clerk: User) -> None:
    with transaction.atomic():
        for hall, specs in ((qhd, QHD_QUEUES), (tax, TAX_QUEUES)):
            if Queue.objects.filter(hall=hall).exists():
                continue
            queues = _queues(hall, specs)
            _profiles(hall, queues, specs)
            _history(hall, queues, specs, today=today, clerk=clerk)


def _queues(hall: Hall, specs: tuple[QueueSpec, ...]) -> dict[str, Queue]:
    """One service per queue. A queue lists its departments; one that lists none takes every department
    no other queue claimed (the centre's "other items", the tax hall's main department)."""
    queues: dict[str, Queue] = {}
    claimed = {code for spec in specs for code in spec.departments}
    for position, spec in enumerate(specs, start=1):
        queue = Queue.objects.create(
            hall=hall, code=spec.code, prefix=spec.prefix, name=spec.name, position=position
        )
        service = Service.objects.create(
            hall=hall, code=spec.code, name=spec.name, queue=queue, position=position
        )
        departments = Department.objects.filter(hall=hall)
        departments = (
            departments.filter(code__in=spec.departments)
            if spec.departments
            else departments.exclude(code__in=claimed)
        )
        service.items.set(ServiceItem.objects.filter(department__in=departments))
        queues[spec.code] = queue
    return queues


def _profiles(hall: Hall, queues: dict[str, Queue], specs: tuple[QueueSpec, ...]) -> None:
    """Department windows call their department's queue; comprehensive windows call every queue, longest
    wait first, but the property queue first once someone has waited 40 minutes there."""
    by_department = {code: spec.code for spec in specs for code in spec.departments}
    now = clock.now()
    windows = list(Window.objects.filter(hall=hall).select_related("department").order_by(*window_order()))
    staffed = _staffed(hall, windows, by_department, specs)
    for window in windows:
        if window.name == "统一出件窗口":
            continue  # hands out results; it calls nobody
        profile = WorkProfile.objects.create(window=window, strategy=WorkProfile.Strategy.LONGEST_WAIT)
        if window.department is not None and window.department.code in by_department:
            WorkProfileQueue.objects.create(
                profile=profile, queue=queues[by_department[window.department.code]]
            )
        elif window.department is not None and hall.code == "qhd-zwfw":
            WorkProfileQueue.objects.create(profile=profile, queue=queues["other"])
        else:
            for position, queue in enumerate(queues.values()):
                first_after = 40 if queue.code == "property" else None
                WorkProfileQueue.objects.create(
                    profile=profile, queue=queue, position=position, first_after_minutes=first_after
                )
        status = WindowState.Status.OPEN if window.pk in staffed else WindowState.Status.CLOSED
        WindowState.objects.create(window=window, status=status, since=now)


# Windows staffed for the queues that have windows of their own (besides three comprehensive windows),
# shared among those queues in proportion to their work (arrival share × mean service).
DEDICATED_STAFF = {"qhd-zwfw": 21}


def _staffed(
    hall: Hall, windows: list[Window], by_department: dict[str, str], specs: tuple[QueueSpec, ...]
) -> set[int]:
    """Who is at work today: three comprehensive windows; every window of a department whose windows
    call every queue (the tax hall's own, as in _profiles); and for each queue with windows of its own,
    windows in proportion to its work (at least one), taken in turn from its departments. A hall rarely
    staffs every window; the rest stay closed."""
    staffed: set[int] = set()
    own: dict[str, list[list[Window]]] = {}  # queue code → its departments' windows, department by department
    departments: dict[str, list[Window]] = {}
    comprehensive = 0
    for window in windows:
        if window.department is None:
            if window.name != "统一出件窗口" and comprehensive < 3:
                staffed.add(window.pk)
                comprehensive += 1
            continue
        code = by_department.get(window.department.code)
        if code is None and hall.code != "qhd-zwfw":
            staffed.add(window.pk)  # calls every queue
            continue
        code = code or "other"
        if window.department.code not in departments:
            departments[window.department.code] = []
            own.setdefault(code, []).append(departments[window.department.code])
        departments[window.department.code].append(window)
    work = {spec.code: spec.share * spec.mean_minutes for spec in specs if spec.code in own}
    total = sum(work.values())
    for code, groups in own.items():
        wanted = max(1, round(work[code] / total * DEDICATED_STAFF.get(hall.code, len(work))))
        turn = [window for rank in zip_longest(*groups) for window in rank if window is not None]
        staffed.update(window.pk for window in turn[:wanted])
    return staffed


def _working_days(today: dt.date, count: int) -> list[dt.date]:
    exceptions = dict(CalendarDay.objects.values_list("date", "is_working_day"))
    days: list[dt.date] = []
    day = today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if exceptions.get(day, day.weekday() < 5):
            days.append(day)
    return sorted(days)


def _arrival_minutes(rng: random.Random, count: int) -> list[float]:
    """Arrival times in minutes after 09:00: a morning peak near 10:00, a smaller one near 14:30."""
    minutes: list[float] = []
    while len(minutes) < count:
        morning = rng.random() < 0.6
        value = rng.gauss(60, 45) if morning else rng.gauss(330, 50)
        if 0 <= value < 180 or 270 <= value < 510:  # 09:00–12:00, 13:30–17:30
            minutes.append(value)
    return sorted(minutes)


# What a window spends on a history ticket besides the service itself: the call's delay and the walk
# to the counter (the uniform draws in _history below, on average).
_CALL_OVERHEAD_MINUTES = (22.5 + 40.0) / 60.0


def _wait_model(spec: QueueSpec, *, ahead: int, servers: float, morning: bool) -> tuple[float, float]:
    """(shape, mean minutes) of the range a history ticket was shown.

    The queue-length predictor of the ticket's queue (estimates.wait_model: ahead + 1 departures, each
    a service of the queue plus the call and the walk, at the rate of the windows' worth of capacity the
    queue gets, see _servers) stands in for what the estimator would have shown: running the estimator
    itself per historical ticket would need the hall's state at every issue. The waits that follow
    teach hall_wait_dispersion the band width of the demo's world from the first minute.
    """
    turn_minutes = spec.mean_minutes * (1.15 if morning else 0.95) + _CALL_OVERHEAD_MINUTES
    shape = ahead + 1.0
    return shape, shape * turn_minutes / servers


def _servers(calls: dict[int, list[int]], work: dict[int, float]) -> dict[int, float]:
    """Per queue, the windows' worth of capacity it gets: each window gives each queue it calls a share
    of its time in proportion to that queue's work (arrival share × mean service)."""
    servers = dict.fromkeys(work, 0.0)
    for queue_ids in calls.values():
        total = sum(work[queue_id] for queue_id in queue_ids)
        for queue_id in queue_ids:
            servers[queue_id] += work[queue_id] / total
    return servers


def _history(
    hall: Hall, queues: dict[str, Queue], specs: tuple[QueueSpec, ...], *, today: dt.date, clerk: User
) -> None:
    """Three weeks of served tickets at the windows staffed today, each number at the first of the windows
    calling its queue to come free: service times lognormal around each queue's mean (longer in the
    morning), a fifth of remote numbers never checked in."""
    world = _HistoryWorld.of(hall, queues, specs, clerk=clerk)
    tickets: list[Ticket] = []
    for day in _working_days(today, HISTORY_DAYS):
        counters = world.day(day, tickets)
        for queue_id, issued_count in counters.items():
            QueueDay.objects.create(
                queue_id=queue_id, service_date=day, issued=issued_count, departed=issued_count
            )
    created = Ticket.objects.bulk_create(tickets, batch_size=2000)
    TicketEvent.objects.bulk_create(_history_events(created), batch_size=5000)


@dataclass
class _HistoryWorld:
    """A hall's history being drawn: its queues, the open windows calling each, and the random draws."""

    hall: Hall
    queues: dict[str, Queue]
    specs: tuple[QueueSpec, ...]
    clerk: User
    rng: random.Random
    zone: ZoneInfo
    services: dict[int, Service]
    windows: dict[int, Window]
    calling: dict[int, list[Window]]
    servers: dict[int, float]

    @classmethod
    def of(
        cls, hall: Hall, queues: dict[str, Queue], specs: tuple[QueueSpec, ...], *, clerk: User
    ) -> _HistoryWorld:
        windows = {
            window.pk: window
            for window in Window.objects.filter(
                hall=hall, work_profile__isnull=False, state__status=WindowState.Status.OPEN
            )
        }
        calling: dict[int, list[Window]] = {queue.pk: [] for queue in queues.values()}
        calls: dict[int, list[int]] = {window_id: [] for window_id in windows}
        for queue_id, window_id in (
            WorkProfileQueue.objects.filter(profile__window__in=windows.keys())
            .order_by("profile__window_id")
            .values_list("queue_id", "profile__window_id")
        ):
            calling[queue_id].append(windows[window_id])
            calls[window_id].append(queue_id)
        work = {queues[spec.code].pk: spec.share * spec.mean_minutes for spec in specs}
        return cls(
            hall=hall,
            queues=queues,
            specs=specs,
            clerk=clerk,
            rng=random.Random(f"minxin-demo-{hall.code}"),  # noqa: S311 - demo data, not security
            zone=ZoneInfo(hall.time_zone),
            services={service.queue_id: service for service in Service.objects.filter(hall=hall)},
            windows=windows,
            calling=calling,
            servers=_servers(calls, work),
        )

    def day(self, day: dt.date, tickets: list[Ticket]) -> dict[int, int]:
        """Draw one day's tickets into `tickets`; how many each queue issued."""
        rng = self.rng
        opening = dt.datetime.combine(day, dt.time(9), tzinfo=self.zone)
        free_at = dict.fromkeys(self.windows, opening)
        counters: dict[int, int] = {}
        # per queue, call times of earlier tickets: who is still ahead at an issue
        lines: dict[int, list[dt.datetime]] = {queue_id: [] for queue_id in self.calling}
        for minute in _arrival_minutes(rng, DAILY_TICKETS.get(self.hall.code, 200)):
            spec = rng.choices(self.specs, weights=[s.share for s in self.specs])[0]
            queue = self.queues[spec.code]
            counters[queue.pk] = counters.get(queue.pk, 0) + 1
            issued = opening + dt.timedelta(minutes=minute)
            remote = rng.random() < 0.3
            base = dict(
                hall=self.hall,
                queue=queue,
                service=self.services[queue.pk],
                service_date=day,
                seq=counters[queue.pk],
                number=f"{queue.prefix}{counters[queue.pk]:03d}",
                channel=Channel.WEB if remote else Channel.KIOSK,
                issued_at=issued,
            )
            if remote and rng.random() < 0.2:
                finished = issued + dt.timedelta(hours=1)
                tickets.append(Ticket(**base, status=TicketStatus.LAPSED, finished_at=finished))
                continue
            tickets.append(self._served(spec, base, issued, free_at, lines[queue.pk]))
        return counters

    def _served(
        self,
        spec: QueueSpec,
        base: dict[str, Any],
        issued: dt.datetime,
        free_at: dict[int, dt.datetime],
        line: list[dt.datetime],
    ) -> Ticket:
        """A ticket served at the first window calling its queue to come free."""
        rng, queue = self.rng, base["queue"]
        window = min(self.calling[queue.pk], key=lambda w: free_at[w.pk])
        while line and line[0] <= issued:
            heapq.heappop(line)
        # A free window means "called at once": no range shown, no model stored.
        model = (
            None
            if free_at[window.pk] <= issued
            else _wait_model(
                spec,
                ahead=len(line),
                servers=self.servers[queue.pk],
                morning=issued.astimezone(self.zone).hour < 12,
            )
        )
        called = max(issued, free_at[window.pk]) + dt.timedelta(seconds=rng.uniform(5, 40))
        heapq.heappush(line, called)
        morning_factor = 1.15 if called.astimezone(self.zone).hour < 12 else 0.95
        minutes = rng.lognormvariate(0, 0.5) * spec.mean_minutes * morning_factor / 1.13
        started = called + dt.timedelta(seconds=rng.uniform(20, 60))
        finished = started + dt.timedelta(minutes=minutes)
        free_at[window.pk] = finished
        return Ticket(
            **base,
            status=TicketStatus.DONE,
            called_at=called,
            started_at=started,
            finished_at=finished,
            window=window,
            clerk=self.clerk,
            wait_shape=model[0] if model else None,
            wait_mean_minutes=model[1] if model else None,
        )


def _history_events(created: list[Ticket]) -> list[TicketEvent]:
    events = []
    for ticket in created:
        events.append(
            TicketEvent(
                ticket=ticket, kind=TicketEvent.Kind.ISSUED, at=ticket.issued_at, channel=ticket.channel
            )
        )
        if ticket.status == TicketStatus.LAPSED and ticket.finished_at:
            events.append(TicketEvent(ticket=ticket, kind=TicketEvent.Kind.LAPSED, at=ticket.finished_at))
        if ticket.called_at and ticket.finished_at:
            events.append(
                TicketEvent(
                    ticket=ticket, kind=TicketEvent.Kind.CALLED, at=ticket.called_at, window=ticket.window
                )
            )
            events.append(
                TicketEvent(
                    ticket=ticket, kind=TicketEvent.Kind.FINISHED, at=ticket.finished_at, window=ticket.window
                )
            )
    return events
