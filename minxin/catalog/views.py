from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.catalog.selectors import (
    departments_for_officer,
    hall_detail,
    item_guide,
    item_search,
    windows_for_clerk,
)
from minxin.core.context_processors import HtmxHttpRequest
from minxin.orgs.models import Hall
from minxin.orgs.selectors import (
    hall_get,
    hall_is_open,
    hall_list,
    opening_hours_by_day,
    staff_roles_in_hall,
)


def _hall_or_404(code: str) -> Hall:
    hall = hall_get(code=code)
    if hall is None:
        raise Http404(_("No such hall."))
    return hall


def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    halls = hall_list(query=query) if query else hall_list()
    items = item_search(query=query)[:12] if query else None
    return render(request, "catalog/home.html", {"query": query, "halls": halls[:30], "items": items})


def item_list(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    hall_code = request.GET.get("hall", "")
    hall = _hall_or_404(hall_code) if hall_code else None
    page = Paginator(item_search(query=query, hall=hall), 20).get_page(request.GET.get("page"))
    context = {"query": query, "hall": hall, "page": page}
    template = "catalog/item_list.html#results" if request.htmx else "catalog/item_list.html"
    return render(request, template, context)


def item_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    version = item_guide(public_id=item_id)
    if version is None:
        raise Http404(_("No such item."))
    return render(
        request, "catalog/item_detail.html", {"version": version, "hall": version.item.department.hall}
    )


def hall_page(request: HttpRequest, code: str) -> HttpResponse:
    detail = hall_detail(hall=_hall_or_404(code))
    context = {
        "detail": detail,
        "hall": detail.hall,
        "open_now": hall_is_open(hall=detail.hall),
        "week": opening_hours_by_day(hall=detail.hall),
    }
    return render(request, "catalog/hall.html", context)


@login_required
def staff_hall(request: HttpRequest, code: str) -> HttpResponse:
    """A staff member's view of one hall: the windows they may serve at and the departments they handle.
    Anyone without a role reaching this hall gets 403."""
    hall = _hall_or_404(code)
    user = request.user
    assert isinstance(user, User)
    roles = staff_roles_in_hall(user=user, hall=hall)
    if not roles:
        raise PermissionDenied(_("You have no role in this hall."))
    context = {
        "hall": hall,
        "roles": sorted(roles),
        "windows": windows_for_clerk(user=user, hall=hall),
        "departments": departments_for_officer(user=user, hall=hall),
        "open_now": hall_is_open(hall=hall),
    }
    return render(request, "catalog/staff_hall.html", context)
