"""Staff pages: the bad-review loop (list, one review with its steps), a hall's rating figures (with a
CSV export), its honours, and the nominations of model workers."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from minxin.accounts.models import Role, User
from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.feedback.models import Appeal, Honour, Nomination, Rectification, RectificationStatus
from minxin.feedback.selectors import HallSummary, hall_summary, month_bounds, rectifications_for
from minxin.feedback.services import (
    appeal_decide,
    honour_decide,
    honours_propose,
    nomination_decide,
    nomination_file,
    rectification_appeal,
    rectification_recheck,
    rectification_rectify,
    rectification_reply,
    rectification_verify,
)
from minxin.feedback.services.loop import may_decide_appeal, may_handle, may_recheck
from minxin.feedback.views import parse_month
from minxin.orgs.models import Hall
from minxin.orgs.selectors import (
    hall_for,
    hall_get,
    halls_for_staff,
    staff_roles_in_hall,
)

FIGURE_ROLES = [Role.HALL_MANAGER, Role.CITY_OFFICE]


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _hall(code: str, user: User, roles: Sequence[str]) -> Hall:
    return hall_for(code=code, user=user, roles=roles, refusal=_("You may not see this hall's figures."))


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    code = request.GET.get("hall", "")
    hall = hall_get(code=code) if code else None
    status = request.GET.get("status", "open")
    rows = rectifications_for(
        user=user,
        hall=hall,
        status=status if status != "all" else "",
        escalated=request.GET.get("late") == "1",
    )
    statuses = [
        ("open", pgettext("bad review", "Open")),
        *RectificationStatus.choices,
        ("all", pgettext("bad review", "All")),
    ]
    return render(
        request,
        "feedback/staff/rectification_list.html",
        {
            "rows": list(rows[:200]),
            "halls": list(halls_for_staff(user=user)[:100]),
            "hall": hall,
            "status": status,
            "statuses": statuses,
            "late": request.GET.get("late") == "1",
        },
    )


def _find(user: User, public_id: uuid.UUID) -> Rectification:
    row = rectifications_for(user=user).filter(public_id=public_id).select_related("rating__ticket").first()
    if row is None:
        raise Http404(_("No such bad review."))
    return row


@login_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    row = _find(user, public_id)
    status = 200
    if request.method == "POST":
        try:
            _act(request.POST.get("action", ""), row, user, request.POST)
        except DomainError as failure:
            messages.error(request, failure.message)
            status = failure.status if failure.status in (403, 409, 422) else 422
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("feedback:staff-rectification", args=[row.public_id]))
        row = _find(user, public_id)
    appeal: Appeal | None = getattr(row, "appeal", None)
    context = {
        "row": row,
        "rating": row.rating,
        "steps": list(row.steps.select_related("actor")),
        "appeal": appeal,
        "may_handle": may_handle(user=user, rectification=row),
        "may_recheck": may_recheck(user=user, rectification=row),
        "may_decide": may_decide_appeal(user=user, rectification=row),
        "grounds": Appeal.Ground.choices,
        "S": RectificationStatus,
        "open": row.status != RectificationStatus.CLOSED,
    }
    return render(request, "feedback/staff/rectification_detail.html", context, status=status)


def _act(action: str, row: Rectification, user: User, data: Any) -> None:
    text = str(data.get("text", ""))
    if action == "verify":
        rectification_verify(
            rectification=row, actor=user, clerk_account=str(data.get("clerk_account", "")), finding=text
        )
    elif action == "rectify":
        rectification_rectify(rectification=row, actor=user, measures=text)
    elif action == "reply":
        rectification_reply(rectification=row, actor=user, reply=text)
    elif action in ("recheck-pass", "recheck-return"):
        rectification_recheck(rectification=row, actor=user, passed=action == "recheck-pass", note=text)
    elif action == "appeal":
        rectification_appeal(rectification=row, actor=user, ground=str(data.get("ground", "")), reason=text)
    elif action in ("uphold", "reject"):
        appeal = Appeal.objects.filter(rectification=row).first()
        if appeal is None:
            raise Http404(_("No appeal has been filed."))
        appeal_decide(appeal=appeal, actor=user, upheld=action == "uphold", reason=text)
    else:
        raise Http404(_("Unknown action."))


def _period(request: HttpRequest, hall: Hall) -> tuple[dt.date, dt.date]:
    today = clock.local_today(hall.time_zone)
    first, _last = month_bounds(today)
    try:
        start = dt.date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else first
        end = dt.date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
    except ValueError:
        return first, today
    if end < start or (end - start).days > 366:
        return first, today
    return start, end


@login_required
def hall_ratings(request: HttpRequest, code: str) -> HttpResponse:
    """A hall's figures for a period, by window, clerk, department and day, with a chart and a CSV."""
    user = _user(request)
    hall = _hall(code, user, FIGURE_ROLES)
    start, end = _period(request, hall)
    summary = hall_summary(hall=hall, date_from=start, date_to=end)
    if request.GET.get("format") == "csv":
        return _csv(hall, start, end, summary)
    days = summary.days
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Ratings"), _("Satisfaction rate (%)")]},
        "xAxis": {"type": "category", "data": [row.period.isoformat() if row.period else "" for row in days]},
        "yAxis": [
            {"type": "value", "name": _("Ratings")},
            {"type": "value", "name": "%", "min": 0, "max": 100},
        ],
        "series": [
            {"name": _("Ratings"), "type": "bar", "data": [row.count for row in days]},
            {
                "name": _("Satisfaction rate (%)"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [
                    float(row.satisfaction_rate) if row.satisfaction_rate is not None else None
                    for row in days
                ],
            },
        ],
    }
    return render(
        request,
        "feedback/staff/hall_ratings.html",
        {"hall": hall, "start": start, "end": end, "summary": summary, "chart_option": option},
    )


def _csv(hall: Hall, start: dt.date, end: dt.date, summary: HallSummary) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ratings-{hall.code}-{start}-{end}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM as UTF-8
    writer = csv.writer(response)
    head = [
        _("Group"),
        _("Name"),
        _("Ratings"),
        _("Mean"),
        _("Satisfaction rate (%)"),
        _("Bad reviews"),
        _("Excluded by appeal"),
        _("Rectified on time"),
        _("Served"),
        _("Participation (%)"),
    ]
    writer.writerow(head)
    groups: list[tuple[str, str, Any]] = [(_("Hall"), hall.name, summary.total)]
    groups += [(_("Window"), str(window), row) for window, row in summary.windows]
    groups += [(_("Clerk"), f"{clerk} ({clerk.username})", row) for clerk, row in summary.clerks]
    groups += [(_("Department"), department.name, row) for department, row in summary.departments]
    groups += [(_("Day"), row.period.isoformat() if row.period else "", row) for row in summary.days]
    for group, name, row in groups:
        writer.writerow(
            [
                group,
                name,
                row.count,
                row.mean or "",
                row.satisfaction_rate or "",
                row.bad,
                row.excluded,
                row.rectified_on_time,
                row.served,
                row.participation or "",
            ]
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def hall_honours(request: HttpRequest, code: str) -> HttpResponse:
    """The month's proposals (made by the rules on request) for the manager to confirm or decline, and
    the unit's nominations of model workers."""
    user = _user(request)
    hall = _hall(code, user, [Role.HALL_MANAGER, Role.CITY_OFFICE])
    today = clock.local_today(hall.time_zone)
    raw = request.GET.get("month") or request.POST.get("month") or ""
    month = parse_month(raw) or today.replace(day=1)
    status = 200
    if request.method == "POST":
        try:
            _honour_action(request, hall, user, month)
        except DomainError as failure:
            messages.error(request, failure.message)
            status = failure.status if failure.status in (403, 409, 422) else 422
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('feedback:staff-honours', args=[hall.code])}?month={month:%Y-%m}")
    honours = list(Honour.objects.filter(hall=hall, month=month).select_related("clerk", "window"))
    staff = (
        User.objects.filter(
            is_active=True,
            is_device=False,
            memberships__hall=hall,
            memberships__role__in=[Role.WINDOW_CLERK, Role.HALL_MANAGER, Role.DEPARTMENT_OFFICER],
        )
        .distinct()
        .order_by("username")
    )
    return render(
        request,
        "feedback/staff/hall_honours.html",
        {
            "hall": hall,
            "month": month,
            "honours": honours,
            "is_manager": bool(
                staff_roles_in_hall(user=user, hall=hall) & {Role.HALL_MANAGER, Role.SYSTEM_ADMIN}
            ),
            "staff": list(staff),
            "nominations": list(Nomination.objects.filter(hall=hall).select_related("nominee")[:50]),
            "year": today.year,
        },
        status=status,
    )


def _honour_action(request: HttpRequest, hall: Hall, user: User, month: dt.date) -> None:
    action = request.POST.get("action", "")
    if action == "propose":
        if not staff_roles_in_hall(user=user, hall=hall) & {Role.HALL_MANAGER, Role.SYSTEM_ADMIN}:
            raise PermissionDenied
        honours_propose(hall=hall, month=month)
    elif action in ("confirm", "decline"):
        honour = Honour.objects.filter(hall=hall, pk=request.POST.get("honour") or 0).first()
        if honour is None:
            raise Http404
        honour_decide(
            honour=honour, actor=user, confirm=action == "confirm", citation=request.POST.get("citation", "")
        )
    elif action == "nominate":
        nominee = User.objects.filter(username=request.POST.get("nominee", "")).first()
        if nominee is None:
            raise Http404(_("No such staff member."))
        year = request.POST.get("year", "")
        nomination_file(
            nominee=nominee,
            hall=hall,
            actor=user,
            title=request.POST.get("title", ""),
            year=int(year) if year.isdigit() else clock.local_today(hall.time_zone).year,
            citation=request.POST.get("citation", ""),
        )
    else:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def nomination_list(request: HttpRequest) -> HttpResponse:
    """The city office's list of nominations in its halls, with approve/reject (with reasons)."""
    user = _user(request)
    halls = halls_for_staff(user=user, roles=[Role.CITY_OFFICE, Role.HALL_MANAGER])
    rows = Nomination.objects.filter(hall__in=halls).select_related("nominee", "unit", "hall")
    status = 200
    if request.method == "POST":
        nomination = rows.filter(public_id=request.POST.get("nomination") or uuid.UUID(int=0)).first()
        if nomination is None:
            raise Http404
        try:
            nomination_decide(
                nomination=nomination,
                actor=user,
                approve=request.POST.get("action") == "approve",
                reason=request.POST.get("reason", ""),
            )
        except DomainError as failure:
            messages.error(request, failure.message)
            status = failure.status if failure.status in (403, 409, 422) else 422
        else:
            messages.success(request, _("Saved."))
            return redirect("feedback:staff-nominations")
    may_decide = {
        nomination.pk: bool(
            staff_roles_in_hall(user=user, hall=nomination.hall) & {Role.CITY_OFFICE, Role.SYSTEM_ADMIN}
        )
        for nomination in rows[:100]
    }
    return render(
        request,
        "feedback/staff/nominations.html",
        {"rows": [(row, may_decide.get(row.pk, False)) for row in rows[:100]]},
        status=status,
    )
