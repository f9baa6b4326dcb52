"""The texts of the kiosk's booking check-in (minxin/templates/queueing/kiosk.html), listed here so that
they are in this app's catalog: the kiosk template lives outside the app, and Django's translations
merge every app's catalog, so `{% translate %}` there finds them."""

from __future__ import annotations

from django.utils.translation import gettext_noop

KIOSK_TEXTS = (
    gettext_noop("Check in a booking"),
    gettext_noop(
        "Booked a time? Scan the QR code of your booking at the scanner, type its code, or enter the last 4 "
        "digits of your phone."
    ),
    gettext_noop("Booking code"),
    gettext_noop("or the last 4 digits of your phone"),
    gettext_noop("Check in the booking"),
)
