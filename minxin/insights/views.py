"""Pages: the region (city or province) dashboard, the wall screen and its JSON, the public page, the
monthly reports of a hall, and CSV/XLSX exports of every dashboard table."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from minxin.accounts.models import Role, User
from minxin.core.audit import audit_record
from minxin.insights import modules, tables
from minxin.insights.models import Report
from minxin.insights.modules import public_vote_results
from minxin.insights.selectors import (
    month_add,
    month_start,
    province_today,
    region_may_view,
    region_view_cached,
    regions_for_staff,
    reports_of_hall,
)
from minxin.insights.services.reports import report_generate
from minxin.insights.services.wall import wall_snapshot
from minxin.insights.tables import cases_table, feedback_table
from minxin.orgs.models import Hall, Region
from minxin.orgs.selectors import hall_get, staff_may_act_in_hall

REPORT_ROLES = (Role.HALL_MANAGER, Role.CITY_OFFICE)
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _region_for(request: HttpRequest, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(_("No such region."))
    if not region_may_view(user=_viewer(request), region=region):
        raise PermissionDenied(_("Only the region's offices may see its dashboard."))
    return region


def _month(request: HttpRequest) -> dt.date | None:
    text = request.GET.get("month", "")
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        return None


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    regions = regions_for_staff(user=_viewer(request))
    if not regions:
        raise PermissionDenied(_("You hold no role that shows a region's dashboard."))
    return redirect("insights:region", code=regions[0].code)


@login_required
def region_page(request: HttpRequest, code: str) -> HttpResponse:
    """Every hall of a city (or the cities of the province) side by side, with trends and drill-down."""
    region = _region_for(request, code)
    view = region_view_cached(region=region, month=_month(request))
    context = {
        "view": view,
        "region": region,
        # the halls table is drawn by the template itself (with its drill-down links); exports build it
        "tables": {"regions": tables.children_table(view), "trend": tables.trend_table(view)},
        "previous_month": month_add(view.month, -1),
        "next_month": month_add(view.month, 1) if view.month < month_start(province_today()) else None,
        "charts": _region_charts(view),
        "cases": cases_table(view, modules.cases_figures(region=region, month=view.month)),
        "feedback": feedback_table(view, modules.feedback_figures(region=region, month=view.month)),
        "export_base": reverse("insights:region-export", args=[region.code, "T", "F"]).removesuffix("T.F"),
        "month_query": f"?month={view.month:%Y-%m}",
    }
    return render(request, "insights/region.html", context)


def _region_charts(view: Any) -> dict[str, Any]:
    months = [f"{month:%Y-%m}" for month in view.months]
    served = [figures.served for figures in view.trend]
    waits = [None if f.wait_mean is None else float(f.wait_mean) for f in view.trend]
    trend = {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 48, "top": 36, "bottom": 28},
        "xAxis": {"type": "category", "data": months},
        "yAxis": [{"type": "value", "name": _("Served")}, {"type": "value", "name": _("min")}],
        "series": [
            {"name": _("Served"), "type": "bar", "data": served},
            {
                "name": _("Mean wait (min)"),
                "type": "line",
                "yAxisIndex": 1,
                "data": waits,
                "symbol": "circle",
            },
        ],
    }
    names = [line.hall.name for line in view.shown_lines]
    halls = {
        "aria": {"enabled": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 150, "right": 24, "top": 36, "bottom": 28},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "xAxis": {"type": "value", "name": _("min")},
        "series": [
            {
                "name": _("Mean wait (min)"),
                "type": "bar",
                "data": [
                    None if line.month.wait_mean is None else float(line.month.wait_mean)
                    for line in view.shown_lines
                ],
            },
            {
                "name": _("Forecast wait (min)"),
                "type": "scatter",
                "symbol": "diamond",
                "symbolSize": 12,
                "data": [
                    None if line.month.forecast_mean is None else float(line.month.forecast_mean)
                    for line in view.shown_lines
                ],
            },
        ],
    }
    return {"trend": trend, "halls": halls, "halls_height": max(200, 40 * len(names) + 80)}


@login_required
@require_GET
def region_export(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    region = _region_for(request, code)
    build = tables.REGION_TABLES.get(table)
    if build is None or fmt not in EXPORT_TYPES:
        raise Http404(_("Unknown table or format."))
    view = region_view_cached(region=region, month=_month(request))
    data = build(view)
    content = tables.table_csv(data) if fmt == "csv" else tables.table_xlsx(data)
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    filename = f"{region.code}-{table}-{view.month:%Y-%m}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _wall_allowed(request: HttpRequest, region: Region) -> bool:
    key = settings.INSIGHTS_WALL_KEY
    given = request.GET.get("key", "")
    if key and given and secrets.compare_digest(key, given):
        return True
    user = request.user
    return isinstance(user, User) and region_may_view(user=user, region=region)


def _wall_region(request: HttpRequest, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(_("No such region."))
    if not _wall_allowed(request, region):
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Sign in, or open the wall screen with its display key."))
        raise PermissionDenied(_("Only the region's offices may see its wall screen."))
    return region


@require_GET
def wall_page(request: HttpRequest, code: str) -> HttpResponse:
    """The province wall screen (大屏): dark, large, no interaction; refreshes from `wall_data`."""
    region = _wall_region(request, code)
    payload = wall_snapshot(region=region)
    context = {
        "region": region,
        "payload": payload,
        "refresh_seconds": settings.INSIGHTS_WALL_REFRESH_SECONDS,
        "key": request.GET.get("key", ""),
        "words": _wall_words(),
    }
    return render(request, "insights/wall.html", context)


def _wall_words() -> dict[str, str]:
    return {
        "served": _("Served"),
        "issued": _("Issued"),
        "wait": _("Mean wait (min)"),
        "waiting": _("Waiting now"),
        "min": _("min"),
        "lost": _("Connection lost: showing the figures of"),
        "live": _("Live"),
        "none": "—",
        "summary": _(
            "Today in the province: %(served)s served of %(issued)s numbers taken; %(waiting)s waiting now; "
            "mean wait %(wait)s min, 9 in 10 at most %(p90)s min."
        ),
    }


@require_GET
def wall_data(request: HttpRequest, code: str) -> JsonResponse:
    region = _wall_region(request, code)
    response = JsonResponse(wall_snapshot(region=region), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def public_page(request: HttpRequest, code: str = "") -> HttpResponse:
    """Published figures: last full month per hall (served, waits) for a province or a city."""
    region = (
        Region.objects.filter(code=code).first()
        if code
        else Region.objects.filter(parent__isnull=True).first()
    )
    if region is None:
        raise Http404(_("No such region."))
    month = month_add(month_start(province_today()), -1)
    view = region_view_cached(region=region, month=month)
    context = {
        "region": region,
        "view": view,
        "children": list(region.children.order_by("code")),
        "parent": region.parent,
        "vote_results": public_vote_results(region=region),
    }
    return render(request, "insights/public.html", context)


def _report_hall(request: HttpRequest, code: str) -> tuple[Hall, User]:
    hall = hall_get(code=code)
    if hall is None:
        raise Http404(_("No such hall."))
    user = _viewer(request)
    if not staff_may_act_in_hall(user=user, hall=hall, roles=REPORT_ROLES):
        raise PermissionDenied(_("Only the hall's managers and the city office may see its reports."))
    return hall, user


@login_required
@require_http_methods(["GET", "POST"])
def hall_reports_page(request: HttpRequest, code: str) -> HttpResponse:
    """A hall's monthly reports with their generation time; a manager generates one on demand."""
    hall, user = _report_hall(request, code)
    last_month = month_add(month_start(province_today()), -1)
    if request.method == "POST":
        month = _month(request) or last_month
        if month > month_start(province_today()):
            month = last_month
        report_generate(hall=hall, month=month, by=user.username)
        audit_record(
            actor=user,
            action="insights.report_generated",
            target=hall,
            details={"month": f"{month:%Y-%m}"},
            request=request,
        )
        return redirect("insights:hall-reports", code=hall.code)
    context = {
        "hall": hall,
        "reports": reports_of_hall(hall=hall),
        "last_month": last_month,
        "months": [month_add(last_month, -n) for n in range(12)],
    }
    return render(request, "insights/hall_reports.html", context)


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: str) -> FileResponse:
    report = get_object_or_404(Report.objects.select_related("hall__unit__region"), public_id=report_id)
    if report.hall is None:
        raise Http404(_("No such report."))
    _report_hall(request, report.hall.code)
    content_type = "application/pdf" if report.fmt == Report.Format.PDF else EXPORT_TYPES["xlsx"]
    import io

    response = FileResponse(io.BytesIO(bytes(report.content)), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{report.hall.code}-{report.month:%Y-%m}-{report.kind}.{report.fmt}"'
    )
    return response
