from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from minxin.accounts.models import User
from minxin.catalog.models import Window
from minxin.catalog.selectors import clerk_may_act_at_window
from minxin.core.context_processors import HtmxHttpRequest
from minxin.core.errors import DomainError
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_get, hall_is_open
from minxin.queueing.forecasting import queue_estimate
from minxin.queueing.models import Priority, Service, Ticket, WindowState, WorkProfile
from minxin.queueing.selectors import (
    last_called,
    recent_calls,
    service_lines,
    ticket_ahead,
    window_active_ticket,
)
from minxin.queueing.services import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    ticket_transfer,
    window_set_state,
)

GREEN_CHANNEL_REASONS = (
    ("elderly", pgettext_lazy("green channel reason", "Elderly")),
    ("disabled", pgettext_lazy("green channel reason", "Disabled")),
    ("pregnant", pgettext_lazy("green channel reason", "Pregnant")),
    ("credit", pgettext_lazy("green channel reason", "Top-credit taxpayer")),
)


def _hall(code: str) -> Hall:
    hall = hall_get(code=code)
    if hall is None:
        raise Http404(_("No such hall."))
    return hall


def ticket_page(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The citizen's own page: place in line, the last number called, the estimate band; live."""
    ticket = (
        Ticket.objects.select_related("hall", "service", "queue", "window")
        .filter(public_id=ticket_id)
        .first()
    )
    if ticket is None:
        raise Http404(_("No such number."))
    ahead, ahead_reserved = ticket_ahead(ticket)
    estimate = None
    if ticket.status in ("reserved", "waiting"):
        estimate = queue_estimate(
            queue=ticket.queue, ahead_present=ahead - ahead_reserved, ahead_remote=ahead_reserved
        )
    context = {
        "ticket": ticket,
        "ahead": ahead,
        "estimate": estimate,
        "last_called": last_called(hall=ticket.hall, queue_id=ticket.queue_id),
    }
    template = (
        "queueing/ticket.html#ticket-status" if getattr(request, "htmx", False) else "queueing/ticket.html"
    )
    return render(request, template, context)


def hall_status(request: HttpRequest, code: str) -> HttpResponse:
    """Public live status of a hall: waiting per service with estimate bands, the latest calls."""
    hall = _hall(code)
    lines = service_lines(hall=hall)
    per_queue: dict[int, tuple[int, int]] = {}
    for line in lines:
        waiting, reserved = per_queue.get(line.service.queue_id, (0, 0))
        per_queue[line.service.queue_id] = (waiting + line.waiting, reserved + line.reserved)
    rows = [
        {
            "line": line,
            "estimate": queue_estimate(
                queue=line.service.queue,
                ahead_present=per_queue[line.service.queue_id][0],
                ahead_remote=per_queue[line.service.queue_id][1],
            ),
        }
        for line in lines
    ]
    context = {
        "hall": hall,
        "rows": rows,
        "calls": recent_calls(hall=hall, limit=10),
        "open_now": hall_is_open(hall=hall),
    }
    template = (
        "queueing/hall_status.html#status" if getattr(request, "htmx", False) else "queueing/hall_status.html"
    )
    return render(request, template, context)


def _clerk_window(request: HttpRequest, code: str, number: str) -> tuple[Window, User]:
    hall = _hall(code)
    window = (
        Window.objects.select_related("hall", "department")
        .filter(hall=hall, number=number, is_active=True)
        .first()
    )
    if window is None:
        raise Http404(_("No such window."))
    user = request.user
    assert isinstance(user, User)
    if not clerk_may_act_at_window(user=user, window=window):
        raise PermissionDenied(_("You may not act at this window."))
    return window, user


def _desk_context(window: Window, *, message: str = "", error: str = "") -> dict[str, Any]:
    hall = window.hall
    state = WindowState.objects.filter(window=window).first()
    profile = WorkProfile.objects.filter(window=window).prefetch_related("entries__queue").first()
    queue_ids = [entry.queue_id for entry in profile.entries.all()] if profile else None
    lines = [
        line for line in service_lines(hall=hall) if queue_ids is None or line.service.queue_id in queue_ids
    ]
    current = window_active_ticket(window_id=window.pk)
    return {
        "hall": hall,
        "window": window,
        "state": state.status if state else WindowState.Status.CLOSED,
        "current": current,
        "lines": lines,
        "waiting_total": sum(line.waiting for line in lines),
        "services": Service.objects.filter(hall=hall, is_active=True).order_by("position", "code"),
        "windows": Window.objects.filter(hall=hall, is_active=True).exclude(pk=window.pk).order_by("number"),
        "reasons": GREEN_CHANNEL_REASONS,
        "message": message,
        "error": error,
    }


@login_required
def window_desk(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """The clerk's page for one window: call, recall, start, no-show, finish, transfer, pause, and
    numbers for walk-ins at the counter. Every action has a keyboard shortcut."""
    window, _user = _clerk_window(request, code, number)
    return render(request, "queueing/window.html", _desk_context(window))


ACTIONS = (
    "open",
    "pause",
    "close",
    "call",
    "recall",
    "start",
    "no-show",
    "finish",
    "finish-call",
    "transfer",
    "issue",
)


@login_required
@require_POST
def window_action(request: HtmxHttpRequest, code: str, number: str, action: str) -> HttpResponse:
    window, user = _clerk_window(request, code, number)
    if action not in ACTIONS:
        raise Http404(_("Unknown action."))
    message, error, status = "", "", 200
    try:
        message = _perform(action, request, window, user)
    except DomainError as failure:
        error, status = failure.message, failure.status
    template = "queueing/window.html#desk" if request.htmx else "queueing/window.html"
    return render(request, template, _desk_context(window, message=message, error=error), status=status)


def _perform(action: str, request: HttpRequest, window: Window, user: User) -> str:
    if action in ("open", "pause", "close"):
        window_set_state(
            window=window, clerk=user, status={"open": "open", "pause": "paused", "close": "closed"}[action]
        )
        return _("Window state changed.")
    if action == "issue":
        issued = ticket_issue(
            hall=window.hall,
            service_code=request.POST.get("service", ""),
            channel="counter",
            priority=Priority.GREEN_CHANNEL if request.POST.get("reason") else Priority.NORMAL,
            priority_reason=request.POST.get("reason", "")[:64],
            actor=user,
        )
        return _("Issued %(number)s (%(ahead)d ahead).") % {
            "number": issued.ticket.number,
            "ahead": issued.ahead,
        }
    current = window_active_ticket(window_id=window.pk)
    if action == "call":
        called = ticket_call_next(window=window, clerk=user)
        return _("Called %(number)s.") % {"number": called.number} if called else _("Nobody is waiting.")
    if current is None:
        return _("No number at this window.")
    if action == "recall":
        recalled = ticket_recall(ticket=current, clerk=user)
        return _("Called %(number)s again.") % {"number": recalled.number}
    if action == "start":
        ticket_start(ticket=current, clerk=user)
        return _("Serving %(number)s.") % {"number": current.number}
    if action == "no-show":
        ticket_no_show(ticket=current, clerk=user)
        return _("%(number)s did not come.") % {"number": current.number}
    if action == "transfer":
        service = Service.objects.filter(hall=window.hall, code=request.POST.get("service", "")).first()
        target = Window.objects.filter(hall=window.hall, number=request.POST.get("window", "")).first()
        moved = ticket_transfer(
            ticket=current,
            clerk=user,
            to_service=service if not target else None,
            to_window=target,
            raise_priority=bool(request.POST.get("raise_priority")),
        )
        return _("Transferred as %(number)s.") % {"number": moved.number}
    ticket_finish(ticket=current, clerk=user)
    if action == "finish-call":
        called = ticket_call_next(window=window, clerk=user)
        return _("Called %(number)s.") % {"number": called.number} if called else _("Nobody is waiting.")
    return _("%(number)s finished.") % {"number": current.number}
