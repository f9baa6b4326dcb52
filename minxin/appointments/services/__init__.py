"""Every write of the appointments app, split by seam: slots, bookings, check-in, reminders, visits,
staffing. Import from here."""

from minxin.appointments.services.bookings import (
    bar_if_due,
    bar_lift,
    booking_cancel,
    booking_create,
    booking_move,
    normalize_code,
)
from minxin.appointments.services.checkin import (
    CheckedIn,
    booking_check_in,
    bookings_mark_no_shows,
    bookings_promote,
    check_in_window,
)
from minxin.appointments.services.reminders import bookings_remind
from minxin.appointments.services.slots import (
    bookable_days,
    bookable_service,
    bookable_services,
    slot_capacity,
    slot_plan_for,
    slot_plan_update,
    slot_set_capacity,
    slots_for_day,
)
from minxin.appointments.services.staffing import staffing_adopt
from minxin.appointments.services.visits import (
    VisitIntake,
    visit_cancel,
    visit_complete,
    visit_request,
    visit_schedule,
    visit_version,
)

__all__ = [
    "CheckedIn",
    "VisitIntake",
    "bar_if_due",
    "bar_lift",
    "bookable_days",
    "bookable_service",
    "bookable_services",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_move",
    "bookings_mark_no_shows",
    "bookings_promote",
    "bookings_remind",
    "check_in_window",
    "normalize_code",
    "slot_capacity",
    "slot_plan_for",
    "slot_plan_update",
    "slot_set_capacity",
    "slots_for_day",
    "staffing_adopt",
    "visit_cancel",
    "visit_complete",
    "visit_request",
    "visit_schedule",
    "visit_version",
]
