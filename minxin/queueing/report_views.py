"""Pages for the hall's managers and the city office: the hall floor now (live), and the queue report
with its CSV/XLSX exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import InvalidInput
from minxin.orgs.models import Hall
from minxin.orgs.selectors import hall_for
from minxin.queueing import reports


def _reporting_hall(request: HttpRequest, code: str) -> tuple[Hall, User]:
    hall = hall_for(
        code=code,
        user=request.user,
        roles=reports.REPORT_ROLES,
        refusal=_("Only the hall's managers and the city office may see its queue report."),
    )
    assert isinstance(request.user, User)
    return hall, request.user


@login_required
def queue_report_page(request: HttpRequest, code: str) -> HttpResponse:
    """Numbers, outcomes, waits and service times of a range of days, by service, window, day and hour."""
    hall, _user = _reporting_hall(request, code)
    today = clock.local_today(hall.time_zone)
    start_text, end_text = request.GET.get("from"), request.GET.get("to")
    try:
        start, end = reports.parse_range(start_text, end_text, today=today)
    except InvalidInput as error:
        context = {"hall": hall, "error": error.message, "start": start_text or "", "end": end_text or ""}
        return render(request, "queueing/report.html", context, status=400)
    report = reports.queue_report(hall=hall, start=start, end=end)
    context = {
        "hall": hall,
        "report": report,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "today": today.isoformat(),
        "max_days": reports.MAX_DAYS,
    }
    return render(request, "queueing/report.html", context)


@login_required
def queue_report_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The report as XLSX (a sheet per grouping and the ticket log) or the ticket log as CSV."""
    hall, user = _reporting_hall(request, code)
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Unknown format."))
    try:
        start, end = reports.parse_range(
            request.GET.get("from"), request.GET.get("to"), today=clock.local_today(hall.time_zone)
        )
    except InvalidInput as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    report = reports.queue_report(hall=hall, start=start, end=end)
    audit_record(
        actor=user,
        action="queue_report.exported",
        target=hall,
        details={
            "format": fmt,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "rows": len(report.tickets),
        },
        request=request,
    )
    if fmt == "csv":
        response = HttpResponse(reports.write_csv(report), content_type=reports.CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(reports.write_xlsx(report), content_type=reports.XLSX_CONTENT_TYPE)
    filename = f"{hall.code}-queue-{start.isoformat()}-{end.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def hall_overview_page(request: HttpRequest, code: str) -> HttpResponse:
    """The floor now: windows (state, clerk, number at the window, served today) and queues (waiting,
    longest wait so far, estimate for a new number, too long); refreshes itself from the event stream."""
    hall, _user = _reporting_hall(request, code)
    context = {
        "hall": hall,
        "now": reports.hall_now(hall=hall),
        "at": clock.local_now(hall.time_zone),
        "long_wait": settings.QUEUE_LONG_WAIT_MINUTES,  # marked on the floor view (issue 20, point 10)
    }
    return render(request, "queueing/overview.html", context)
