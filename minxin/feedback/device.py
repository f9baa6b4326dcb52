"""The window rating device (评价器): a tablet beside a window, signed in as a device account of the hall
like the kiosk (accounts' device sign-in). It shows the window and the clerk on duty and waits; when the
clerk finishes a number (the hall's event stream says "finished" for this window) it shows five big
faces for that ticket, thanks the citizen and returns to idle."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from minxin.accounts.models import Role, User
from minxin.catalog.models import Window
from minxin.catalog.selectors import window_of_hall
from minxin.core import clock
from minxin.core.errors import DomainError, error_body
from minxin.feedback.models import OFFLINE_INDICATORS, Rating
from minxin.feedback.selectors import star_clerk_ids
from minxin.feedback.services import RatingInput, rating_throttle, ticket_rate
from minxin.feedback.views import faces
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for, staff_may_act_in_hall
from minxin.queueing.models import Ticket, TicketStatus, WindowState

DEVICE_ROLES = [Role.WINDOW_CLERK, Role.HALL_MANAGER]
# A number finished longer ago than this is no longer offered to rate at the window (the citizen left).
RATEABLE_MINUTES = 10


def _device(request: HttpRequest, code: str, number: str) -> tuple[Hall, Window, User]:
    hall = hall_for(code=code)
    window = window_of_hall(hall=hall, number=number)
    if window is None:
        raise Http404(_("No such window."))
    user = request.user
    if not isinstance(user, User) or not staff_may_act_in_hall(user=user, hall=hall, roles=DEVICE_ROLES):
        raise PermissionDenied(_("This device may not serve as a rating device in this hall."))
    return hall, window, user


def _on_duty(window: Window) -> User | None:
    state = WindowState.objects.filter(window=window).select_related("clerk").first()
    if state is None or state.status == WindowState.Status.CLOSED:
        return None
    return state.clerk


@never_cache
@require_GET
@login_required
def device_page(request: HttpRequest, code: str, number: str) -> HttpResponse:
    hall, window, _user = _device(request, code, number)
    clerk = _on_duty(window)
    return render(
        request,
        "feedback/device.html",
        {
            "hall": hall,
            "window": window,
            "clerk": clerk,
            "star": clerk is not None and clerk.pk in star_clerk_ids(hall=hall),
            "faces": faces(),
            "indicators": [(i.value, i.label) for i in OFFLINE_INDICATORS],
            "faces_seconds": settings.FEEDBACK_DEVICE_FACES_SECONDS,
        },
    )


@never_cache
@require_GET
@login_required
def device_clerk(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """The clerk panel of the idle screen (htmx refreshes it when the window opens or changes hands)."""
    hall, window, _user = _device(request, code, number)
    clerk = _on_duty(window)
    return render(
        request,
        "feedback/device_clerk.html",
        {
            "window": window,
            "clerk": clerk,
            "star": clerk is not None and clerk.pk in star_clerk_ids(hall=hall),
        },
    )


def _rateable(window: Window, public_id: str) -> Ticket | None:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    since = clock.now() - dt.timedelta(minutes=RATEABLE_MINUTES)
    return (
        Ticket.objects.select_related("hall__unit", "service", "window")
        .filter(public_id=key, window=window, status=TicketStatus.DONE, finished_at__gte=since)
        .first()
    )


@never_cache
@require_GET
@login_required
def device_pending(request: HttpRequest, code: str, number: str) -> JsonResponse:
    """The latest number finished at this window in the last minutes and not rated yet (what the device
    shows faces for after a reconnect, when it may have missed the live signal); null if none."""
    _hall, window, _user = _device(request, code, number)
    since = clock.now() - dt.timedelta(minutes=RATEABLE_MINUTES)
    ticket = (
        Ticket.objects.filter(window=window, status=TicketStatus.DONE, finished_at__gte=since)
        .order_by("-finished_at")
        .first()
    )
    if ticket is None or Rating.objects.filter(ticket=ticket).exists():
        return JsonResponse({"ticket": None})
    return JsonResponse({"ticket": str(ticket.public_id), "number": ticket.number})


@require_POST
@login_required
def device_rate(request: HttpRequest, code: str, number: str) -> JsonResponse:
    """A face tapped (JSON body {"ticket", "score", "indicators", "comment"}): 201, or the API's error
    shape (409 already_rated, 422, 429)."""
    _hall, window, user = _device(request, code, number)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    ticket = _rateable(window, str(body.get("ticket", "")))
    if ticket is None:
        return JsonResponse(
            error_body("ticket_not_rateable", _("This number cannot be rated here any more.")), status=422
        )
    indicators = body.get("indicators") or []
    given = RatingInput(
        score=body.get("score"),
        channel="device",
        indicators=[str(value) for value in indicators][:8] if isinstance(indicators, list) else [],
        comment=str(body.get("comment") or "")[:1000],
    )
    try:
        rating_throttle(device=user)
        rating = ticket_rate(ticket=ticket, given=given)
    except DomainError as failure:
        return JsonResponse(failure.as_dict(), status=failure.status)
    return JsonResponse({"id": str(rating.public_id), "score": rating.score}, status=201)
