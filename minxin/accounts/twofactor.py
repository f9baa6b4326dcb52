"""TOTP two-factor sign-in for staff (django-otp), required for the roles in STAFF_OTP_REQUIRED_ROLES.

A browser session of such a user is held at the second step (or at enrolment, when no authenticator is
set up yet) until it is verified: every staff page, `/admin/` and the session-authenticated API. API
tokens (`Authorization: Bearer`) and device sessions are not affected: a token is already a second
secret. The roles live in `orgs` (above this app), which registers where to read them with
`register_role_source` in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from minxin.accounts.middleware import DEVICE_TOKEN_SESSION_KEY
from minxin.accounts.models import User
from minxin.core.audit import audit_record
from minxin.core.errors import error_body
from minxin.core.memo import memo

BACKUP_CODES = 10
_role_sources: list[Callable[[User], frozenset[str]]] = []


def register_role_source(source: Callable[[User], frozenset[str]]) -> None:
    """`source(user)` gives every role the user holds in any scope."""
    if source not in _role_sources:
        _role_sources.append(source)


def second_factor_required(user: User) -> bool:
    """Whether `user` must pass the second step: a superuser or a holder of a listed role, while the
    list (STAFF_OTP_REQUIRED_ROLES) is not empty. Devices and integrations never (they hold tokens)."""
    required = set(settings.STAFF_OTP_REQUIRED_ROLES)
    if not required or user.is_device:
        return False
    if user.is_superuser:
        return True

    def load() -> frozenset[str]:
        return frozenset().union(*(source(user) for source in _role_sources))

    return bool(memo(("staff-role-set", user.pk), 30, load) & required)


def second_factor_relaxed() -> bool:
    """True when a role that production requires TOTP of is left out (demo or development settings)."""
    return not {"system_admin", "hall_manager"} <= set(settings.STAFF_OTP_REQUIRED_ROLES)


def has_authenticator(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def totp_device_pending(user: User) -> TOTPDevice:
    """The user's authenticator being set up (unconfirmed), made on first call: the QR code and the
    secret stay the same while the page is reloaded."""
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def totp_enrol_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` with a code from the app: it replaces any earlier authenticator and new backup
    codes are made (returned, shown once). None when the code is wrong."""
    if not (code.isdigit() and len(code) == 6) or not device.verify_token(code):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = backup_codes_renew(user=user)
        audit_record(actor=user, action="staff.second_factor_enrolled", target=user)
    device.confirmed = True
    return codes


def backup_codes_renew(*, user: User) -> list[str]:
    """Replace the user's one-time backup codes with BACKUP_CODES new ones (returned, shown once)."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="backup", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_reset(*, user: User, actor: User) -> None:
    """An administrator removes the user's authenticator and backup codes (a lost phone); audited. The
    user sets up a new one at the next sign-in."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        audit_record(actor=actor, action="staff.second_factor_reset", target=user)


def _exempt(path: str) -> bool:
    allowed = (
        reverse("accounts:staff-2fa"),
        reverse("accounts:staff-2fa-setup"),
        reverse("accounts:staff-logout"),
        reverse("admin:logout"),
        "/static/",
        "/i18n/",
        "/a11y/",
    )
    return path.startswith(allowed)


class SecondFactorMiddleware:
    """Holds a signed-in browser session of a user who needs TOTP at the second step until verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.STAFF_OTP_REQUIRED_ROLES  # off: nothing else is looked at
            and user.is_authenticated
            and isinstance(user, User)
            and not user.is_verified()  # type: ignore[attr-defined]  # set by django_otp's middleware
            and request.session.get(DEVICE_TOKEN_SESSION_KEY) is None
            and "HTTP_AUTHORIZATION" not in request.META
            and not _exempt(request.path)
            and second_factor_required(user)
        ):
            return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, user: User) -> HttpResponse:
        if request.path.startswith("/api/"):
            body = error_body(
                "second_factor_required",
                _("Finish signing in with your authenticator code first."),
                {"sign_in": reverse("accounts:staff-2fa")},
            )
            return JsonResponse(body, status=403)
        target = "accounts:staff-2fa" if has_authenticator(user) else "accounts:staff-2fa-setup"
        return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
