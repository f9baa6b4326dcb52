"""Off-peak advice (错峰) in words, for the API, the booking page and the take-number fragment."""

from __future__ import annotations

from django.utils.translation import gettext as _

from minxin.appointments.selectors import PeakAdvice


def advice_message(advice: PeakAdvice) -> str:
    if not advice.peak:
        return ""
    if advice.better is None:
        return _("It is a busy hour now (about %(wait)d min wait expected).") % {
            "wait": round(advice.wait_now)
        }
    return _(
        "It is a busy hour now (about %(wait)d min wait expected). Around %(hour)02d:00 on %(date)s the wait "
        "is expected to be about %(better)d min: consider coming then, or book a slot."
    ) % {
        "wait": round(advice.wait_now),
        "hour": advice.better.hour,
        "date": advice.better.day.strftime("%m-%d"),
        "better": round(advice.better.wait),
    }
