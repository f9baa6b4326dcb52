"""Pages of the watch: the post's phone page (installable, works offline), the command desk, the wall
board, incidents, reports and the monthly duty log."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minxin.accounts.models import User
from minxin.core import clock
from minxin.core.errors import DomainError, NotFound

from . import reports
from .models import CheckIn, DangerLevel, FireIncident, Post
from .scope import (
    COMMAND,
    LOOKOUT,
    Scope,
    command_region,
    command_regions,
    incident_for,
    incidents_in_scope,
    post_for,
    posts_in_scope,
    scope_of,
)
from .selectors import incident_json, missed_today
from .services import (
    Report,
    check_in_record,
    danger_level_set,
    escalation_acknowledge,
    fire_incident_acknowledge,
    fire_incident_close,
    post_pause,
    post_resume,
)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "watch"


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _scope(request: HttpRequest, *, command: bool = False) -> Scope:
    scope = scope_of(request.user)
    if not scope.is_anyone or (command and not scope.is_command):
        raise PermissionDenied
    return scope


def _post(scope: Scope, post_id: uuid.UUID, roles: set[str] | None = None) -> Post:
    try:
        return post_for(scope, post_id, roles=roles)
    except NotFound as error:
        raise Http404(str(error)) from error
    except DomainError as error:
        raise PermissionDenied(str(error)) from error


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    posts = list(posts_in_scope(scope))
    missed = missed_today(posts)
    rows = [(p, missed.get(p.pk, 0)) for p in posts]
    return render(
        request,
        "watch/home.html",
        {"rows": rows, "is_command": scope.is_command, "today": clock.local_today("Asia/Shanghai")},
    )


@login_required
@never_cache
def post_page(request: HttpRequest, post_id: uuid.UUID) -> HttpResponse:
    """The tower's phone page: one big "all normal" button, observation and fire forms. The page sends
    through the API and keeps what it cannot send (static/watch/post.js)."""
    scope = _scope(request)
    post = _post(scope, post_id, roles={LOOKOUT, COMMAND})
    recent = list(post.check_ins.order_by("-made_at")[:8])
    return render(
        request,
        "watch/post.html",
        {
            "post": post,
            "recent": recent,
            "weather_choices": CheckIn.Weather.choices,
            "smoke_choices": CheckIn.Smoke.choices,
            "spread_choices": CheckIn.Spread.choices,
            "missed": missed_today([post]).get(post.pk, 0),
        },
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /watch/sw.js, so its scope covers every page under /watch/ (a script under /static/
    could only control /static/)."""
    body = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("watch:home")
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request: HttpRequest) -> HttpResponse:
    start = request.GET.get("start", "")
    start_url = start if start.startswith(reverse("watch:home")) else reverse("watch:home")
    data = {
        "name": _("Lookout post"),
        "short_name": _("Lookout"),
        "start_url": start_url,
        "scope": reverse("watch:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d5c3a",
        "lang": "zh-CN",
        "icons": [{"src": static("watch/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The command desk: enter a report a post gave by telephone or radio, from the keyboard."""
    scope = _scope(request, command=True)
    posts = list(posts_in_scope(scope))
    missed = missed_today(posts)
    if request.method == "POST":
        if request.POST.get("form") == "danger":
            return _desk_danger(request, scope)
        return _desk_enter(request, scope)
    return render(
        request,
        "watch/desk.html",
        {
            "rows": [(p, missed.get(p.pk, 0)) for p in posts],
            "weather_choices": CheckIn.Weather.choices,
            "smoke_choices": CheckIn.Smoke.choices,
            "spread_choices": CheckIn.Spread.choices,
            "now_local": clock.local_now("Asia/Shanghai").strftime("%Y-%m-%dT%H:%M"),
            "last_post": request.session.get("watch_last_post", ""),
            "regions": command_regions(scope),
            "dangers": DangerLevel.objects.filter(ends_at__gt=clock.now())
            .select_related("region", "set_by")
            .order_by("starts_at")[:20],
        },
    )


def _desk_danger(request: HttpRequest, scope: Scope) -> HttpResponse:
    from zoneinfo import ZoneInfo

    data = request.POST
    zone = ZoneInfo("Asia/Shanghai")
    try:
        region = command_region(scope, data.get("region", ""))
        starts, ends = parse_datetime(data.get("starts_at", "")), parse_datetime(data.get("ends_at", ""))
        if starts is None or ends is None:
            raise DomainError(_("Give the time range."))
        danger_level_set(
            region=region,
            level=int(data.get("level", "0") or 0),
            starts_at=starts.replace(tzinfo=starts.tzinfo or zone),
            ends_at=ends.replace(tzinfo=ends.tzinfo or zone),
            actor=_user(request),
        )
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return redirect("watch:desk")
    messages.success(request, _("Fire-danger level set."))
    return redirect("watch:desk")


def _number(raw: str, kind: type[int] | type[float], field: str) -> Any:
    if not raw.strip():
        return None
    try:
        return kind(raw)
    except ValueError as error:
        raise DomainError(_("%(field)s is not a number.") % {"field": field}) from error


def _desk_enter(request: HttpRequest, scope: Scope) -> HttpResponse:
    data = request.POST
    try:
        post = post_for(scope, data.get("post", "").strip(), roles={COMMAND})
    except (DomainError, ValueError, Exception):
        messages.error(request, _("Choose a post."))
        return redirect("watch:desk")
    made_at = None
    if data.get("made_at"):
        parsed = parse_datetime(data["made_at"])
        if parsed is not None and parsed.tzinfo is None:
            from zoneinfo import ZoneInfo

            parsed = parsed.replace(tzinfo=ZoneInfo(post.time_zone))
        made_at = parsed
    try:
        recorded = check_in_record(
            post=post,
            report=Report(
                status=data.get("status", "normal"),
                note=data.get("note", ""),
                weather=data.get("weather", ""),
                wind=data.get("wind", ""),
                visibility_m=_number(data.get("visibility_m", ""), int, "visibility_m"),
                bearing_deg=_number(data.get("bearing_deg", ""), float, "bearing_deg"),
                distance_km=_number(data.get("distance_km", ""), float, "distance_km"),
                smoke_colour=data.get("smoke_colour", ""),
                spread=data.get("spread", ""),
            ),
            channel=data.get("channel", "phone"),
            made_at=made_at,
            entered_by=_user(request),
            reported_by=data.get("reported_by", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("watch:desk")
    request.session["watch_last_post"] = str(post.public_id)
    messages.success(
        request,
        _("Recorded for %(post)s (slot %(slot)s).")
        % {
            "post": post.name,
            "slot": recorded.check_in.slot_start.astimezone(clock.local_now(post.time_zone).tzinfo).strftime(
                "%H:%M"
            ),
        },
    )
    return redirect("watch:desk")


@login_required
@require_POST
def post_action(request: HttpRequest, post_id: uuid.UUID, action: str) -> HttpResponse:
    scope = _scope(request)
    user = _user(request)
    post = _post(scope, post_id, roles={COMMAND} if action in ("pause", "resume") else None)
    try:
        if action == "ack":
            escalation_acknowledge(post=post, actor=user, note=request.POST.get("note", ""))
            messages.success(request, _("Acknowledged: %(post)s.") % {"post": post.name})
        elif action == "pause":
            post_pause(post=post, actor=user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Paused: %(post)s.") % {"post": post.name})
        elif action == "resume":
            post_resume(post=post, actor=user)
            messages.success(request, _("Resumed: %(post)s.") % {"post": post.name})
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/watch/") else reverse("watch:desk"))


@login_required
def board(request: HttpRequest) -> HttpResponse:
    _scope(request)
    return render(request, "watch/board.html", {})


@login_required
def incident_page(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    scope = _scope(request)
    try:
        incident = incident_for(scope, incident_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    if request.method == "POST":
        if not scope.is_command:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "close":
                fire_incident_close(
                    incident=incident, actor=_user(request), note=request.POST.get("note", "")
                )
                messages.success(request, _("The incident is closed."))
            else:
                fire_incident_acknowledge(incident=incident, actor=_user(request))
                messages.success(request, _("Acknowledged."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("watch:incident", incident_id=incident.public_id)
    data = incident_json(FireIncident.objects.prefetch_related("reports__post").get(pk=incident.pk))
    return render(
        request,
        "watch/incident.html",
        {
            "incident": incident,
            "reports": incident.reports.select_related("post", "entered_by").order_by("made_at"),
            "is_command": scope.is_command,
            "ack_minutes": data["ack_seconds"] // 60 if data["ack_seconds"] is not None else None,
            "board_json": {"posts": [], "incidents": [data]},
        },
    )


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    incidents = incidents_in_scope(scope).select_related("acknowledged_by").order_by("-first_report_at")[:100]
    return render(request, "watch/incidents.html", {"incidents": incidents})


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
    scope = _scope(request)
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
    scope = _scope(request)
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
    scope = _scope(request)
    post = _post(scope, post_id)
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
