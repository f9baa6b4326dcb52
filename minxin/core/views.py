from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minxin.core.context_processors import LARGE_TEXT_COOKIE
from minxin.core.errors import error_body
from minxin.core.sql import select_one

_UTF8: dict[str, Any] = {"json_dumps_params": {"ensure_ascii": False}}


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_body("not_found", _("There is nothing at this address.")), status=404, **_UTF8
        )
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("forbidden", _("You may not do this here.")), status=403, **_UTF8)
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(server_error_body(), status=500, **_UTF8)
    return render(request, "500.html", status=500)


def server_error_body() -> dict[str, Any]:
    """The API's answer (500) to a failure of ours."""
    return error_body("server_error", _("Something went wrong on our side."))


@require_POST
def large_text_toggle(request: HttpRequest) -> HttpResponse:
    """Switch the large-text, high-contrast mode (适老化) on or off, then go back where the user was."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    enabled = request.COOKIES.get(LARGE_TEXT_COOKIE) != "1"
    response.set_cookie(LARGE_TEXT_COOKIE, "1" if enabled else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def health(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for load balancers."""
    select_one()
    return JsonResponse({"status": "ok"})


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy policy (隐私政策): what personal data is kept, why, for how long, and who sees it."""
    return render(request, "core/privacy.html")


def terms(request: HttpRequest) -> HttpResponse:
    """The terms of use (用户服务协议) a citizen agrees to once at sign-in."""
    return render(request, "core/terms.html")
