"""Appointments' part of personal data (PIPL): a booking's and a home visit's phone (and a visit's name
and address) serve the reminder, the check-in and the visit. They go APPOINTMENTS_PERSONAL_DAYS after
the day, or at the citizen's request once the booking or visit is over; a no-show bar keeps a phone
hash until it ends (and is deleted as long after)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.appointments.models import ACTIVE_BOOKING, Booking, BookingBar, HomeVisit, VisitStatus
from minxin.core import clock
from minxin.core.personal_data import Erasure, Subject
from minxin.orgs.models import Hall

_OVER_VISITS = (VisitStatus.DONE, VisitStatus.CANCELLED)


def _clear_bookings(bookings: QuerySet[Booking]) -> int:
    return (
        bookings.exclude(status__in=ACTIVE_BOOKING)
        .exclude(phone_hash="", phone_masked="", phone_encrypted="", citizen__isnull=True)
        .update(phone_hash="", phone_masked="", phone_encrypted="", citizen=None)
    )


def _clear_visits(visits: QuerySet[HomeVisit]) -> int:
    return (
        visits.filter(status__in=_OVER_VISITS)
        .exclude(phone_hash="", phone_masked="", phone_encrypted="", name="", address="")
        .update(name="", phone_hash="", phone_masked="", phone_encrypted="", address="", notes="")
    )


def appointments_retention() -> int:
    """Worker job: clears bookings' and visits' personal fields after APPOINTMENTS_PERSONAL_DAYS
    (bookings over the (hall, service_date, status) index in a window of PERSONAL_DATA_SWEEP_DAYS
    days), and deletes no-show bars that ended as long ago."""
    now = clock.now()
    cutoff = timezone.localdate(now) - dt.timedelta(days=settings.APPOINTMENTS_PERSONAL_DAYS)
    since = cutoff - dt.timedelta(days=settings.PERSONAL_DATA_SWEEP_DAYS)
    halls = list(Hall.objects.order_by("pk").values_list("pk", flat=True))
    done = _clear_bookings(
        Booking.objects.filter(hall_id__in=halls, service_date__gte=since, service_date__lt=cutoff)
    )
    ended = now - dt.timedelta(days=settings.APPOINTMENTS_PERSONAL_DAYS)
    done += _clear_visits(
        HomeVisit.objects.filter(hall_id__in=halls).filter(
            Q(completed_at__lt=ended) | Q(completed_at__isnull=True, requested_at__lt=ended)
        )
    )
    done += BookingBar.objects.filter(until__lt=ended).delete()[0]
    return done


def _bookings_of(subject: Subject) -> QuerySet[Booking]:
    return Booking.objects.filter(Q(citizen_id=subject.citizen_id) | Q(phone_hash=subject.phone_hash))


def appointments_export(subject: Subject) -> dict[str, Any]:
    bookings = _bookings_of(subject).select_related("hall").order_by("starts_at")
    visits = HomeVisit.objects.filter(phone_hash=subject.phone_hash).order_by("requested_at")
    return {
        "bookings": [
            {
                "hall": booking.hall.name,
                "date": booking.service_date.isoformat(),
                "starts_at": booking.starts_at.isoformat(),
                "status": booking.status,
                "phone": booking.phone_masked,
            }
            for booking in bookings
        ],
        "home_visits": [
            {
                "matter": visit.matter,
                "name": visit.name,
                "phone": visit.phone_masked,
                "address": visit.address,
                "status": visit.status,
                "requested_at": visit.requested_at.isoformat(),
            }
            for visit in visits
        ],
        "no_show_bars": [
            {"until": bar.until.isoformat()}
            for bar in BookingBar.objects.filter(phone_hash=subject.phone_hash)
        ],
    }


@transaction.atomic
def appointments_erase(subject: Subject) -> Erasure:
    bookings = _bookings_of(subject)
    visits = HomeVisit.objects.filter(phone_hash=subject.phone_hash)
    erasure = Erasure(erased=_clear_bookings(bookings) + _clear_visits(visits))
    if (
        bookings.filter(status__in=ACTIVE_BOOKING).exists()
        or visits.exclude(status__in=_OVER_VISITS).exists()
    ):
        erasure.kept.append(
            _(
                "Bookings and home visits still to come keep your phone (for the reminder and the "
                "check-in) until they are over; cancel them first if you no longer need them."
            )
        )
    if BookingBar.objects.filter(phone_hash=subject.phone_hash, until__gte=clock.now()).exists():
        erasure.kept.append(
            _("A booking bar after repeated no-shows keeps a keyed hash of your phone until it ends.")
        )
    return erasure


def register() -> None:
    """Called from AppointmentsConfig.ready()."""
    from minxin.core.personal_data import register_personal_data

    register_personal_data(
        app="appointments",
        label=gettext_lazy("Bookings and home visits"),
        export=appointments_export,
        erase=appointments_erase,
        retention=appointments_retention,
    )
