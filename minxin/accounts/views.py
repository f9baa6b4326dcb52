from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from minxin.accounts import personal
from minxin.accounts.forms import CodeForm, PhoneForm, StaffLoginForm
from minxin.accounts.middleware import DEVICE_TOKEN_SESSION_KEY
from minxin.accounts.models import Citizen, User
from minxin.accounts.services import api_token_resolve, citizen_consent_record, otp_request, otp_verify
from minxin.accounts.signin import refusal_message
from minxin.accounts.twofactor import has_authenticator, second_factor_relaxed
from minxin.core.audit import client_ip
from minxin.core.context_processors import HtmxHttpRequest
from minxin.core.errors import DomainError
from minxin.core.portal import staff_panels

DEVICE_SESSION_SECONDS = 90 * 24 * 3600


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/staff_login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def device_sign_in(request: HttpRequest) -> HttpResponse:
    """A kiosk or board signs in once with its API token (pasted by the installer, never put in a URL,
    which would land in access logs) and then keeps a long session."""
    error = ""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST":
        try:
            token = api_token_resolve(secret=request.POST.get("token", "").strip())
        except DomainError as failure:
            error = failure.message
        else:
            login(request, token.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.set_expiry(DEVICE_SESSION_SECONDS)
            request.session[DEVICE_TOKEN_SESSION_KEY] = token.pk
            return redirect(next_url)
    return render(
        request,
        "accounts/device_sign_in.html",
        {"error": error, "next": next_url},
        status=401 if error else 200,
    )


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context = {
        "panels": staff_panels(request),
        "has_authenticator": has_authenticator(user),
        "second_factor_relaxed": second_factor_relaxed(),
    }
    return render(request, "accounts/staff_home.html", context)


CONSENT_COOKIE = "mx_consent"
CONSENT_COOKIE_SECONDS = 400 * 24 * 3600


def _citizen_signed_in(request: HtmxHttpRequest, citizen: Citizen) -> HttpResponse:
    """Sign the verified citizen in on this browser; record their consent to the current privacy policy
    and terms (shown on the phone step) once per version, and remember it here so it is not asked again."""
    request.session.cycle_key()
    request.session["citizen_id"] = citizen.pk
    citizen_consent_record(citizen=citizen, version=settings.CONSENT_VERSION)
    messages.success(request, _("You are signed in as %(phone)s.") % {"phone": citizen.phone_masked})
    target = request.POST.get("next", "")
    if not (target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("accounts:citizen-home")
    # With htmx the whole page moves on, not just the form.
    response = HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    response.set_cookie(
        CONSENT_COOKIE,
        settings.CONSENT_VERSION,
        max_age=CONSENT_COOKIE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_http_methods(["GET", "POST"])
def citizen_login(request: HtmxHttpRequest) -> HttpResponse:
    """Two steps on one page: the phone number, then the code sent to it. Works without JavaScript;
    with htmx only the form is swapped."""
    step = request.POST.get("step", "phone")
    phone_form, code_form, error = PhoneForm(), None, ""
    if request.method == "POST" and step == "phone":
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                otp_request(phone=phone_form.cleaned_data["phone"], ip=client_ip(request))
            except DomainError as failure:
                error = refusal_message(failure)
            else:
                code_form = CodeForm(initial={"phone": phone_form.cleaned_data["phone"]})
    elif request.method == "POST" and step == "code":
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                citizen = otp_verify(
                    phone=code_form.cleaned_data["phone"], code=code_form.cleaned_data["code"]
                )
            except DomainError as failure:
                error = refusal_message(failure)
            else:
                return _citizen_signed_in(request, citizen)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    phone = code_form["phone"].value() if code_form is not None else ""
    normalized = personal.normalize_phone(str(phone or ""))
    context = {
        "phone_form": phone_form,
        "code_form": code_form,
        "error": error,
        "next": next_url,
        "phone_masked": personal.mask_phone(normalized) if normalized else "",
        "resend_seconds": settings.OTP_RESEND_SECONDS,
        "asks_consent": request.COOKIES.get(CONSENT_COOKIE) != settings.CONSENT_VERSION,
        "consent_version": settings.CONSENT_VERSION,
    }
    template = "accounts/citizen_login.html#login-form" if request.htmx else "accounts/citizen_login.html"
    return render(request, template, context, status=422 if error else 200)


def citizen_home(request: HttpRequest) -> HttpResponse:
    citizen_id = request.session.get("citizen_id")
    citizen = Citizen.objects.filter(pk=citizen_id).first() if isinstance(citizen_id, int) else None
    if citizen is None:
        return redirect("accounts:citizen-login")
    return render(request, "accounts/citizen_home.html", {"citizen": citizen})


@require_http_methods(["POST"])
def citizen_logout(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("catalog:home")
