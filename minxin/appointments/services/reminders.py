"""Reminders the day before and an hour before a booking, through queueing's notice backends (SMS, a
webhook for WeChat, the console in development)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.sms import SmsDeliveryError
from minxin.appointments.models import Booking, BookingEvent, BookingStatus
from minxin.appointments.services.bookings import _event
from minxin.core import clock
from minxin.queueing.notices import _backend

logger = logging.getLogger(__name__)


def _text(booking: Booking) -> str:
    local = booking.starts_at.astimezone(ZoneInfo(booking.hall.time_zone))
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "%(hall)s: your booking %(code)s for %(service)s is at %(when)s. Please check in at the kiosk "
            "with the code from %(minutes)d minutes before."
        ) % {
            "hall": booking.hall.name,
            "code": booking.code,
            "service": booking.service.name,
            "when": local.strftime("%m-%d %H:%M"),
            "minutes": settings.APPOINTMENTS_EARLY_CHECK_IN_MINUTES,
        }


def bookings_remind() -> int:
    """Worker job: send each due reminder once. A reminder is claimed by clearing its deadline with a
    conditional update before it is sent, so two workers never send it twice; one that fails to send
    is not retried (a late reminder misleads)."""
    now = clock.now()
    sent = 0
    for column in ("remind_day_at", "remind_hour_at"):
        due = (
            Booking.objects.filter(**{f"{column}__lte": now}, status=BookingStatus.BOOKED)
            .select_related("hall", "service")
            .order_by(column)
        )
        for booking in due[:1000]:
            claimed = Booking.objects.filter(pk=booking.pk, **{f"{column}__isnull": False}).update(
                **{column: None}
            )
            if not claimed:
                continue
            try:
                _backend(settings.NOTICE_BACKEND).send(
                    phone=personal.decrypt(booking.phone_encrypted), text=_text(booking)
                )
            except SmsDeliveryError:
                logger.warning("reminder for booking %s not delivered", booking.code)
                continue
            _event(booking, BookingEvent.Kind.REMINDED, which=column)
            sent += 1
    # Deadlines of bookings no longer booked are dropped without a message.
    Booking.objects.filter(remind_hour_at__lte=now).exclude(status=BookingStatus.BOOKED).update(
        remind_hour_at=None, remind_day_at=None
    )
    return sent
