"""The department inbox, the supervision board and the metrics with their exports."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minxin.accounts.models import Role
from minxin.cases import metrics_export as exports
from minxin.cases import selectors
from minxin.cases.models import CaseStatus
from minxin.cases.views.common import user_of
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import InvalidInput
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for, staff_may_act_in_hall


@login_required
def inbox_page(request: HttpRequest, hall: str) -> HttpResponse:
    the_hall = hall_for(code=hall)
    user = user_of(request)
    status = request.GET.get("status", "")
    if status and status not in CaseStatus.values:
        status = ""
    cases = list(selectors.department_inbox(user=user, hall=the_hall, status=status)[:300])
    if not cases and not staff_may_act_in_hall(
        user=user, hall=the_hall, roles=[Role.DEPARTMENT_OFFICER, Role.HALL_MANAGER]
    ):
        raise PermissionDenied(_("Only the hall's department officers have an inbox here."))
    context = {
        "hall": the_hall,
        "cases": cases,
        "status": status,
        "statuses": CaseStatus.choices,
        "today": clock.local_today(the_hall.time_zone),
    }
    return render(request, "cases/inbox.html", context)


def _supervising_hall(request: HttpRequest, code: str) -> Hall:
    return hall_for(
        code=code,
        user=user_of(request),
        roles=selectors.SUPERVISE_ROLES,
        refusal=_("Only the hall's managers and the city office supervise its cases."),
    )


@login_required
def supervision_page(request: HttpRequest, hall: str) -> HttpResponse:
    the_hall = _supervising_hall(request, hall)
    rows = selectors.hall_supervision(hall=the_hall)
    context = {
        "hall": the_hall,
        "rows": rows,
        "at": clock.local_now(the_hall.time_zone),
        "yellow_total": sum(len(r.yellow) for r in rows),
        "red_total": sum(len(r.red) for r in rows),
    }
    template = (
        "cases/supervision_board.html" if request.headers.get("HX-Request") else "cases/supervision.html"
    )
    return render(request, template, context)


def _period(request: HttpRequest, hall: Hall) -> tuple[dt.date, dt.date]:
    today = clock.local_today(hall.time_zone)
    try:
        start = (
            dt.date.fromisoformat(request.GET["from"])
            if request.GET.get("from")
            else today.replace(day=1) - dt.timedelta(days=150)
        )
        end = dt.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
    except ValueError:
        raise InvalidInput(_("Dates are YYYY-MM-DD."), details={"field": "from"}) from None
    start = start.replace(day=1) if not request.GET.get("from") else start
    if end < start:
        raise InvalidInput(_("The period ends before it starts."), details={"field": "to"})
    if (end - start).days > 366 * 3:
        raise InvalidInput(_("The period is longer than three years."), details={"field": "from"})
    return start, end


@login_required
def metrics_page(request: HttpRequest, hall: str) -> HttpResponse:
    the_hall = _supervising_hall(request, hall)
    try:
        start, end = _period(request, the_hall)
    except InvalidInput as error:
        return render(request, "cases/metrics.html", {"hall": the_hall, "error": error.message}, status=400)
    metrics = selectors.hall_metrics(hall=the_hall, start=start, end=end)
    context = {"hall": the_hall, "start": start, "end": end, "metrics": metrics} | exports.chart_context(
        metrics, monthly=selectors.hall_monthly(hall=the_hall, start=start, end=end)
    )
    return render(request, "cases/metrics.html", context)


@login_required
def metrics_export(request: HttpRequest, hall: str, fmt: str) -> HttpResponse:
    the_hall = _supervising_hall(request, hall)
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Unknown format."))
    try:
        start, end = _period(request, the_hall)
    except InvalidInput as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    metrics = selectors.hall_metrics(hall=the_hall, start=start, end=end)
    monthly = selectors.hall_monthly(hall=the_hall, start=start, end=end)
    audit_record(
        actor=user_of(request),
        action="cases.metrics_exported",
        target=the_hall,
        details={"format": fmt, "from": start.isoformat(), "to": end.isoformat()},
        request=request,
    )
    if fmt == "csv":
        response = HttpResponse(exports.write_csv(metrics), content_type=exports.CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.write_xlsx(metrics, monthly), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{the_hall.code}-cases-{start}-{end}.{fmt}"'
    return response
