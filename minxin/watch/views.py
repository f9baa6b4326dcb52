"""Pages of the watch: the post's phone page (installable, works offline), the wall board and the fire
incidents. The command desk is in `desk_views`, reports and the monthly duty log in `report_views`."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from minxin.core import clock
from minxin.core.errors import DomainError, NotFound
from minxin.watch.models import CheckIn, FireIncident
from minxin.watch.page_access import request_post, request_scope, request_user
from minxin.watch.scope import COMMAND, LOOKOUT, incident_for, incidents_in_scope, posts_in_scope
from minxin.watch.selectors import incident_json, missed_today
from minxin.watch.services import fire_incident_acknowledge, fire_incident_close

STATIC_DIR = Path(__file__).resolve().parent / "static" / "watch"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
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
    scope = request_scope(request)
    post = request_post(scope, post_id, roles={LOOKOUT, COMMAND})
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
def board(request: HttpRequest) -> HttpResponse:
    request_scope(request)
    return render(request, "watch/board.html", {})


@login_required
def incident_page(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    scope = request_scope(request)
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
                    incident=incident, actor=request_user(request), note=request.POST.get("note", "")
                )
                messages.success(request, _("The incident is closed."))
            else:
                fire_incident_acknowledge(incident=incident, actor=request_user(request))
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
    scope = request_scope(request)
    incidents = incidents_in_scope(scope).select_related("acknowledged_by").order_by("-first_report_at")[:100]
    return render(request, "watch/incidents.html", {"incidents": incidents})
