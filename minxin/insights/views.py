"""Pages: the region (city or province) dashboard, the wall screen and its JSON, the public page, and
CSV/XLSX exports of every dashboard table (the reports' pages are in `report_views`)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minxin.accounts.models import User
from minxin.insights import modules, outlook, tables
from minxin.insights.modules import competition_figures, public_vote_results
from minxin.insights.report_views import hall_reports_page, region_reports_page, report_download
from minxin.insights.selectors import (
    month_add,
    month_start,
    province_today,
    region_may_view,
    region_view_cached,
    regions_for_staff,
)
from minxin.insights.services.wall import wall_snapshot
from minxin.insights.tables import cases_table, feedback_table, honours_tables
from minxin.orgs.models import Region

__all__ = ["hall_reports_page", "region_reports_page", "report_download"]  # re-exported for urls
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
        "honours": honours_tables(competition_figures(region=region)),
        **_outlook_context(region, view),
        "export_base": reverse("insights:region-export", args=[region.code, "T", "F"]).removesuffix("T.F"),
        "month_query": f"?month={view.month:%Y-%m}",
    }
    return render(request, "insights/region.html", context)


def _outlook_context(region: Region, view: Any) -> dict[str, Any]:
    """The week ahead and today's waits against the forecast (a city's view, when its halls have one)."""
    if view.month != month_start(view.today):
        return {}
    figures = outlook.forecast_figures(region=region)
    if not figures:
        return {}
    return {
        "outlook": figures,
        "outlook_chart": outlook.outlook_chart(figures),
        "outlook_summary": outlook.outlook_summary(figures),
        "against": outlook.against_forecast(view, figures),
    }


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
    if fmt not in EXPORT_TYPES:
        raise Http404(_("Unknown table or format."))
    view = region_view_cached(region=region, month=_month(request))
    data = _export_table(region, view, table)
    if data is None:
        raise Http404(_("Unknown table or format."))
    content = tables.table_csv(data) if fmt == "csv" else tables.table_xlsx(data)
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    filename = f"{region.code}-{table}-{view.month:%Y-%m}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_table(region: Region, view: Any, table: str) -> tables.Table | None:
    build = tables.REGION_TABLES.get(table)
    if build is not None:
        return build(view)
    if table == "outlook":
        figures = outlook.forecast_figures(region=region)
        return tables.outlook_table(figures) if figures else None
    honours = honours_tables(competition_figures(region=region))
    data = honours.get({"flags": "flags", "flags-by-city": "by_city", "ranking": "ranking"}.get(table, ""))
    return data if isinstance(data, tables.Table) else None


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
        "honours": honours_tables(competition_figures(region=region)),
    }
    return render(request, "insights/public.html", context)
