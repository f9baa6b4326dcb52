from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model
from django.utils.translation import gettext as _

from minxin.accounts import personal
from minxin.accounts.models import ApiToken, Citizen, OtpChallenge, User
from minxin.accounts.sms import SmsDeliveryError, sms_send
from minxin.core import clock
from minxin.core.audit import audit_record
from minxin.core.errors import Forbidden, InvalidInput, NotAuthenticated, ServiceUnavailable, Throttled
from minxin.core.memo import forget as memo_forget
from minxin.core.memo import memo
from minxin.core.throttle import throttle_hit

M = TypeVar("M", bound=Model)

TOKEN_PREFIX = "mx_"  # noqa: S105 - a public marker, not a secret


def _code_hash(challenge_salt: str, code: str) -> str:
    return personal.keyed_hash(code, purpose=f"otp:{challenge_salt}")


def otp_request(*, phone: str, ip: str | None) -> OtpChallenge:
    """Send a six-digit code to `phone`. Limits: one per OTP_RESEND_SECONDS and a few per hour per phone,
    a larger number per hour per IP address. Raises InvalidInput for a malformed number, Throttled past
    a limit (nothing is sent then)."""
    normalized = personal.normalize_phone(phone)
    if normalized is None:
        raise InvalidInput(_("Enter a valid mainland mobile number (11 digits)."), details={"field": "phone"})
    phone_hash = personal.keyed_hash(normalized, purpose="phone")
    # The address first: a sprayer refused there must not use up the limits of the phones it names.
    if ip:
        throttle_hit(
            scope="otp-ip", subject=ip, limit=settings.OTP_SENDS_PER_IP_PER_HOUR, period_seconds=3600
        )
    if settings.OTP_RESEND_SECONDS:
        throttle_hit(
            scope="otp-resend", subject=phone_hash, limit=1, period_seconds=settings.OTP_RESEND_SECONDS
        )
    throttle_hit(
        scope="otp-phone",
        subject=phone_hash,
        limit=settings.OTP_SENDS_PER_PHONE_PER_HOUR,
        period_seconds=3600,
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = clock.now()
    challenge = OtpChallenge.objects.create(
        phone_hash=phone_hash,
        code_hash="",
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
        ip=ip,
    )
    OtpChallenge.objects.filter(pk=challenge.pk).update(code_hash=_code_hash(str(challenge.pk), code))
    minutes = max(settings.OTP_TTL_SECONDS // 60, 1)
    text = _("Your minxin verification code is %(code)s, valid for %(minutes)d minutes. Do not share it.") % {
        "code": code,
        "minutes": minutes,
    }
    try:
        sms_send(phone=normalized, text=text)
    except SmsDeliveryError:
        # The code never reached the phone: remove it so it cannot be guessed, and say so.
        OtpChallenge.objects.filter(pk=challenge.pk).delete()
        raise ServiceUnavailable(
            _("The text message could not be sent. Please try again shortly."), code="sms_unavailable"
        ) from None
    return challenge


def otp_verify(*, phone: str, code: str) -> Citizen:
    """Check `code` against the newest live challenge for `phone` and return the citizen (created on first
    sign-in). Each wrong guess spends one attempt with a conditional update, so parallel guesses cannot
    exceed OTP_MAX_ATTEMPTS; a right code is used once."""
    normalized = personal.normalize_phone(phone)
    if normalized is None:
        raise InvalidInput(_("Enter a valid mainland mobile number (11 digits)."), details={"field": "phone"})
    if not (code.isdigit() and len(code) == 6):
        raise InvalidInput(_("The code has six digits."), details={"field": "code"})
    phone_hash = personal.keyed_hash(normalized, purpose="phone")
    now = clock.now()
    challenge = (
        OtpChallenge.objects.filter(phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if challenge is None:
        raise NotAuthenticated(_("The code has expired. Request a new one."), code="otp_expired")
    spent = OtpChallenge.objects.filter(
        pk=challenge.pk, used_at__isnull=True, attempts__lt=settings.OTP_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not spent:
        raise Throttled(
            _("Too many wrong codes. Request a new one."),
            retry_after=settings.OTP_RESEND_SECONDS or 1,
            code="otp_attempts_exceeded",
        )
    if not hmac.compare_digest(challenge.code_hash, _code_hash(str(challenge.pk), code)):
        raise NotAuthenticated(_("The code is not correct."), code="otp_wrong")
    used = OtpChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=now)
    if not used:
        raise NotAuthenticated(_("The code has already been used."), code="otp_used")
    return citizen_get_or_create(phone=normalized)


def citizen_of_session(session: Any) -> Citizen | None:
    """The citizen signed in on this browser session (phone + one-time code), if any."""
    citizen_id = session.get("citizen_id")
    return Citizen.objects.filter(pk=citizen_id).first() if isinstance(citizen_id, int) else None


def otp_challenges_purge() -> int:
    """Delete challenges a day after they expired (kept that long for abuse review). Returns how many."""
    cutoff = clock.now() - dt.timedelta(days=1)
    deleted, _details = OtpChallenge.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def citizen_get_or_create(*, phone: str) -> Citizen:
    """The citizen with this (normalized) phone; the unique hash makes racing first sign-ins safe."""
    now = clock.now()
    citizen, _created = Citizen.objects.get_or_create(
        phone_hash=personal.keyed_hash(phone, purpose="phone"),
        defaults={
            "phone_masked": personal.mask_phone(phone),
            "phone_encrypted": personal.encrypt(phone),
            "created_at": now,
        },
    )
    Citizen.objects.filter(pk=citizen.pk).update(last_sign_in_at=now)
    return citizen


def citizen_consent_record(*, citizen: Citizen, version: str) -> bool:
    """Record that `citizen` agreed to the privacy policy and terms of `version`, now; once per version
    (a conditional update, so the first time is kept). True when this call recorded it."""
    now = clock.now()
    recorded = (
        Citizen.objects.filter(pk=citizen.pk)
        .exclude(consent_version=version)
        .update(consent_version=version, consent_at=now)
    )
    if recorded:
        citizen.consent_version, citizen.consent_at = version, now
    return bool(recorded)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str


def _token_hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; a slow KDF would only slow every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, name: str, expires_at: dt.datetime | None = None) -> IssuedToken:
    """Create a token for `user`. The secret is returned once and never stored."""
    if not name.strip():
        raise InvalidInput(_("Give the token a name."), details={"field": "name"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip(),
            prefix=secret[:10],
            token_hash=_token_hash(secret),
            created_at=clock.now(),
            expires_at=expires_at,
        )
        audit_record(actor=user, action="api_token.created", target=token, details={"name": token.name})
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
        audit_record(actor=actor, action="api_token.revoked", target=token)
    memo_forget(TOKEN_MEMO)


def api_token_authenticate(*, secret: str) -> User:
    """The active user behind a bearer token (the caller's own copy), or NotAuthenticated / Forbidden."""
    return _own_copy(_api_token_checked(secret).user)


TOKEN_MEMO = "api-token"  # noqa: S105 - a cache key prefix, not a secret
TOKEN_MEMO_SECONDS = 10


def api_token_resolve(*, secret: str) -> ApiToken:
    """The valid token for `secret` (with its user), or NotAuthenticated / Forbidden.

    A device or integration sends its token with every request, so the lookup is kept per process for
    TOKEN_MEMO_SECONDS: revoking a token or disabling its account takes effect at once in the process
    that did it and within that time everywhere else (device sessions allow 30 s; see
    DeviceSessionMiddleware). Each caller gets its own copy of the user, never a shared instance.
    """
    token = _own_copy(_api_token_checked(secret))
    token.user = _own_copy(token.user)
    return token


def _own_copy(instance: M) -> M:
    """A shallow copy of a model instance, as copy.copy makes it (Model.__getstate__: its own field
    values, state and related-object cache) without the pickling protocol's round through the app
    registry, which cost as much again on every API call."""
    clone: M = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(instance.__getstate__())
    return clone


def _api_token_checked(secret: str) -> ApiToken:
    """The valid token for `secret`: the instance kept for every caller in this process, not to be
    changed or handed out."""
    if not secret.startswith(TOKEN_PREFIX):
        raise NotAuthenticated(_("The API token is not valid."), code="invalid_token")
    digest = _token_hash(secret)

    def load() -> ApiToken | None:
        return ApiToken.objects.select_related("user").filter(token_hash=digest).first()

    token = memo((TOKEN_MEMO, digest), TOKEN_MEMO_SECONDS, load)
    now = clock.now()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        raise NotAuthenticated(_("The API token is not valid."), code="invalid_token")
    if not token.user.is_active:
        raise Forbidden(_("The account behind this token is disabled."), code="account_disabled")
    # Record use at most once a minute: a write (or even a round trip) on every request is waste.
    if token.last_used_at is None or token.last_used_at < now - dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
