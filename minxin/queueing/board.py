"""The hall's display board (叫号屏): public, for a TV in the waiting area.

The page is drawn with the recent calls and the lines per service; `board.js` then follows the hall's
event stream, shows and speaks each call (Web Speech API, offline), and refreshes the lines every 30 s.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minxin.core import clock
from minxin.orgs.selectors import hall_for
from minxin.queueing.models import Ticket
from minxin.queueing.selectors import recent_calls, service_lines

RECENT_CALLS = 8
# The recorded pieces a screen without a Chinese voice plays (minxin/static/minxin/voice/README.md).
VOICE_PIECES = [
    "qing",
    "hao",
    "dao",
    "haochuangkou",
    "shi",
    *[str(digit) for digit in range(10)],
    *"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
]


def voice_files() -> dict[str, str]:
    """Each recorded piece's static URL (hashed names in production), for board.js."""
    return {name: static(f"minxin/voice/{name}.wav") for name in VOICE_PIECES}


def board_texts() -> dict[str, str]:
    """Translated patterns board.js fills in; {number} and {window} stay as they are in translations."""
    return {
        "call": _("Number {number}, please go to window {window}"),
        "call_plain": _("Number {number}, please come forward"),
        "window": _("Window {window}"),
        "idle": _("Waiting for the first call"),
    }


def _fill(pattern: str, **values: str) -> str:
    for name, value in values.items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


def call_data(ticket: Ticket, texts: dict[str, str]) -> dict[str, Any]:
    """One call as the board shows it; board.js builds the same from the event stream's payload."""
    window = ticket.window.number if ticket.window else None
    return {
        "number": ticket.number,
        "window": window,
        "window_name": ticket.window.name if ticket.window else None,
        "service": ticket.service.name,
        "window_label": _fill(texts["window"], window=window) if window else "",
        "sentence": (
            _fill(texts["call"], number=ticket.number, window=window)
            if window
            else _fill(texts["call_plain"], number=ticket.number)
        ),
    }


@require_GET
def board_page(request: HttpRequest, code: str) -> HttpResponse:
    hall = hall_for(code=code)
    texts = board_texts()
    calls = [call_data(ticket, texts) for ticket in recent_calls(hall=hall, limit=RECENT_CALLS)]
    lines = service_lines(hall=hall)
    context = {
        "hall": hall,
        "latest": calls[0] if calls else None,
        "calls": calls,
        "empty_slots": range(RECENT_CALLS - len(calls)),
        "texts": texts,
        "lines": lines,
        "services": {line.service.code: line.service.name for line in lines},
        "now_text": clock.local_now(hall.time_zone).strftime("%H:%M"),
        "events_url": reverse("hall-events", args=[hall.code]),
        "queue_url": reverse("api:queue_api", kwargs={"hall": hall.code}),
        "sound_on": request.GET.get("sound") == "1",
        "voice_files": voice_files(),
    }
    return render(request, "queueing/board.html", context)
