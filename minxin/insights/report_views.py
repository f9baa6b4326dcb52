"""Pages of the monthly reports: a hall's (its managers and the city office) and a region's competition
reports (the region's offices), each listed with its generation time, prepared again on demand, and
downloaded within the same scope."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from minxin.accounts.models import Role, User
from minxin.core.audit import audit_record
from minxin.insights.models import Report
from minxin.insights.selectors import month_add, month_start, province_today, region_may_view, reports_of_hall
from minxin.insights.services.competition_reports import competition_report_generate
from minxin.insights.services.reports import report_generate
from minxin.orgs.models import Hall, Region
from minxin.orgs.selectors import hall_for

REPORT_ROLES = (Role.HALL_MANAGER, Role.CITY_OFFICE)
CONTENT_TYPES: dict[str, str] = {
    Report.Format.PDF: "application/pdf",
    Report.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _month_asked(request: HttpRequest, last_month: dt.date) -> dt.date:
    text = request.POST.get("month", "") or request.GET.get("month", "")
    try:
        year, number = (int(part) for part in text.split("-", 1))
        month = dt.date(year, number, 1)
    except ValueError:
        return last_month
    return last_month if month > month_start(province_today()) else month


def _report_hall(request: HttpRequest, code: str) -> tuple[Hall, User]:
    user = _viewer(request)
    hall = hall_for(
        code=code,
        user=user,
        roles=REPORT_ROLES,
        refusal=_("Only the hall's managers and the city office may see its reports."),
    )
    return hall, user


def _report_region(request: HttpRequest, code: str) -> tuple[Region, User]:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(_("No such region."))
    user = _viewer(request)
    if not region_may_view(user=user, region=region):
        raise PermissionDenied(_("Only the region's offices may see its reports."))
    return region, user


@login_required
@require_http_methods(["GET", "POST"])
def hall_reports_page(request: HttpRequest, code: str) -> HttpResponse:
    """A hall's monthly reports with their generation time; a manager generates one on demand."""
    hall, user = _report_hall(request, code)
    last_month = month_add(month_start(province_today()), -1)
    if request.method == "POST":
        month = _month_asked(request, last_month)
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
@require_http_methods(["GET", "POST"])
def region_reports_page(request: HttpRequest, code: str) -> HttpResponse:
    """A region's monthly competition reports with their generation time; prepared again on demand."""
    region, user = _report_region(request, code)
    last_month = month_add(month_start(province_today()), -1)
    if request.method == "POST":
        month = _month_asked(request, last_month)
        competition_report_generate(region=region, month=month, by=user.username)
        audit_record(
            actor=user,
            action="insights.competition_report_generated",
            target=region,
            details={"month": f"{month:%Y-%m}"},
            request=request,
        )
        return redirect("insights:region-reports", code=region.code)
    reports = list(
        Report.objects.filter(kind=Report.Kind.COMPETITION, region_code=region.code, hall__isnull=True)
        .defer("content")
        .order_by("-month", "fmt")[:24]
    )
    context = {
        "region": region,
        "reports": reports,
        "months": [month_add(last_month, -n) for n in range(12)],
        "this_month": month_start(province_today()),
    }
    return render(request, "insights/region_reports.html", context)


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: str) -> FileResponse:
    report = get_object_or_404(Report.objects.select_related("hall__unit__region"), public_id=report_id)
    if report.hall is not None:
        _report_hall(request, report.hall.code)
        name = report.hall.code
    else:
        region, _user = _report_region(request, report.region_code)
        name = region.code
    response = FileResponse(io.BytesIO(bytes(report.content)), content_type=CONTENT_TYPES[report.fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{report.month:%Y-%m}-{report.kind}.{report.fmt}"'
    )
    return response
