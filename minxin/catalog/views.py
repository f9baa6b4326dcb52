from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minxin.accounts.models import User
from minxin.accounts.services import citizen_of_session
from minxin.catalog.indexing import item_stat_record_view, search_term_record
from minxin.catalog.models import Department, ItemVersion, Window, window_order
from minxin.catalog.selectors import (
    SearchFilters,
    catalog_search,
    departments_for_officer,
    hall_detail,
    item_guide,
    popular_items,
    search_suggestions,
    windows_for_clerk,
)
from minxin.core.context_processors import HtmxHttpRequest
from minxin.orgs.models import Hall
from minxin.orgs.selectors import (
    hall_for,
    hall_is_open,
    hall_list,
    opening_hours_by_day,
    staff_roles_in_hall,
)

# Life events and topics (一件事): each a search the synonym table turns into the catalog's words.
LIFE_EVENTS: tuple[tuple[str, Any], ...] = (
    ("出生", gettext_lazy("Having a baby")),
    ("入学", gettext_lazy("Starting school")),
    ("就业", gettext_lazy("Finding work")),
    ("结婚", gettext_lazy("Getting married")),
    ("买房", gettext_lazy("Buying a home")),
    ("开办企业", gettext_lazy("Starting a business")),
    ("驾驶证", gettext_lazy("Driving")),
    ("退休", gettext_lazy("Retiring")),
)
TOPICS: tuple[tuple[str, Any], ...] = (
    ("身份证", gettext_lazy("Identity card")),
    ("户口", gettext_lazy("Household registration")),
    ("社保", gettext_lazy("Social insurance")),
    ("公积金", gettext_lazy("Housing provident fund")),
    ("医保", gettext_lazy("Medical insurance")),
    ("不动产", gettext_lazy("Real estate")),
    ("税务", gettext_lazy("Tax")),
    ("护照", gettext_lazy("Passports and travel permits")),
)


def _flag(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


def _filters(request: HttpRequest, hall: Hall | None) -> SearchFilters:
    trips = request.GET.get("trips", "")
    audience = request.GET.get("for", "")
    return SearchFilters(
        hall=hall,
        department=request.GET.get("department", "")[:32],
        online=_flag(request.GET.get("online", "")),
        appointment=_flag(request.GET.get("appointment", "")),
        max_trips=int(trips) if trips in {"0", "1"} else None,
        audience=audience if audience in {"person", "company"} else "",
    )


def home(request: HttpRequest) -> HttpResponse:
    """The front door (一网通办门户): search first, the citizen's own numbers, entries for individuals
    and companies, life events and topics, the high-frequency items, every hall with its state, the
    hotline. A query goes to the search page."""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        return redirect(f"{reverse('catalog:item-list')}?{urlencode({'q': query})}")
    halls = list(hall_list()[:30])
    departments = (
        Department.objects.filter(is_active=True, hall__is_active=True)
        .values("name")
        .distinct()
        .order_by("name")
    )
    context = {
        "halls": [(hall, hall_is_open(hall=hall)) for hall in halls],
        "popular": popular_items(limit=8),
        "life_events": LIFE_EVENTS,
        "topics": TOPICS,
        "departments": [row["name"] for row in departments[:60]],
        "citizen": citizen_of_session(request.session),
    }
    return render(request, "catalog/home.html", context)


def item_list(request: HtmxHttpRequest) -> HttpResponse:
    """The service search: what people type (words, pinyin, initials, synonyms), filters, and when
    nothing is found, suggestions and the hall's phone."""
    query = request.GET.get("q", "").strip()[:100]
    hall_code = request.GET.get("hall", "")
    hall = hall_for(code=hall_code) if hall_code else None
    filters = _filters(request, hall)
    result = catalog_search(query=query, filters=filters)
    if query and request.GET.get("page") in (None, "", "1"):
        search_term_record(query=query, results=result.count)
    page = Paginator(result.versions, 20).get_page(request.GET.get("page"))
    departments = Department.objects.filter(is_active=True, hall__is_active=True)
    if hall is not None:
        departments = departments.filter(hall=hall)
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    context = {
        "query": query,
        "hall": hall,
        "page": page,
        "filters": filters,
        "departments": departments.order_by("name").values("code", "name").distinct(),
        "params": urlencode(params),
        "suggestions": search_suggestions() if not result.count else [],
        "halls": list(hall_list()[:10]) if not result.count and hall is None else [],
        "hotline": settings.SITE_HOTLINE,
        "has_filters": filters.active,
    }
    template = "catalog/item_list.html#results" if request.htmx else "catalog/item_list.html"
    return render(request, template, context)


def item_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    version = item_guide(public_id=item_id)
    if version is None:
        raise Http404(_("No such item."))
    item_stat_record_view(item=version.item, from_search=request.GET.get("from") == "search")
    hall = version.item.department.hall
    windows = list(
        Window.objects.filter(hall=hall, is_active=True, items=version.item).order_by(*window_order())
    )
    context = {
        "version": version,
        "hall": hall,
        "windows": windows,
        "week": opening_hours_by_day(hall=hall),
        "open_now": hall_is_open(hall=hall),
        "steps": _steps(version),
        "faq": _faq(version.faq),
        "booking_url": _booking_url(version, hall),
        "hotline": settings.SITE_HOTLINE,
    }
    return render(request, "catalog/item_detail.html", context)


def _steps(version: ItemVersion) -> list[str]:
    """The process (办理流程): the editor's steps, or the usual ones for the item."""
    steps = [line.strip() for line in version.process_steps.splitlines() if line.strip()]
    if steps:
        return steps
    if version.is_on_the_spot:
        return [
            str(_("Take a number and hand in your materials at the window")),
            str(_("The window checks them and handles your application on the spot")),
            str(_("Receive the result at the window")),
        ]
    return [
        str(_("Apply: online, or take a number and hand in your materials at the window")),
        str(_("Acceptance (受理): the window checks the materials and gives you a receipt")),
        str(_("Review and decision by the department within the promised time")),
        str(_("Result: collected at the window or sent by post")),
    ]


def _faq(text: str) -> list[tuple[str, str]]:
    pairs = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if len(lines) >= 2:
            pairs.append((lines[0], " ".join(lines[1:])))
    return pairs


def _booking_url(version: ItemVersion, hall: Hall) -> str:
    """Where the 预约 badge leads: the hall's remote number page (bookings live above the catalog)."""
    if not version.appointment:
        return ""
    try:
        return reverse("queueing:hall-status", args=[hall.code])
    except NoReverseMatch:
        return ""


def hall_page(request: HttpRequest, code: str) -> HttpResponse:
    detail = hall_detail(hall=hall_for(code=code))
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
    hall = hall_for(code=code)
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
