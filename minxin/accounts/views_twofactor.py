"""The second sign-in step for staff (TOTP or a backup code), enrolment with a QR code, backup codes."""

from __future__ import annotations

import io

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from minxin.accounts import personal
from minxin.accounts.forms import TotpForm
from minxin.accounts.models import User
from minxin.accounts.signin import refusal_message
from minxin.accounts.twofactor import (
    backup_codes_renew,
    has_authenticator,
    totp_device_pending,
    totp_enrol_confirm,
)
from minxin.core.audit import audit_record
from minxin.core.errors import Throttled
from minxin.core.throttle import throttle_hit


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


def _to(name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


def _verified(request: HttpRequest) -> bool:
    return bool(request.user.is_verified())  # type: ignore[union-attr]


def _qr_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - drawn by qrcode from our own otpauth URL


def _throttled(user: User) -> str:
    """Guessing the six digits: a few tries per user per window (django-otp also slows each device)."""
    try:
        throttle_hit(
            scope="staff-totp",
            subject=personal.keyed_hash(str(user.pk), purpose="throttle"),
            limit=settings.STAFF_SIGN_INS_PER_USER,
            period_seconds=settings.STAFF_SIGN_IN_WINDOW_SECONDS,
        )
    except Throttled as refusal:
        return refusal_message(refusal)
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def second_step(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not has_authenticator(user):
        return _to("accounts:staff-2fa-setup", request)
    if _verified(request):
        return redirect(_next(request))
    form, error = TotpForm(request.POST or None), ""
    if request.method == "POST" and form.is_valid():
        error = _throttled(user)
        code = form.cleaned_data["code"].strip().replace(" ", "")
        device = None if error else match_token(user, code)
        if device is not None:
            otp_login(request, device)
            audit_record(actor=user, action="staff.second_factor_passed", request=request)
            return redirect(_next(request))
        error = error or _("The code is not correct. Codes change every 30 seconds; try the newest one.")
    context = {"form": form, "error": error, "next": _next(request)}
    return render(request, "accounts/twofactor_verify.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator: scan the QR code, type the code shown. Replacing one needs
    a verified session, so a stolen password alone cannot swap in the thief's phone."""
    user = _user(request)
    if has_authenticator(user) and not _verified(request):
        return _to("accounts:staff-2fa", request)
    device = totp_device_pending(user)
    form, error = TotpForm(request.POST or None), ""
    if request.method == "POST" and form.is_valid():
        error = _throttled(user)
        codes = (
            None if error else totp_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
        )
        if codes is not None:
            otp_login(request, device)
            context = {"codes": codes, "next": _next(request), "enrolled": True}
            return render(request, "accounts/twofactor_codes.html", context)
        error = error or _("The code is not correct. Check the time on your phone and try the newest code.")
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {
        "form": form,
        "error": error,
        "next": _next(request),
        "qr": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "replacing": has_authenticator(user),
    }
    return render(request, "accounts/twofactor_setup.html", context, status=422 if error else 200)


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working); only from a verified session."""
    user = _user(request)
    if not (has_authenticator(user) and _verified(request)):
        return _to("accounts:staff-2fa-setup", request)
    codes = backup_codes_renew(user=user)
    audit_record(actor=user, action="staff.backup_codes_renewed", target=user, request=request)
    return render(request, "accounts/twofactor_codes.html", {"codes": codes, "next": _next(request)})
