"""Demo: bookings over the demo history, today's bookings, home visits, the forecast on both halls.

Today's and the coming days' bookings go through the app's own services (`booking_create`), as do
the bar of the phone that missed too often (`bar_if_due`) and the home visits. The bookings of the
past working days are history, written as rows in one go (a service cannot book "a week ago"),
like the queue's own history in demo/queues.py. `simulate_step` checks today's bookings in as the
simulator runs: most arrive within their check-in window, a few late, a few never.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from minxin.accounts import personal
from minxin.accounts.models import User
from minxin.appointments.models import Booking, BookingChannel, BookingEvent, BookingStatus, HomeVisit, Slot
from minxin.appointments.selectors import hall_forecast
from minxin.appointments.services import (
    bar_if_due,
    bookable_days,
    booking_check_in,
    booking_create,
    bookings_mark_no_shows,
    bookings_promote,
    check_in_window,
    slot_plan_for,
    slots_for_day,
    visit_complete,
    visit_request,
    visit_schedule,
)
from minxin.appointments.services.bookings import booking_code_new
from minxin.appointments.services.slots import _slot_rows
from minxin.catalog.models import ServiceItem
from minxin.catalog.selectors import current_versions
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.core.models import CalendarDay
from minxin.demo.queues import QHD_QUEUES, TAX_QUEUES
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_is_open
from minxin.queueing.models import Service, WorkProfileQueue

HALLS = ("qhd-zwfw", "sjz-tax")
HISTORY_WORKING_DAYS = 10
BARRED_PHONE = "13900000444"  # missed four bookings at the tax hall: barred
_rng = random.Random()  # noqa: S311 - simulated citizens, not security


def load(*, today: dt.date) -> str:
    """Load this part of the demo city; returns a one-line summary for the console."""
    halls = list(Hall.objects.filter(code__in=HALLS))
    if not halls or Booking.objects.filter(hall__in=halls).exists():
        return ""
    rng = random.Random("minxin-demo-appointments")  # noqa: S311 - demo data
    past = upcoming = 0
    for hall in halls:
        _plans(hall)
        past += _history(hall, today, rng)
        upcoming += _upcoming(hall, rng)
    _bar(next(hall for hall in halls if hall.code == "sjz-tax"), today)
    visits = _visits(halls, rng)
    for hall in halls:
        hall_forecast(hall=hall, days=7)
    return f"appointments: {past} past and {upcoming} upcoming bookings, {visits} home visits, a barred phone"


def _plans(hall: Hall) -> None:
    """A slot plan per service: its share of the hall's staffed (open) windows by its share of the work
    (arrivals × service time, from demo/queues.py), and its mean service time. Windows are shared among
    the queues they call, so a service never counts every window that may call it."""
    specs = {spec.code: spec for spec in (QHD_QUEUES if hall.code == "qhd-zwfw" else TAX_QUEUES)}
    windows = (
        WorkProfileQueue.objects.filter(profile__window__hall=hall, profile__window__state__status="open")
        .values("profile__window_id")
        .distinct()
    )
    total_windows = windows.count()
    work = {code: spec.share * spec.mean_minutes for code, spec in specs.items()}
    total_work = sum(work.values()) or 1.0
    for service in Service.objects.filter(hall=hall, is_active=True):
        plan = slot_plan_for(service)
        plan.windows = max(round(total_windows * work.get(service.code, 0.0) / total_work), 1)
        plan.service_minutes = round(specs[service.code].mean_minutes) if service.code in specs else 10
        plan.save(update_fields=["windows", "service_minutes"])


def _past_days(today: dt.date, count: int) -> list[dt.date]:
    exceptions = dict(CalendarDay.objects.values_list("date", "is_working_day"))
    days: list[dt.date] = []
    day = today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if exceptions.get(day, day.weekday() < 5):
            days.append(day)
    return sorted(days)


def _phone(rng: random.Random) -> str:
    return f"13{rng.randrange(5, 9)}{rng.randrange(10**8):08d}"


def _history(hall: Hall, today: dt.date, rng: random.Random) -> int:
    """Past bookings as rows: most checked in, some cancelled, some late, some no-shows."""
    services = list(Service.objects.filter(hall=hall, is_active=True))
    bookings: list[Booking] = []
    with transaction.atomic():
        for day in _past_days(today, HISTORY_WORKING_DAYS):
            for service in services:
                slots = _slot_rows(hall, service, day)
                Slot.objects.bulk_create(slots, ignore_conflicts=True)
                for slot in Slot.objects.filter(service=service, service_date=day):
                    taken = min(slot.capacity, rng.randrange(0, 3))
                    for _ in range(taken):
                        roll = rng.random()
                        status = (
                            BookingStatus.CHECKED_IN
                            if roll < 0.8
                            else BookingStatus.CANCELLED
                            if roll < 0.88
                            else BookingStatus.LATE
                            if roll < 0.93
                            else BookingStatus.NO_SHOW
                        )
                        bookings.append(_row(hall, service, slot, status, _phone(rng), rng))
                    live = (
                        sum(1 for b in bookings[-taken:] if b.status != BookingStatus.CANCELLED)
                        if taken
                        else 0
                    )
                    Slot.objects.filter(pk=slot.pk).update(booked=live)
        made = Booking.objects.bulk_create(bookings, batch_size=1000)
        BookingEvent.objects.bulk_create(
            [BookingEvent(booking=b, kind=BookingEvent.Kind.BOOKED, at=b.created_at) for b in made],
            batch_size=2000,
        )
    return len(made)


def _row(hall: Hall, service: Service, slot: Slot, status: str, phone: str, rng: random.Random) -> Booking:
    arrived = slot.starts_at + dt.timedelta(
        minutes=rng.uniform(-20, 10 if status != BookingStatus.LATE else 40)
    )
    return Booking(
        code=booking_code_new(),
        hall=hall,
        service=service,
        slot=slot,
        service_date=slot.service_date,
        starts_at=slot.starts_at,
        status=status,
        channel=rng.choice(
            [BookingChannel.WEB, BookingChannel.WEB, BookingChannel.WEB, BookingChannel.HOTLINE]
        ),
        phone_hash=personal.keyed_hash(phone, purpose="phone"),
        phone_masked=personal.mask_phone(phone),
        phone_encrypted=personal.encrypt(phone),
        created_at=slot.starts_at - dt.timedelta(days=rng.randrange(1, 5), hours=rng.randrange(0, 8)),
        checked_in_at=arrived if status in (BookingStatus.CHECKED_IN, BookingStatus.LATE) else None,
        cancelled_at=slot.starts_at - dt.timedelta(hours=5) if status == BookingStatus.CANCELLED else None,
    )


def _upcoming(hall: Hall, rng: random.Random) -> int:
    """Today's remaining and the coming days' bookings, through booking_create."""
    made = 0
    now = clock.now()
    services = list(Service.objects.filter(hall=hall, is_active=True))
    for day in bookable_days(hall):
        for service in services:
            for slot in slots_for_day(hall=hall, service=service, day=day):
                if slot.starts_at <= now:
                    continue
                wanted = (
                    rng.randrange(0, 3) if day != clock.local_today(hall.time_zone) else rng.randrange(1, 3)
                )
                for _ in range(min(wanted, slot.capacity)):
                    try:
                        booking_create(
                            hall=hall,
                            service_code=service.code,
                            slot_start=slot.starts_at,
                            phone=_phone(rng),
                            channel=rng.choice([BookingChannel.WEB, BookingChannel.HOTLINE]),
                        )
                    except DomainError:
                        continue
                    made += 1
    return made


def _bar(hall: Hall, today: dt.date) -> None:
    """One phone missed four bookings at the tax hall this month: barred (the manager may lift it)."""
    service = Service.objects.filter(hall=hall, is_active=True).first()
    if service is None:
        return
    rng = random.Random("minxin-demo-bar")  # noqa: S311 - demo data
    last = None
    for day in _past_days(today, 8)[-4:]:
        slot = Slot.objects.filter(service=service, service_date=day).order_by("starts_at").first()
        if slot is None:
            continue
        last = _row(hall, service, slot, BookingStatus.NO_SHOW, BARRED_PHONE, rng)
        last.save()
        BookingEvent.objects.create(booking=last, kind=BookingEvent.Kind.NO_SHOW, at=slot.starts_at)
    if last is not None:
        bar_if_due(last)


def _visits(halls: list[Hall], rng: random.Random) -> int:
    people = [
        ("elderly", "王秀兰", "养老保险待遇资格认证", "海港区文化路街道幸福里3号楼2单元"),
        ("disabled", "李建国", "残疾人证换领", "海港区白塔岭街道建设大街18号"),
        ("company", "秦皇岛海韵食品有限公司", "企业税务登记信息变更", "经济技术开发区龙海道66号"),
        ("elderly", "赵桂芝", "居民身份证换领", "北戴河区西山街道联峰路9号"),
    ]
    count = 0
    for hall in halls:
        staff = User.objects.filter(username="taxclerk" if hall.code == "sjz-tax" else "clerk").first()
        for index, (kind, name, matter, address) in enumerate(people[: 3 if hall.code == "qhd-zwfw" else 2]):
            visit = visit_request(
                hall=hall,
                matter=matter,
                requester=kind,
                name=name,
                phone=_phone(rng),
                address=address,
                item=_visit_item(hall, matter) if index == 2 else None,  # completing it opens a case
            )
            count += 1
            if staff is None or index == 0:
                continue  # the first stays requested, for the desk to schedule
            when = clock.now() + dt.timedelta(days=index, hours=2)
            visit_schedule(visit=visit, staff=staff, when=when, actor=staff)
            if index == 1:
                HomeVisit.objects.filter(pk=visit.pk).update(scheduled_for=clock.now() - dt.timedelta(days=2))
                visit.refresh_from_db()
                visit_complete(visit=visit, actor=staff, outcome="已上门办结，群众零跑腿")
    return count


def _visit_item(hall: Hall, matter: str) -> ServiceItem | None:
    """An item of the hall for a scheduled visit (staff complete it in the demo and its case opens)."""
    versions = current_versions(on=clock.local_today(hall.time_zone)).filter(item__department__hall=hall)
    chosen = versions.filter(name__contains=matter[-2:]).first() or versions.order_by("item__code").first()
    return chosen.item if chosen else None


def simulate_step() -> int:
    """Check today's bookings in as the simulator runs: each booking arrives once, at a moment drawn
    around its time (most within the window, some late, a few never: the no-show job marks those)."""
    actor = User.objects.filter(username="admin").first()
    if actor is None:
        return 0
    done = bookings_promote() + bookings_mark_no_shows()
    now = clock.now()
    for hall in Hall.objects.filter(code__in=HALLS):
        if not hall_is_open(hall=hall):
            continue
        today = clock.local_today(hall.time_zone)
        due = Booking.objects.filter(
            hall=hall,
            service_date=today,
            status=BookingStatus.BOOKED,
            starts_at__lte=now + dt.timedelta(minutes=30),
        ).select_related("hall", "service")
        for booking in due[:50]:
            opens, _closes = check_in_window(booking)
            arrival = _arrival(booking)
            if arrival is None or arrival > now or now < opens:
                continue
            try:
                booking_check_in(booking=booking, actor=actor, via="kiosk")
            except DomainError:
                continue
            done += 1
    return done


def _arrival(booking: Booking) -> dt.datetime | None:
    """When this booking's citizen arrives (None: never), fixed by its code so every step agrees."""
    rng = random.Random(booking.code)  # noqa: S311 - simulated citizens
    roll = rng.random()
    if roll < 0.06:
        return None
    offset = rng.uniform(-25, 5) if roll < 0.92 else rng.uniform(16, 30)
    return booking.starts_at + dt.timedelta(minutes=offset)
