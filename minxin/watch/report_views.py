"""The watch's reports: the period table with its exports, and the monthly duty log of one tower."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minxin.core import clock
from minxin.watch import reports
from minxin.watch.page_access import request_post, request_scope
from minxin.watch.scope import posts_in_scope


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = clock.local_today("Asia/Shanghai")
    try:
        start = (
            dt.date.fromisoformat(request.GET.get("from", ""))
            if request.GET.get("from")
            else today - dt.timedelta(days=6)
        )
        end = dt.date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
    except ValueError as error:
        raise Http404(_("Dates must look like 2026-04-15.")) from error
    if end < start or (end - start).days > 92:
        raise Http404(_("Choose up to three months."))
    return start, end


@login_required
def report(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    start, end = _period(request)
    posts = list(posts_in_scope(scope))
    lines = reports.table(posts, start, end)
    return render(
        request,
        "watch/report.html",
        {
            "lines": list(zip(posts, lines, strict=True)),
            "start": start,
            "end": end,
            "headers": reports.header_labels(),
            "month": start.strftime("%Y-%m"),
        },
    )


@login_required
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    scope = request_scope(request)
    start, end = _period(request)
    lines = reports.table(list(posts_in_scope(scope)), start, end)
    name = f"watch-{start}-{end}"
    if fmt == "csv":
        response = HttpResponse(reports.as_csv(lines), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            reports.as_xlsx(lines, title=f"{start}~{end}"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def duty_log(request: HttpRequest, post_id: uuid.UUID, year: int, month: int) -> HttpResponse:
    """The month's duty log of one tower, for printing: a line per day and every non-normal report."""
    scope = request_scope(request)
    post = request_post(scope, post_id)
    try:
        first = dt.date(year, month, 1)
    except ValueError as error:
        raise Http404 from error
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows = reports.post_period(post, first, last, by_day=True)
    totals = reports.Row(label=_("Month"))
    for row in rows:
        totals.expected += row.expected
        totals.received += row.received
        totals.late += row.late
        totals.missed += row.missed
        totals.exceptions += row.exceptions
        totals.longest_gap_minutes = max(totals.longest_gap_minutes, row.longest_gap_minutes)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return render(
        request,
        "watch/duty_log.html",
        {
            "post": post,
            "first": first,
            "rows": rows,
            "totals": totals,
            "observations": [o for row in rows for o in row.observations],
            "staff": post.staff.select_related("user"),
            "previous": previous,
            "following": following,
            "board_json": json.dumps({}),
        },
    )
