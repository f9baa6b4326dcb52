"""The appointments API (one ninja Router, mounted under /api/v1/ by minxin.api)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from minxin.accounts import personal
from minxin.accounts.api_auth import BearerToken, CitizenSession, StaffSession, request_user, staff_auth
from minxin.accounts.models import Citizen, Role, User
from minxin.appointments.advice import advice_message
from minxin.appointments.models import Booking, BookingBar, BookingChannel
from minxin.appointments.selectors import best_times, hall_forecast, peak_advice
from minxin.appointments.services import (
    bar_lift,
    bookable_service,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_move,
    slots_for_day,
)
from minxin.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for, staff_may_act_in_hall
from minxin.queueing.api import TicketOut, optional_auth
from minxin.queueing.services import hall_check_in_code_valid

router = Router(tags=["appointments"])

BOOKING_STAFF = [Role.WINDOW_CLERK, Role.HALL_MANAGER, Role.CITY_OFFICE]  # the 12345 operator: city office
CHECK_IN_STAFF = [Role.WINDOW_CLERK, Role.HALL_MANAGER]
citizen_or_staff = [BearerToken(), StaffSession(), CitizenSession()]


class SlotOut(Schema):
    id: uuid.UUID
    start: dt.datetime
    end: dt.datetime
    capacity: int
    booked: int
    seats_left: int


class SlotsQuery(Schema):
    service: str = Field(min_length=1, max_length=32)
    date: dt.date


@router.get(
    "/halls/{hall}/slots",
    response=list[SlotOut],
    summary="Bookable slots of a service on a day, with capacity and seats left",
)
def slots_api(request: HttpRequest, hall: str, query: Query[SlotsQuery]) -> list[SlotOut]:
    the_hall = hall_for(code=hall)
    the_service = bookable_service(hall=the_hall, code=query.service)
    date = query.date
    return [
        SlotOut(
            id=slot.public_id,
            start=slot.starts_at,
            end=slot.ends_at,
            capacity=slot.capacity,
            booked=slot.booked,
            seats_left=slot.seats_left,
        )
        for slot in slots_for_day(hall=the_hall, service=the_service, day=date)
    ]


class BookingIn(Schema):
    service: str = Field(min_length=1, max_length=32)
    slot_start: dt.datetime
    phone: str | None = Field(None, max_length=20, description="Staff only: the citizen's mobile number")
    matter: str = Field("", max_length=128)


class BookingOut(Schema):
    id: uuid.UUID
    code: str
    hall: str
    service: str
    service_name: str
    slot_start: dt.datetime
    status: str
    phone: str
    ticket: str | None
    page_url: str

    @staticmethod
    def of(booking: Booking) -> BookingOut:
        return BookingOut(
            id=booking.public_id,
            code=booking.code,
            hall=booking.hall.code,
            service=booking.service.code,
            service_name=booking.service.name,
            slot_start=booking.starts_at,
            status=booking.status,
            phone=booking.phone_masked,
            ticket=booking.ticket.number if booking.ticket_id and booking.ticket else None,
            page_url=reverse("appointments:booking", args=[booking.public_id]),
        )


def _booker(
    request: HttpRequest, hall: Hall, phone: str | None
) -> tuple[str, str, Citizen | None, User | None]:
    """(phone, channel, citizen, staff) of a booking request: a citizen books for their own verified
    phone; staff of the hall or the city office (the 12345 hotline) book for the phone they give."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Citizen):
        return personal.decrypt(auth.phone_encrypted), BookingChannel.WEB, auth, None
    if isinstance(auth, User):
        if not staff_may_act_in_hall(user=auth, hall=hall, roles=BOOKING_STAFF):
            raise Forbidden(_("You may not book in this hall."), code="forbidden")
        if not phone:
            raise InvalidInput(_("Give the citizen's mobile number."), details={"field": "phone"})
        held = staff_may_act_in_hall(user=auth, hall=hall, roles=[Role.WINDOW_CLERK, Role.HALL_MANAGER])
        channel = BookingChannel.DESK if held else BookingChannel.HOTLINE
        if auth.is_device:
            channel = BookingChannel.API
        return phone, channel, None, auth
    raise NotAuthenticated(_("Sign in with your phone to book."), code="not_authenticated")


@router.post(
    "/halls/{hall}/appointments",
    response={201: BookingOut},
    auth=citizen_or_staff,
    summary="Book a slot (a signed-in citizen, or staff / the 12345 hotline for a phone number)",
)
def booking_create_api(request: HttpRequest, hall: str, payload: BookingIn) -> Status[BookingOut]:
    the_hall = hall_for(code=hall)
    phone, channel, citizen, staff = _booker(request, the_hall, payload.phone)
    booking = booking_create(
        hall=the_hall,
        service_code=payload.service,
        slot_start=payload.slot_start,
        phone=phone,
        channel=channel,
        citizen=citizen,
        actor=staff,
        matter=payload.matter,
    )
    return Status(201, BookingOut.of(booking))


def booking_for(request: HttpRequest, booking_id: uuid.UUID, *, staff_roles: Sequence[str]) -> Booking:
    """The booking, if the caller is the citizen who holds its phone or staff of its hall (404 else, so
    that ids cannot be probed)."""
    booking = (
        Booking.objects.select_related("hall__unit__region", "service", "ticket")
        .filter(public_id=booking_id)
        .first()
    )
    auth = getattr(request, "auth", None)
    if booking is not None:
        if isinstance(auth, Citizen) and auth.phone_hash == booking.phone_hash:
            return booking
        if isinstance(auth, User) and staff_may_act_in_hall(user=auth, hall=booking.hall, roles=staff_roles):
            return booking
    raise NotFound(_("No such booking."), code="booking_not_found")


@router.get("/appointments/{booking_id}", response=BookingOut, auth=citizen_or_staff, summary="A booking")
def booking_get_api(request: HttpRequest, booking_id: uuid.UUID) -> BookingOut:
    return BookingOut.of(booking_for(request, booking_id, staff_roles=BOOKING_STAFF))


def _actor(request: HttpRequest) -> User | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else None


@router.post(
    "/appointments/{booking_id}/cancel",
    response=BookingOut,
    auth=citizen_or_staff,
    summary="Cancel a booking (until the change limit before its time); its seat can be booked again",
)
def booking_cancel_api(request: HttpRequest, booking_id: uuid.UUID) -> BookingOut:
    booking = booking_for(request, booking_id, staff_roles=BOOKING_STAFF)
    return BookingOut.of(booking_cancel(booking=booking, actor=_actor(request)))


class MoveIn(Schema):
    slot_start: dt.datetime


@router.post(
    "/appointments/{booking_id}/move",
    response=BookingOut,
    auth=citizen_or_staff,
    summary="Move a booking to another slot of its service",
)
def booking_move_api(request: HttpRequest, booking_id: uuid.UUID, payload: MoveIn) -> BookingOut:
    booking = booking_for(request, booking_id, staff_roles=BOOKING_STAFF)
    return BookingOut.of(booking_move(booking=booking, slot_start=payload.slot_start, actor=_actor(request)))


class CheckInIn(Schema):
    code: str = Field(
        "", max_length=200, description="The hall's current check-in code (its QR), unless staff"
    )


@router.post(
    "/appointments/{booking_id}/check-in",
    response=TicketOut,
    auth=optional_auth,
    summary="Check a booking in at the hall: its ticket in the live queue (staff or the kiosk, or the "
    "citizen with the hall's current check-in code)",
)
def booking_check_in_api(
    request: HttpRequest, booking_id: uuid.UUID, payload: CheckInIn | None = None
) -> TicketOut:
    auth = getattr(request, "auth", None)
    booking = (
        Booking.objects.select_related("hall__unit__region", "service").filter(public_id=booking_id).first()
    )
    if booking is None or auth is None or auth is True:
        raise NotFound(_("No such booking."), code="booking_not_found")
    staff = isinstance(auth, User) and staff_may_act_in_hall(
        user=auth, hall=booking.hall, roles=CHECK_IN_STAFF
    )
    owner = isinstance(auth, Citizen) and auth.phone_hash == booking.phone_hash
    if not staff and not owner:
        raise NotFound(_("No such booking."), code="booking_not_found")
    if not staff and not hall_check_in_code_valid(booking.hall, payload.code if payload else ""):
        raise Forbidden(
            _("Check in at the hall: scan its check-in code or use the kiosk."), code="check_in_code_invalid"
        )
    done = booking_check_in(booking=booking, actor=_actor(request), via="api")
    return TicketOut.of(done.ticket)


class WaitOut(Schema):
    minutes: float | None
    low: float | None
    high: float | None


class ForecastHourOut(Schema):
    date: dt.date
    hour: int
    service: str
    expected_arrivals: float
    windows_planned: int
    predicted_wait: WaitOut
    suggested_windows: int


class BestTimeOut(Schema):
    date: dt.date
    hour: int
    predicted_wait_minutes: float


class ForecastOut(Schema):
    hall: str
    days: list[dt.date]
    target_wait_minutes: int
    staffing_method: str
    effects: dict[str, dict[str, float]]
    best_times: list[BestTimeOut]
    hours: list[ForecastHourOut]


def _finite(value: float) -> float | None:
    return round(value, 1) if math.isfinite(value) else None


class ForecastQuery(Schema):
    days: int = Field(7, ge=1, le=14)


@router.get(
    "/halls/{hall}/forecast",
    response=ForecastOut,
    summary="Per service and hour for the next days: expected arrivals, predicted wait with its band, "
    "suggested windows (a time-stepped queue carrying the backlog)",
)
def forecast_api(request: HttpRequest, hall: str, query: Query[ForecastQuery]) -> ForecastOut:
    the_hall = hall_for(code=hall)
    days = query.days
    forecast = hall_forecast(hall=the_hall, days=days)
    return ForecastOut(
        hall=the_hall.code,
        days=forecast.days,
        target_wait_minutes=forecast.target_minutes,
        staffing_method="time_stepped_queue",
        effects={
            code: {k: round(v, 3) for k, v in effects.items()} for code, effects in forecast.effects.items()
        },
        best_times=[
            BestTimeOut(date=cell.day, hour=cell.hour, predicted_wait_minutes=round(cell.wait, 1))
            for cell in best_times(forecast)
        ],
        hours=[
            ForecastHourOut(
                date=row.day,
                hour=row.hour,
                service=row.service_code,
                expected_arrivals=round(row.arrivals, 2),
                windows_planned=row.windows,
                predicted_wait=WaitOut(
                    minutes=_finite(row.wait.minutes), low=_finite(row.wait.low), high=_finite(row.wait.high)
                ),
                suggested_windows=row.suggested_windows,
            )
            for row in forecast.rows
        ],
    )


class AdviceOut(Schema):
    peak: bool
    predicted_wait_minutes: float | None
    better_date: dt.date | None
    better_hour: int | None
    better_wait_minutes: float | None
    message: str


class AdviceQuery(Schema):
    service: str = Field(min_length=1, max_length=32)


@router.get(
    "/halls/{hall}/advice",
    response=AdviceOut,
    summary="Off-peak advice (错峰): is now a peak for this service, and which hour is better",
)
def advice_api(request: HttpRequest, hall: str, query: Query[AdviceQuery]) -> AdviceOut:
    the_hall = hall_for(code=hall)
    service = query.service
    bookable_service(hall=the_hall, code=service)
    advice = peak_advice(hall=the_hall, service_code=service)
    return AdviceOut(
        peak=advice.peak,
        predicted_wait_minutes=_finite(advice.wait_now),
        better_date=advice.better.day if advice.better else None,
        better_hour=advice.better.hour if advice.better else None,
        better_wait_minutes=_finite(advice.better.wait) if advice.better else None,
        message=advice_message(advice),
    )


class LiftIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class BarOut(Schema):
    id: int
    phone: str
    until: dt.datetime
    no_shows: int
    lifted_at: dt.datetime | None


@router.post(
    "/appointments/bars/{bar_id}/lift",
    response=BarOut,
    auth=staff_auth,
    summary="Hall manager: let a phone barred for no-shows book again",
)
def bar_lift_api(request: HttpRequest, bar_id: int, payload: LiftIn) -> BarOut:
    user = request_user(request)
    bar = BookingBar.objects.select_related("hall__unit__region").filter(pk=bar_id).first()
    if bar is None or not staff_may_act_in_hall(user=user, hall=bar.hall, roles=[Role.HALL_MANAGER]):
        raise NotFound(_("No such bar."), code="bar_not_found")
    bar = bar_lift(bar=bar, manager=user, reason=payload.reason)
    return BarOut(
        id=bar.pk, phone=bar.phone_masked, until=bar.until, no_shows=bar.no_shows, lifted_at=bar.lifted_at
    )
