from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from minxin.accounts.models import Citizen, Role, User
from minxin.accounts.services import citizen_of_session
from minxin.catalog.models import Window
from minxin.catalog.selectors import clerk_may_act_at_window
from minxin.core.audit import client_ip
from minxin.core.clock import now
from minxin.core.context_processors import HtmxHttpRequest
from minxin.core.errors import DomainError
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for, hall_is_open
from minxin.queueing import desk
from minxin.queueing.forecasting import service_line_estimates, ticket_estimate
from minxin.queueing.kiosk import check_in_qr_svg, new_number_wording
from minxin.queueing.models import (
    ACTIVE,
    IN_LINE,
    Priority,
    Service,
    Ticket,
    TicketStatus,
    WindowState,
    WorkProfile,
)
from minxin.queueing.selectors import (
    crowded_queues,
    queue_last_called,
    recent_calls,
    service_lines,
    ticket_ahead,
    ticket_wording,
    window_active_ticket,
)
from minxin.queueing.services import (
    citizen_ticket_issue,
    queue_rules,
    ticket_call_next,
    ticket_cancel,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_rejoin,
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
    return hall_for(code=code)


def ticket_page(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The citizen's own page: place in line, the last number called, the estimate band; live."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("hall", "service", "queue", "window"), public_id=ticket_id
    )
    ahead, ahead_reserved = ticket_ahead(ticket)
    estimate = ticket_estimate(ticket=ticket, ahead=ahead, ahead_reserved=ahead_reserved)
    last_called = queue_last_called(queue_id=ticket.queue_id, service_date=ticket.service_date)
    if last_called == ticket.number and ticket.status in IN_LINE:
        last_called = None  # back in line after a missed call: "now calling" is not them any more
    context = {
        "ticket": ticket,
        "mine": str(ticket.public_id) in _session_tickets(request),
        "can_rejoin": ticket.status == TicketStatus.NO_SHOW and (ticket.rejoin_until or now()) > now(),
        "ahead": ahead,
        "estimate": estimate,
        "wording": ticket_wording(status=ticket.status, ahead=ahead, estimate=estimate),
        "last_called": last_called,
    }
    template = (
        "queueing/ticket.html#ticket-status" if getattr(request, "htmx", False) else "queueing/ticket.html"
    )
    return render(request, template, context)


SESSION_TICKETS = "queue_tickets"


def _session_tickets(request: HttpRequest) -> list[str]:
    return [str(t) for t in request.session.get(SESSION_TICKETS, [])]


def _remember(request: HttpRequest, ticket: Ticket) -> None:
    """Keep the citizen's numbers in their browser session, for the hall's check-in QR code."""
    known = _session_tickets(request)[-9:]
    request.session[SESSION_TICKETS] = [*known, str(ticket.public_id)]


@require_POST
def take_remote(request: HttpRequest, code: str) -> HttpResponse:
    """A citizen signed in with their phone takes a number from home (web channel); it is reserved
    until they check in at the hall."""
    hall = _hall(code)
    citizen = citizen_of_session(request.session)
    if citizen is None:
        return redirect(
            f"{reverse('accounts:citizen-login')}?next={reverse('queueing:hall-status', args=[code])}"
        )
    try:
        issued = citizen_ticket_issue(
            hall=hall, service_code=request.POST.get("service", ""), citizen=citizen, ip=client_ip(request)
        )
    except DomainError as failure:
        held = (
            _citizen_tickets(citizen).filter(hall=hall, status__in=ACTIVE).first()
            if failure.code == "phone_has_ticket"
            else None
        )
        if held is not None:  # take them to the number they already hold, not a dead end
            _remember(request, held)
            messages.info(request, _("You already hold number %(number)s here.") % {"number": held.number})
            return redirect("queueing:ticket", ticket_id=held.public_id)
        messages.error(request, failure.message)
        return redirect("queueing:hall-status", code=code)
    _remember(request, issued.ticket)
    return redirect("queueing:ticket", ticket_id=issued.ticket.public_id)


def _citizen_tickets(citizen: Citizen) -> QuerySet[Ticket]:
    """The numbers taken with the citizen's phone, in any hall, newest first."""
    return Ticket.objects.filter(phone_hash=citizen.phone_hash).order_by("-issued_at")


def my_numbers(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's numbers: those still in line or at a window, and the last 30 days'."""
    citizen = citizen_of_session(request.session)
    if citizen is None:
        return redirect(f"{reverse('accounts:citizen-login')}?next={reverse('queueing:my-numbers')}")
    since = now() - dt.timedelta(days=30)
    tickets = list(
        _citizen_tickets(citizen)
        .filter(issued_at__gte=since)
        .select_related("hall", "service", "window")[:50]
    )
    active = [ticket for ticket in tickets if ticket.status in ACTIVE]
    for ticket in active:
        if str(ticket.public_id) not in _session_tickets(request):
            _remember(request, ticket)  # this browser may now give it up or check it in
    context = {"citizen": citizen, "active": active, "past": [t for t in tickets if t.status not in ACTIVE]}
    return render(request, "queueing/my_numbers.html", context)


@require_POST
def ticket_citizen_action(request: HttpRequest, ticket_id: str, action: str) -> HttpResponse:
    """The citizen's own buttons on the ticket page: rejoin after a missed call, or give up the place.
    Only a browser that took the number (its session) may do this."""
    if str(ticket_id) not in [str(t) for t in request.session.get(SESSION_TICKETS, [])]:
        raise Http404(_("No such number."))
    ticket = get_object_or_404(Ticket.objects.select_related("hall", "service", "queue"), public_id=ticket_id)
    try:
        if action == "rejoin":
            ticket_rejoin(ticket=ticket)
        elif action == "cancel":
            ticket_cancel(ticket=ticket)
        else:
            raise Http404(_("Unknown action."))
    except DomainError as failure:
        messages.error(request, failure.message)
    return redirect("queueing:ticket", ticket_id=ticket.public_id)


@login_required
def check_in_poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable poster with the hall's check-in QR code, for the entrance (staff of the hall only)."""
    hall = hall_for(
        code=code,
        user=request.user,
        roles=[Role.HALL_MANAGER, Role.WINDOW_CLERK],
        refusal=_("You have no role in this hall."),
    )
    qr = check_in_qr_svg(request, hall)
    return render(request, "queueing/check_in_poster.html", {"hall": hall, "qr": mark_safe(qr)})  # noqa: S308 - SVG we generated


def hall_status(request: HttpRequest, code: str) -> HttpResponse:
    """Public live status of a hall: waiting per service with estimate bands, the latest calls."""
    hall = _hall(code)
    lines = service_line_estimates(hall=hall)
    rows: list[dict[str, Any]] = [
        {
            "line": row.line,
            "estimate": row.estimate,
            "wording": new_number_wording(row),
        }
        for row in lines
    ]
    context: dict[str, Any] = {
        "hall": hall,
        "rows": rows,
        "calls": recent_calls(hall=hall, limit=10),
        "open_now": hall_is_open(hall=hall),
        "remote": queue_rules(hall).remote_enabled,
        "citizen": citizen_of_session(request.session),
    }
    if request.GET.get("card"):  # the home page's hall card: people waiting now, the opening state
        context["waiting"] = sum(row.line.waiting for row in lines)
        return render(request, "queueing/hall_status.html#card", context)
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
    hall_lines = service_lines(hall=hall)
    lines = [line for line in hall_lines if queue_ids is None or line.service.queue_id in queue_ids]
    rules = queue_rules(hall)
    current = window_active_ticket(window_id=window.pk)
    no_show_in = 0
    if current is not None and current.status == TicketStatus.CALLED and current.called_at is not None:
        grace = rules.no_show_grace_seconds
        no_show_in = max(0, math.ceil(grace - (now() - current.called_at).total_seconds()))
    return {
        "no_show_in": no_show_in,
        "hall": hall,
        "window": window,
        "state": state.status if state else WindowState.Status.CLOSED,
        "current": current,
        "lines": lines,
        "waiting_total": sum(line.waiting for line in lines),
        "crowded": crowded_queues(hall_lines, more_than=rules.crowd_alert_waiting),
        "crowd_limit": rules.crowd_alert_waiting,
        "services": Service.objects.filter(hall=hall, is_active=True, queue__is_active=True).order_by(
            "position", "code"
        ),
        "windows": Window.objects.filter(hall=hall, is_active=True).exclude(pk=window.pk).order_by("number"),
        "reasons": GREEN_CHANNEL_REASONS,
        "waiting_list": desk.window_waiting(window),
        "pause_reasons": desk.PAUSE_REASONS,
        "call_reasons": desk.CALL_REASONS,
        "pause_reason": desk.pause_reason(state),
        "long_wait": settings.QUEUE_LONG_WAIT_MINUTES,
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
    "call-chosen",
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


def _perform_chosen(action: str, request: HttpRequest, window: Window, user: User) -> str:
    """Pause with a reason, and call a chosen number out of turn with a reason (queueing.desk)."""
    code, text = request.POST.get("reason", "")[:32], request.POST.get("reason_text", "")
    if action == "pause":
        desk.window_pause(window=window, clerk=user, reason_code=code, reason_text=text)
        return _("Window paused.")
    called = desk.ticket_call_chosen(
        window=window,
        clerk=user,
        public_id=request.POST.get("ticket", "")[:64],
        reason_code=code,
        reason_text=text,
    )
    return _("Called %(number)s out of turn.") % {"number": called.number}


def _perform(action: str, request: HttpRequest, window: Window, user: User) -> str:
    if action in ("pause", "call-chosen"):
        return _perform_chosen(action, request, window, user)
    if action in ("open", "close"):
        window_set_state(window=window, clerk=user, status={"open": "open", "close": "closed"}[action])
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
        target = Window.objects.filter(
            hall=window.hall, number=request.POST.get("window", ""), is_active=True
        ).first()
        moved = ticket_transfer(
            ticket=current,
            clerk=user,
            to_service=service if not target else None,
            to_window=target,
            raise_priority=bool(request.POST.get("raise_priority")),
        )
        return _("Transferred as %(number)s.") % {"number": moved.number}
    if action == "finish-call":
        called = ticket_call_next(window=window, clerk=user, finish_current=True)
        return _("Called %(number)s.") % {"number": called.number} if called else _("Nobody is waiting.")
    ticket_finish(ticket=current, clerk=user)
    return _("%(number)s finished.") % {"number": current.number}
