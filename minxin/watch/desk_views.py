"""The command desk: reports a post gave by telephone or radio entered from the keyboard, fire-danger
levels, and the actions on a post (acknowledge, pause, resume)."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.core import clock
from minxin.core.errors import DomainError
from minxin.watch.models import CheckIn, DangerLevel
from minxin.watch.page_access import request_post, request_scope, request_user
from minxin.watch.scope import COMMAND, Scope, command_region, command_regions, post_for, posts_in_scope
from minxin.watch.selectors import missed_today
from minxin.watch.services import (
    Report,
    check_in_record,
    danger_level_set,
    escalation_acknowledge,
    post_pause,
    post_resume,
)


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The command desk: enter a report a post gave by telephone or radio, from the keyboard."""
    scope = request_scope(request, command=True)
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
            actor=request_user(request),
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
            entered_by=request_user(request),
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
    scope = request_scope(request)
    user = request_user(request)
    post = request_post(scope, post_id, roles={COMMAND} if action in ("pause", "resume") else None)
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
