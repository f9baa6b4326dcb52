"""Staff pages of home and on-site service (上门服务): the hall's visits, recording a request, one visit's
page (schedule, complete — which takes the case in at the citizen's home — cancel) with its case."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.accounts.models import User
from minxin.appointments.models import HomeVisit
from minxin.appointments.selectors import visits_of_hall
from minxin.appointments.services import (
    VisitIntake,
    visit_cancel,
    visit_complete,
    visit_request,
    visit_schedule,
    visit_version,
)
from minxin.appointments.staff_views import BOOKING_ROLES, DESK_ROLES, _int, _staff_hall
from minxin.catalog.models import Material
from minxin.catalog.selectors import current_versions
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.orgs.selectors import staff_may_act_in_hall


@login_required
def visits_page(request: HttpRequest, code: str) -> HttpResponse:
    hall, user = _staff_hall(request, code, BOOKING_ROLES)
    if request.method == "POST":
        try:
            visit_request(
                hall=hall,
                matter=request.POST.get("matter", ""),
                requester=request.POST.get("requester", ""),
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
                address=request.POST.get("address", ""),
                notes=request.POST.get("notes", ""),
                actor=user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The visit request is recorded."))
        return redirect("appointments:visits", code=hall.code)
    zone = ZoneInfo(hall.time_zone)
    visits = [
        {"visit": visit, "local": visit.scheduled_for.astimezone(zone) if visit.scheduled_for else None}
        for visit in visits_of_hall(hall=hall)[:200]
    ]
    staff = User.objects.filter(memberships__hall=hall, is_active=True).distinct().order_by("username")
    context = {
        "hall": hall,
        "visits": visits,
        "staff": list(staff),
        "requesters": HomeVisit.Requester.choices,
        "may_schedule": staff_may_act_in_hall(user=user, hall=hall, roles=DESK_ROLES),
    }
    return render(request, "appointments/visits.html", context)


@login_required
def visit_page(request: HttpRequest, code: str, visit_id: str) -> HttpResponse:
    """One visit: its history, its case (number and link) once taken in, and the forms to schedule it and
    to complete it with the intake done at the citizen's home (the item's materials to tick)."""
    hall, user = _staff_hall(request, code, BOOKING_ROLES)
    visit = (
        HomeVisit.objects.filter(public_id=visit_id, hall=hall)
        .select_related("item", "staff", "case")
        .first()
    )
    if visit is None:
        raise Http404(_("No such visit."))
    version = visit_version(visit, request.GET.get("item", ""))
    today = clock.local_today(hall.time_zone)
    items = (
        current_versions(on=today)
        .filter(item__department__hall=hall, item__department__is_active=True)
        .select_related("item")
        .order_by("item__code")[:300]
    )
    zone = ZoneInfo(hall.time_zone)
    context = {
        "hall": hall,
        "visit": visit,
        "local": visit.scheduled_for.astimezone(zone) if visit.scheduled_for else None,
        "events": list(visit.events.select_related("actor")),
        "version": version,
        "materials": list(Material.objects.filter(version=version)) if version else [],
        "items": list(items),
        "staff": list(
            User.objects.filter(memberships__hall=hall, is_active=True).distinct().order_by("username")
        ),
        "may_act": staff_may_act_in_hall(user=user, hall=hall, roles=DESK_ROLES),
    }
    return render(request, "appointments/visit.html", context)


def _complete(request: HttpRequest, visit: HomeVisit, user: User) -> None:
    item = request.POST.get("item", "")
    intake = None
    if visit.item_id is not None or item:
        intake = VisitIntake(
            id_number=request.POST.get("id_number", "").strip(),
            materials_ok=frozenset(
                _int(raw, 0, low=0, high=2**31) for raw in request.POST.getlist("material")
            ),
            item_public_id=item,
        )
    done = visit_complete(visit=visit, actor=user, outcome=request.POST.get("outcome", ""), intake=intake)
    if done.case is not None:
        messages.success(request, _("Completed. Case %(number)s is opened.") % {"number": done.case.number})


@require_POST
@login_required
def visit_action(request: HttpRequest, code: str, visit_id: str, action: str) -> HttpResponse:
    hall, user = _staff_hall(request, code, DESK_ROLES)
    visit = HomeVisit.objects.filter(public_id=visit_id, hall=hall).select_related("hall", "item").first()
    if visit is None:
        raise Http404(_("No such visit."))
    try:
        if action == "schedule":
            staff = User.objects.filter(pk=_int(request.POST.get("staff", ""), 0, low=0, high=2**31)).first()
            if staff is None or not staff_may_act_in_hall(user=staff, hall=hall, roles=DESK_ROLES):
                messages.error(request, _("Choose a staff member of this hall."))
                return redirect("appointments:visit", code=hall.code, visit_id=visit.public_id)
            when = dt.datetime.fromisoformat(request.POST.get("when", "")).replace(
                tzinfo=ZoneInfo(hall.time_zone)
            )
            visit_schedule(visit=visit, staff=staff, when=when, actor=user)
        elif action == "complete":
            _complete(request, visit, user)
        elif action == "cancel":
            visit_cancel(visit=visit, actor=user, reason=request.POST.get("reason", ""))
        else:
            raise Http404(_("No such action."))
    except ValueError:
        messages.error(request, _("Choose a date and time."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("appointments:visit", code=hall.code, visit_id=visit.public_id)
